package fedgate.partner;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;

/**
 * The framework convention between the CAF and one partner, as far as its duration goes.
 * <p>
 * Art. 8: in force from the signature, for one year, tacitly renewed. Art. 6: either party may terminate it
 * with three months' notice. All end dates here are <em>exclusive</em>: the day the convention stops
 * applying (a convention signed on 2025-01-15 covers 2025-01-15 … 2026-01-14 in its first term, and
 * {@link #currentTermEnd} returns 2026-01-15).
 *
 * @param signedOn            day both parties signed (Art. 8: enters into force on signature)
 * @param termYears           length of one term in years (Art. 8: one year)
 * @param tacitRenewal        whether a term renews itself when nobody terminated it (Art. 8: yes)
 * @param terminationNoticeOn day a termination notice was given by either party, null if none (Art. 6)
 */
public record Convention(LocalDate signedOn, int termYears, boolean tacitRenewal, LocalDate terminationNoticeOn) {

    /** The other party, as named in the French texts. */
    public static final String CAF_NAME = "la CAF de Rouen";
    /** Art. 6: "moyennant un préavis de trois mois". */
    public static final int NOTICE_MONTHS = 3;

    private static final DateTimeFormatter FRENCH_DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");

    public Convention {
        if (signedOn == null) {
            throw new PartnerConfigException("convention.signedOn", "is required (Art. 8: in force from signature)");
        }
        if (termYears < 1) {
            throw new PartnerConfigException("convention.termYears", "must be at least 1, got " + termYears);
        }
        if (terminationNoticeOn != null && terminationNoticeOn.isBefore(signedOn)) {
            throw new PartnerConfigException("convention.terminationNoticeOn",
                    "termination notice " + terminationNoticeOn + " is before the signature " + signedOn);
        }
    }

    /** Art. 8 defaults: one year, tacitly renewed, not terminated. */
    public static Convention signed(LocalDate signedOn) {
        return new Convention(signedOn, 1, true, null);
    }

    public Convention withTerminationNotice(LocalDate noticeOn) {
        return new Convention(signedOn, termYears, tacitRenewal, noticeOn);
    }

    /**
     * The first day the convention no longer applies, if that day is already determined: three months after a
     * termination notice (Art. 6) or, without tacit renewal, the end of the first term — whichever comes first.
     */
    public Optional<LocalDate> effectiveEnd() {
        LocalDate end = null;
        if (terminationNoticeOn != null) {
            end = terminationNoticeOn.plusMonths(NOTICE_MONTHS); // Art. 6: three months' notice
        }
        if (!tacitRenewal) {
            LocalDate firstTermEnd = termEnd(1);
            end = end == null || firstTermEnd.isBefore(end) ? firstTermEnd : end;
        }
        return Optional.ofNullable(end);
    }

    /** Whether the convention applies on that day. */
    public boolean inForce(LocalDate day) {
        Objects.requireNonNull(day, "day");
        if (day.isBefore(signedOn)) {
            return false; // Art. 8: enters into force after signature
        }
        return effectiveEnd().map(day::isBefore).orElse(true);
    }

    /**
     * End (exclusive) of the term that contains {@code day}: the next anniversary of the signature, or the
     * effective end if the convention stops earlier. Empty when the convention is not in force that day.
     */
    public Optional<LocalDate> currentTermEnd(LocalDate day) {
        if (!inForce(day)) {
            return Optional.empty();
        }
        // Computed from signedOn each time (not by adding years repeatedly) so a 29 February signature
        // does not drift to the 28th for good.
        int n = 1;
        while (!day.isBefore(termEnd(n))) {
            n++;
        }
        LocalDate anniversary = termEnd(n);
        return Optional.of(effectiveEnd().filter(e -> e.isBefore(anniversary)).orElse(anniversary));
    }

    /**
     * Why the convention does not apply on {@code day}, in French for the partner; empty when it is in force.
     *
     * @param partnerName the partner as named in the convention, e.g. "Ville de Rouen"
     */
    public Optional<String> explainNotInForce(LocalDate day, String partnerName) {
        if (inForce(day)) {
            return Optional.empty();
        }
        String parties = "La convention entre " + CAF_NAME + " et " + partnerName;
        if (day.isBefore(signedOn)) {
            return Optional.of(parties + " n'est pas encore en vigueur : elle entre en vigueur à sa signature, le "
                    + fr(signedOn) + " (Art. 8). Merci de renouveler votre demande à partir de cette date.");
        }
        LocalDate end = effectiveEnd().orElseThrow(); // not in force after signature ⇒ an end exists
        if (terminationNoticeOn != null && end.equals(terminationNoticeOn.plusMonths(NOTICE_MONTHS))) {
            return Optional.of(parties + " a été dénoncée le " + fr(terminationNoticeOn) + " ; elle a pris fin le "
                    + fr(end) + " (Art. 6). Aucune demande ne peut être traitée sans nouvelle convention : "
                    + "contactez le Bureau d'Études de " + CAF_NAME + ".");
        }
        return Optional.of(parties + ", conclue pour " + termYears + (termYears == 1 ? " an" : " ans")
                + " sans reconduction tacite, a pris fin le " + fr(end) + " (Art. 8). Aucune demande ne peut être "
                + "traitée sans nouvelle convention : contactez le Bureau d'Études de " + CAF_NAME + ".");
    }

    private LocalDate termEnd(int terms) {
        return signedOn.plusYears((long) terms * termYears);
    }

    static String fr(LocalDate d) {
        return FRENCH_DATE.format(d);
    }
}
