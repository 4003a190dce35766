package fedgate.extract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Operator-supplied snapshot paths. Reading uses a bind parameter ({@code read_parquet(?)}), but DuckDB's
 * {@code COPY ... TO} accepts no parameter for its target, so a path that must appear in SQL is restricted to a
 * conservative character set and quoted; anything else is refused rather than escaped.
 */
public final class SnapshotFiles {

    public enum Format { PARQUET, CSV }

    /** Letters, digits and {@code / . _ - +} only: no quote, backslash, semicolon, space or control character. */
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9/._+\\-]+");

    private SnapshotFiles() {
    }

    public static Format formatOf(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".parquet")) {
            return Format.PARQUET;
        }
        if (n.endsWith(".csv")) {
            return Format.CSV;
        }
        throw new IllegalArgumentException("snapshot must be a .parquet or .csv file");
    }

    /** An existing, readable regular snapshot file, as an absolute normalised path. */
    public static Path existingSnapshot(Path file) {
        Path p = file.toAbsolutePath().normalize();
        formatOf(p);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException("snapshot not found or not readable: " + printable(p));
        }
        return p;
    }

    /** The path as a single-quoted SQL literal, for the one place DuckDB takes no parameter (COPY TO). */
    static String sqlLiteral(Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        if (!SAFE_PATH.matcher(s).matches() || s.contains("'")) {
            throw new IllegalArgumentException("path refused (allowed characters: letters, digits, / . _ - +): "
                    + printable(p));
        }
        return "'" + s + "'";
    }

    /** Table function reading a snapshot, to be used with the path bound as the single parameter. */
    static String tableFunction(Format f) {
        return f == Format.PARQUET ? "read_parquet(?)" : "read_csv(?, header = true)";
    }

    static String printable(Path p) {
        return p.toString().replaceAll("[\\p{Cntrl}]", "?");
    }
}
