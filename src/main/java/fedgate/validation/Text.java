package fedgate.validation;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Text folding shared by the matchers: what a referent types vs what the catalogue says. */
final class Text {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NON_ALNUM = Pattern.compile("[^a-z0-9]+");
    /** Leading words that carry no meaning for matching, tried longest first, repeatedly. */
    private static final List<String> LEADING = List.of(
            "nombre des ", "nombre de ", "nombre d ", "nombre du ", "nombre ",
            "nb des ", "nb de ", "nb d ", "nb du ", "nb ",
            "les ", "le ", "la ", "l ", "une ", "un ", "des ", "du ", "de ", "d ");

    private Text() {
    }

    /** Lower case, accents stripped, ligatures opened, punctuation to single spaces, trimmed. */
    static String fold(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae").replace("ß", "ss");
        t = MARKS.matcher(Normalizer.normalize(t, Normalizer.Form.NFD)).replaceAll("");
        t = t.toLowerCase(Locale.ROOT);
        return NON_ALNUM.matcher(t).replaceAll(" ").strip();
    }

    /** {@link #fold} then drop leading articles and "nombre de" / "nb": "Le nombre d'allocataires" → "allocataires". */
    static String key(String s) {
        String t = fold(s);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String w : LEADING) {
                if (t.startsWith(w) && t.length() > w.length()) {
                    t = t.substring(w.length()).strip();
                    changed = true;
                    break;
                }
            }
        }
        return t;
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * Optimal-string-alignment distance (Levenshtein plus adjacent transposition), stopping early above
     * {@code max}: returns {@code max + 1} for anything farther.
     */
    static int distance(String a, String b, int max) {
        if (Math.abs(a.length() - b.length()) > max) {
            return max + 1;
        }
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            int rowMin = Integer.MAX_VALUE;
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
                rowMin = Math.min(rowMin, v);
            }
            if (rowMin > max) {
                return max + 1;
            }
        }
        return Math.min(d[n][m], max + 1);
    }

    /** French list: "a", "a et b", "a, b et c". */
    static String frenchList(List<String> items) {
        if (items.size() <= 1) {
            return items.isEmpty() ? "" : items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " et " + items.get(items.size() - 1);
    }

    /**
     * Partner input echoed in a French reason: control characters (line breaks included) become spaces and
     * the text is cut at {@value #MAX_ECHO} characters, so a reason can never carry a forged header line.
     */
    static String quote(String s) {
        String t = CONTROL.matcher(s == null ? "" : s).replaceAll(" ").strip();
        if (t.codePointCount(0, t.length()) > MAX_ECHO) {
            t = t.substring(0, t.offsetByCodePoints(0, MAX_ECHO)) + "…";
        }
        return "« " + t + " »";
    }

    static final int MAX_ECHO = 120;
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}]+");
}
