package fedgate.disclosure;

import java.util.Arrays;

/** An additive relation between cells: {@code value(total) = Σ value(parts)}. */
public record Relation(int total, int[] parts) {

    public Relation {
        parts = parts.clone();
    }

    public int[] members() {
        int[] m = Arrays.copyOf(parts, parts.length + 1);
        m[parts.length] = total;
        return m;
    }

    @Override
    public String toString() {
        return total + " = " + Arrays.toString(parts);
    }
}
