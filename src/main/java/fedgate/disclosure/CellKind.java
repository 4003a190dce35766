package fedgate.disclosure;

import java.util.Locale;

/** What a cell measures; decides which primary rules apply and whether it enters additive relations. */
public enum CellKind {
    COUNT, AMOUNT, RATE, SHARE, QUANTILE;

    public boolean additive() {
        return this == COUNT || this == AMOUNT;
    }

    public static CellKind parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
