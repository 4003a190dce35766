package fedgate.intake;

/**
 * File names sent by partners are metadata: they never build a path. Still, a name that tries to climb
 * directories or hide control characters says something about the sender, and is refused.
 */
public final class SafeFileName {

    private SafeFileName() {
    }

    public static boolean isSafe(String name) {
        if (name.isEmpty() || name.length() > 255) {
            return false;
        }
        if (name.equals(".") || name.equals("..") || name.contains("../") || name.contains("..\\")
                || name.startsWith("/") || name.startsWith("\\") || name.contains("/") || name.contains("\\")
                || name.matches("^[A-Za-z]:.*")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u202E') {
                return false;
            }
        }
        return true;
    }

    /** A log-safe rendering: control characters escaped, length bounded. */
    public static String printable(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < 120; i++) {
            char c = name.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u202E' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
