package fedgate.fed;

import java.text.Normalizer;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutable collector shared by every reader (labels, JSON, XML, PDF form), so that the same request
 * written in any accepted form normalises to an equal {@link Feuillet1}. Also holds the value
 * heuristics (names, dates, lists, phone numbers) the readers have in common.
 */
final class FedDraft {

    String requestingOrganisation;
    String lastName;
    String firstName;
    String referentService;
    String phone;
    String email;
    String serviceTitle;
    String serviceManager;
    String study;
    final List<String> indicatorsRequested = new ArrayList<>();
    final List<String> territories = new ArrayList<>();
    Integer referenceYear;
    Feuillet1.Diffusion diffusion;
    String desiredDeadline;
    LocalDate date;

    /** Number of FED fields that received a value; a document with none is not a FED. */
    int filledFields() {
        int n = 0;
        for (Object o : new Object[] {requestingOrganisation, lastName, firstName, referentService, phone, email,
                serviceTitle, serviceManager, study, referenceYear, diffusion, desiredDeadline, date}) {
            if (o != null) {
                n++;
            }
        }
        return n + (indicatorsRequested.isEmpty() ? 0 : 1) + (territories.isEmpty() ? 0 : 1);
    }

    /** Sets the referent's name from one "Nom, Prénom" value, see {@link #splitName(String)}. */
    void fullName(String value) {
        String[] parts = splitName(value);
        if (parts != null) {
            lastName = parts[0];
            firstName = parts[1];
        }
    }

    /** A draft: partnerId comes from the channel and catalogue codes from validation, both left empty. */
    Feuillet1 toFeuillet1() {
        String ln = clean(lastName);
        String fn = clean(firstName);
        String sv = clean(referentService);
        String ph = normalizePhone(phone);
        String em = normalizeEmail(email);
        Feuillet1.Referent referent = (ln == null && fn == null && sv == null && ph == null && em == null)
                ? null : new Feuillet1.Referent(ln, fn, sv, ph, em);
        String title = clean(serviceTitle);
        String manager = clean(serviceManager);
        Feuillet1.RequestingService service = (title == null && manager == null)
                ? null : new Feuillet1.RequestingService(title, manager);
        return new Feuillet1(null, clean(requestingOrganisation), referent, service, clean(study),
                cleanList(indicatorsRequested), List.of(), cleanList(territories), referenceYear, diffusion,
                clean(desiredDeadline), date, null);
    }

    // ---------------------------------------------------------------- value helpers

    private static final Pattern SPACES = Pattern.compile("[\\s\\u00A0\\u2007\\u202F\\u200B\\uFEFF]+");

    /** NFC, every kind of space collapsed to one, trimmed; blank becomes null. */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        String t = SPACES.matcher(Normalizer.normalize(s, Normalizer.Form.NFC)).replaceAll(" ").strip();
        return t.isEmpty() ? null : t;
    }

    private static final Pattern ITEM_PREFIX = Pattern.compile("^(?:[-–—•·*▪◦o]|\\d{1,3}[.)]|[a-z][.)])\\s+");
    private static final Pattern ITEM_PREFIX_TIGHT = Pattern.compile("^[-–—•·*▪◦]\\s*");

    private static List<String> cleanList(List<String> items) {
        List<String> out = new ArrayList<>();
        for (String item : items) {
            String c = clean(item);
            if (c == null) {
                continue;
            }
            c = ITEM_PREFIX.matcher(c).replaceFirst("");
            c = ITEM_PREFIX_TIGHT.matcher(c).replaceFirst("");
            c = c.replaceAll("[.;,]+$", "").strip();
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** Does the line start with a list bullet or a number ("-", "•", "*", "1.", "2)")? */
    static boolean isBulleted(String line) {
        String s = line.strip();
        return ITEM_PREFIX.matcher(s).find() || ITEM_PREFIX_TIGHT.matcher(s).lookingAt() && s.length() > 1
                && !Character.isDigit(s.charAt(1));
    }

    /**
     * Splits the lines of a list value into items: each bulleted line starts an item (an unbulleted line
     * after a bullet continues it, the value having been wrapped); without bullets every line is an item.
     * Within an item, ";" always separates, "," separates only outside parentheses.
     */
    static List<String> splitList(List<String> lines) {
        List<String> raw = new ArrayList<>();
        boolean bulleted = lines.stream().anyMatch(FedDraft::isBulleted);
        StringBuilder current = null;
        for (String line : lines) {
            String s = clean(line);
            if (s == null) {
                continue;
            }
            if (!bulleted || isBulleted(s) || current == null) {
                if (current != null) {
                    raw.add(current.toString());
                }
                current = new StringBuilder(s);
            } else {
                joinWrapped(current, s);
            }
        }
        if (current != null) {
            raw.add(current.toString());
        }
        List<String> items = new ArrayList<>();
        for (String r : raw) {
            items.addAll(splitSeparated(r));
        }
        return items;
    }

    static List<String> splitList(String value) {
        return value == null ? List.of() : splitList(List.of(value.split("\\R")));
    }

    private static List<String> splitSeparated(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            }
            // a comma between digits is a decimal separator ("1,5"), not a list separator
            boolean decimalComma = c == ',' && i > 0 && i + 1 < s.length()
                    && Character.isDigit(s.charAt(i - 1)) && Character.isDigit(s.charAt(i + 1));
            if (c == ';' || (c == ',' && depth == 0 && !decimalComma)) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Joins a wrapped line to the text so far: one space, or none after a word cut by a hyphen. */
    static void joinWrapped(StringBuilder sb, String next) {
        String n = next.strip();
        if (n.isEmpty()) {
            return;
        }
        int len = sb.length();
        if (len > 1 && sb.charAt(len - 1) == '-' && Character.isLetter(sb.charAt(len - 2))
                && Character.isLowerCase(n.charAt(0))) {
            sb.append(n);
        } else {
            if (len > 0) {
                sb.append(' ');
            }
            sb.append(n);
        }
    }

    static String joinWrapped(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            String c = clean(l);
            if (c != null) {
                joinWrapped(sb, c);
            }
        }
        return clean(sb.toString());
    }

    private static final Pattern CIVILITY =
            Pattern.compile("^(?:m|mr|mme|mlle|melle|monsieur|madame|mademoiselle|dr|docteur)\\.?$", Pattern.CASE_INSENSITIVE);

    /**
     * "Nom, Prénom" heuristic, returns {lastName, firstName} as written (case kept):
     * <ol>
     * <li>civilities (M., Mme, Madame…) are dropped;</li>
     * <li>with a comma, the form's order applies: "DUPONT, Marie" / "Dupont, Marie";</li>
     * <li>one word: it is the last name;</li>
     * <li>words written in capitals (two letters or more) are the last name, the others the first name:
     *     "DUPONT Marie", "Marie DUPONT", "Jean-Paul LE GALL";</li>
     * <li>otherwise ("Marie Dupont"): the first word is the first name, the rest the last name;</li>
     * <li>every word in capitals ("DUPONT MARIE"): the form's order, first word = last name.</li>
     * </ol>
     */
    static String[] splitName(String value) {
        String v = clean(value);
        if (v == null) {
            return null;
        }
        int comma = v.indexOf(',');
        if (comma >= 0) {
            String last = stripCivility(v.substring(0, comma));
            return new String[] {clean(last), clean(v.substring(comma + 1))};
        }
        List<String> tokens = new ArrayList<>(List.of(stripCivility(v).split(" ")));
        tokens.removeIf(String::isBlank);
        if (tokens.isEmpty()) {
            return null;
        }
        if (tokens.size() == 1) {
            return new String[] {tokens.get(0), null};
        }
        List<String> upper = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String t : tokens) {
            (isCapitalised(t) ? upper : other).add(t);
        }
        if (!upper.isEmpty() && !other.isEmpty()) {
            return new String[] {String.join(" ", upper), String.join(" ", other)};
        }
        if (upper.isEmpty()) {
            return new String[] {String.join(" ", tokens.subList(1, tokens.size())), tokens.get(0)};
        }
        return new String[] {tokens.get(0), String.join(" ", tokens.subList(1, tokens.size()))};
    }

    private static String stripCivility(String s) {
        String[] words = s.strip().split("\\s+");
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() == 0 && CIVILITY.matcher(w).matches()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(w);
        }
        return sb.toString();
    }

    private static boolean isCapitalised(String token) {
        int letters = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (Character.isLetter(c)) {
                if (!Character.isUpperCase(c)) {
                    return false;
                }
                letters++;
            }
        }
        return letters >= 2;
    }

    /** Keeps digits and a leading "+": "02 35 52 68 10", "02.35.52.68.10" and "0235526810" are one number. */
    static String normalizePhone(String s) {
        String c = clean(s);
        if (c == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (Character.isDigit(ch) || (ch == '+' && sb.length() == 0)) {
                sb.append(ch);
            } else if (Character.isLetter(ch)) {
                return c; // "poste 12", "standard": keep as written rather than lose meaning
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    static String normalizeEmail(String s) {
        String c = clean(s);
        if (c == null) {
            return null;
        }
        Matcher m = Pattern.compile("[^\\s<>\"'(),;:]+@[^\\s<>\"'(),;:]+").matcher(c);
        if (m.find()) {
            String e = m.group();
            return e.replaceAll("^mailto:", "").replaceAll("[.]+$", "");
        }
        return c;
    }

    /** Lower-case, accents removed, one char per input char so that indexes stay aligned. */
    static String fold(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128) {
                sb.append(Character.toLowerCase(c));
                continue;
            }
            String d = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD);
            char base = d.charAt(0);
            if (Character.getType(base) == Character.NON_SPACING_MARK) {
                sb.append(c);
            } else {
                sb.append(Character.toLowerCase(base));
            }
        }
        return sb.toString();
    }

    private static final Map<String, Integer> MONTHS = Map.ofEntries(
            Map.entry("janvier", 1), Map.entry("janv", 1), Map.entry("fevrier", 2), Map.entry("fevr", 2),
            Map.entry("fev", 2), Map.entry("mars", 3), Map.entry("avril", 4), Map.entry("avr", 4),
            Map.entry("mai", 5), Map.entry("juin", 6), Map.entry("juillet", 7), Map.entry("juil", 7),
            Map.entry("aout", 8), Map.entry("septembre", 9), Map.entry("sept", 9), Map.entry("octobre", 10),
            Map.entry("oct", 10), Map.entry("novembre", 11), Map.entry("nov", 11), Map.entry("decembre", 12),
            Map.entry("dec", 12));

    private static final Pattern ISO_DATE = Pattern.compile("\\b(\\d{4})-(\\d{1,2})-(\\d{1,2})\\b");
    private static final Pattern NUMERIC_DATE = Pattern.compile("\\b(\\d{1,2})\\s?[/.-]\\s?(\\d{1,2})\\s?[/.-]\\s?(\\d{4}|\\d{2})\\b");
    private static final Pattern FRENCH_DATE = Pattern.compile(
            "\\b(\\d{1,2})(?:er)?\\s+(janvier|janv|fevrier|fevr|fev|mars|avril|avr|mai|juin|juillet|juil|aout|"
                    + "septembre|sept|octobre|oct|novembre|nov|decembre|dec)\\.?\\s+(\\d{4})\\b");

    /** First valid date in the text: ISO, dd/MM/yyyy (also "-" or "."), or "12 mars 2026" / "1er mars 2026". */
    static LocalDate parseDate(String s) {
        if (s == null) {
            return null;
        }
        String f = fold(s);
        Matcher m = ISO_DATE.matcher(f);
        if (m.find()) {
            LocalDate d = date(m.group(1), m.group(2), m.group(3));
            if (d != null) {
                return d;
            }
        }
        m = NUMERIC_DATE.matcher(f);
        while (m.find()) {
            String y = m.group(3).length() == 2 ? "20" + m.group(3) : m.group(3);
            LocalDate d = date(y, m.group(2), m.group(1));
            if (d != null) {
                return d;
            }
        }
        m = FRENCH_DATE.matcher(f);
        while (m.find()) {
            LocalDate d = date(m.group(3), String.valueOf(MONTHS.get(m.group(2))), m.group(1));
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static LocalDate date(String y, String mo, String d) {
        try {
            return LocalDate.of(Integer.parseInt(y), Integer.parseInt(mo), Integer.parseInt(d));
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    private static final Pattern YEAR = Pattern.compile("\\b(19\\d{2}|2[01]\\d{2})\\b");

    static Integer parseYear(String s) {
        if (s == null) {
            return null;
        }
        Matcher m = YEAR.matcher(s);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /** "interne" / "externe" in any case or accent, inside a phrase too; both or neither: unknown (null). */
    static Feuillet1.Diffusion parseDiffusion(String s) {
        if (s == null) {
            return null;
        }
        String f = fold(s).toLowerCase(Locale.ROOT);
        boolean ext = f.contains("extern");
        boolean in = f.contains("intern");
        if (ext == in) {
            return null;
        }
        return ext ? Feuillet1.Diffusion.EXTERNE : Feuillet1.Diffusion.INTERNE;
    }
}
