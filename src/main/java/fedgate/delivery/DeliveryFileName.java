package fedgate.delivery;

import java.util.regex.Pattern;

/**
 * Names of delivered files. A name is metadata that ends up as a path on our disk, on the partner's drop-box and
 * in the partner's tools: only bare names of {@code [A-Za-z0-9._-]} are accepted, starting with a letter or digit
 * (no hidden file, no option-like "-x"), without "..", at most 200 characters. Anything else is refused, never
 * "cleaned up" into something else.
 */
public final class DeliveryFileName {

    /** Suffix of the encrypted file: {@code extract.csv} → {@code extract.csv.pgp}. */
    public static final String ENCRYPTED_SUFFIX = ".pgp";
    public static final String MANIFEST = "manifest.json";
    public static final String SIGNATURE = "manifest.json.asc";

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private DeliveryFileName() {
    }

    public static boolean isSafe(String name) {
        return name != null && SAFE.matcher(name).matches() && !name.contains("..");
    }

    /** Returns {@code name} when safe, else refuses it with a French reason. */
    public static String check(String name) throws DeliveryException {
        if (!isSafe(name)) {
            throw new DeliveryException(DeliveryException.Code.INVALID_FILE_NAME, "Nom de fichier refusé : « "
                    + printable(name) + " » (seuls les noms simples composés de lettres, chiffres, « . », « _ » et « - » "
                    + "sont acceptés, sans « .. » ni chemin)");
        }
        return name;
    }

    public static String encryptedName(String name) {
        return name + ENCRYPTED_SUFFIX;
    }

    /** A log- and message-safe rendering: control and bidi characters escaped, length bounded. */
    public static String printable(String name) {
        if (name == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < 120; i++) {
            char c = name.charAt(i);
            b.append(Character.isISOControl(c) || (c >= '\u202A' && c <= '\u202E') || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
