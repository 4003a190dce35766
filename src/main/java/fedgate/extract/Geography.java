package fedgate.extract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * The territory tree of extracts: IRIS → commune → EPCI (→ département). IRIS partition the communes that are split
 * into IRIS; a commune without IRIS is its own leaf (INSEE code {@code <commune>0000} in snapshots).
 */
public final class Geography {

    public static final String METROPOLE_ROUEN_RESOURCE = "/fedgate/geography/metropole-rouen.csv";
    public static final String METROPOLE_ROUEN_EPCI = "200023414";
    /** Code of the root of the national geography (level {@link Level#NATIONAL}). */
    public static final String FRANCE = "FR";

    /** Territory codes are digits and upper-case letters only (Corsica: 2A, 2B); anything else is refused unread. */
    private static final Pattern CODE = Pattern.compile("[0-9A-Z]{2,12}");

    private final String name;
    private final Map<Level, Map<String, Territory>> byLevel = new EnumMap<>(Level.class);
    private final Map<String, List<Territory>> children = new LinkedHashMap<>();

    private Geography(String name, List<Territory> territories) {
        this.name = name;
        for (Level l : Level.values()) {
            byLevel.put(l, new LinkedHashMap<>());
        }
        for (Territory t : territories) {
            if (!CODE.matcher(t.code()).matches()) {
                throw new IllegalArgumentException("invalid territory code in geography: " + t.code());
            }
            if (byLevel.get(t.level()).put(t.code(), t) != null) {
                throw new IllegalArgumentException("duplicate territory " + t.level() + " " + t.code());
            }
        }
        for (Territory t : territories) {
            if (t.parent() != null) {
                Territory p = byLevel.get(t.level().parent()).get(t.parent());
                if (p == null) {
                    throw new IllegalArgumentException("territory " + t.code() + " has unknown parent " + t.parent());
                }
                children.computeIfAbsent(key(p), k -> new ArrayList<>()).add(t);
            }
        }
    }

    private static String key(Territory t) {
        return t.level().code() + ":" + t.code();
    }

    public String name() {
        return name;
    }

    /** The default geography: Métropole Rouen Normandie, its 71 communes, Rouen and the larger communes split into IRIS. */
    public static Geography metropoleRouen() {
        try (InputStream in = Geography.class.getResourceAsStream(METROPOLE_ROUEN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("geography missing from classpath: " + METROPOLE_ROUEN_RESOURCE);
            }
            return read("metropole-rouen", in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code level;code;label;parent;population} rows (UTF-8, header line first). */
    public static Geography read(String name, InputStream in) throws IOException {
        List<Territory> list = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("level;code;label;parent;population")) {
            throw new IOException("geography file must start with the header level;code;label;parent;population");
        }
        while ((line = r.readLine()) != null) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(";", -1);
            if (f.length != 5) {
                throw new IOException("geography line with " + f.length + " fields: " + line);
            }
            list.add(new Territory(Level.parse(f[0]), f[1].trim(), f[2].trim(), f[3].isBlank() ? null : f[3].trim(),
                    Long.parseLong(f[4].trim())));
        }
        return new Geography(name, list);
    }

    /**
     * A synthetic national geography, reproducible for a seed: about 96 départements, 35 000 communes grouped into
     * about 1 250 EPCI nested in their département, communes of 10 000 inhabitants or more split into IRIS; about 68
     * million inhabitants. Codes follow INSEE forms (département 2 digits, commune 5, IRIS 9, EPCI 9 digits starting
     * with 200 — no real département is numbered 20, so no EPCI code collides with an IRIS code).
     */
    public static Geography syntheticNational(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Territory> list = new ArrayList<>();
        int epciSerial = 0;
        long nationalPop = 0;
        for (int d = 1; d <= 97; d++) {
            if (d == 20) {
                continue;
            }
            String dep = String.format("%02d", d);
            int nCommunes = 150 + rnd.nextInt(600);
            List<Territory> depCommunes = new ArrayList<>();
            List<Territory> depIris = new ArrayList<>();
            for (int c = 1; c <= nCommunes; c++) {
                String code = dep + String.format("%03d", c);
                long pop;
                if (c == 1) {
                    pop = 40_000 + rnd.nextInt(400_000); // préfecture
                } else {
                    // log-normal, median about 450 inhabitants, heavy upper tail
                    pop = Math.max(30, Math.round(Math.exp(6.1 + 1.25 * gaussian(rnd))));
                    pop = Math.min(pop, 150_000);
                }
                depCommunes.add(new Territory(Level.COMMUNE, code, "Commune " + code, null, pop));
                if (pop >= 10_000) {
                    depIris.addAll(splitIntoIris(code, "Commune " + code, pop, rnd));
                }
            }
            long depPop = 0;
            int i = 0;
            List<Territory> depEpci = new ArrayList<>();
            while (i < depCommunes.size()) {
                int size = Math.min(depCommunes.size() - i, 10 + rnd.nextInt(50));
                if (depCommunes.size() - (i + size) < 10) {
                    size = depCommunes.size() - i;
                }
                epciSerial++;
                String epci = "200" + dep + String.format("%04d", epciSerial % 10_000);
                long epciPop = 0;
                for (int k = i; k < i + size; k++) {
                    Territory t = depCommunes.get(k);
                    list.add(new Territory(Level.COMMUNE, t.code(), t.label(), epci, t.population()));
                    epciPop += t.population();
                }
                depEpci.add(new Territory(Level.EPCI, epci, "EPCI " + epci, dep, epciPop));
                depPop += epciPop;
                i += size;
            }
            list.addAll(depEpci);
            list.addAll(depIris);
            list.add(new Territory(Level.DEPARTEMENT, dep, "Département " + dep, FRANCE, depPop));
            nationalPop += depPop;
        }
        list.add(new Territory(Level.NATIONAL, FRANCE, "France (géographie synthétique)", null, nationalPop));
        return new Geography("national-synthetique-" + seed, list);
    }

    static List<Territory> splitIntoIris(String commune, String label, long pop, SplittableRandom rnd) {
        List<Territory> out = new ArrayList<>();
        int nSmall = pop < 20_000 ? 1 : 2;
        long[] small = new long[nSmall];
        long smallSum = 0;
        for (int k = 0; k < nSmall; k++) {
            small[k] = 60 + rnd.nextInt(360); // IRIS d'activité: few residents
            smallSum += small[k];
        }
        long rest = pop - smallSum;
        int n = (int) Math.max(2, Math.round(rest / 2400.0));
        double[] w = new double[n];
        double ws = 0;
        for (int k = 0; k < n; k++) {
            w[k] = 0.7 + 0.6 * rnd.nextDouble();
            ws += w[k];
        }
        long assigned = 0;
        for (int k = 0; k < n + nSmall; k++) {
            long s;
            if (k < n) {
                s = k == n - 1 ? rest - assigned : (long) (rest * w[k] / ws);
                assigned += s;
            } else {
                s = small[k - n];
            }
            String num = String.format("%02d%02d", 1 + k / 20, k % 20 + 1);
            out.add(new Territory(Level.IRIS, commune + num, label + " — IRIS " + num, commune, s));
        }
        return out;
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Is this a syntactically valid territory code? Checked before any lookup; never reaches SQL unchecked. */
    public static boolean wellFormedCode(String code) {
        return code != null && CODE.matcher(code).matches();
    }

    public Optional<Territory> find(Level level, String code) {
        return Optional.ofNullable(byLevel.get(level).get(code));
    }

    /** Finds a code at any level, coarsest first (a code names one territory in a geography). */
    public Optional<Territory> find(String code) {
        if (!wellFormedCode(code)) {
            return Optional.empty();
        }
        for (int i = Level.values().length - 1; i >= 0; i--) {
            Territory t = byLevel.get(Level.values()[i]).get(code);
            if (t != null) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public List<Territory> at(Level level) {
        return List.copyOf(byLevel.get(level).values());
    }

    public boolean hasLevel(Level level) {
        return !byLevel.get(level).isEmpty();
    }

    public List<Territory> children(Territory t) {
        return Collections.unmodifiableList(children.getOrDefault(key(t), List.of()));
    }

    public Optional<Territory> parent(Territory t) {
        return t.parent() == null ? Optional.empty() : find(t.level().parent(), t.parent());
    }

    /** The ancestor of {@code t} at {@code level} (t itself at its own level), if any. */
    public Optional<Territory> ancestorAt(Territory t, Level level) {
        Territory cur = t;
        while (cur != null && cur.level().ordinal() < level.ordinal()) {
            cur = parent(cur).orElse(null);
        }
        return cur != null && cur.level() == level ? Optional.of(cur) : Optional.empty();
    }

    /** All territories of {@code level} inside {@code root} (root itself if same level). */
    public List<Territory> descendantsAt(Territory root, Level level) {
        List<Territory> out = new ArrayList<>();
        collect(root, level, out);
        return out;
    }

    private void collect(Territory t, Level level, List<Territory> out) {
        if (t.level() == level) {
            out.add(t);
        } else if (t.level().ordinal() > level.ordinal()) {
            for (Territory c : children(t)) {
                collect(c, level, out);
            }
        }
    }

    /** Leaf units of the snapshot: the IRIS of split communes, and each unsplit commune as {@code <code>0000}. */
    public List<Territory> leafUnits() {
        List<Territory> out = new ArrayList<>();
        for (Territory c : byLevel.get(Level.COMMUNE).values()) {
            List<Territory> iris = children(c);
            if (iris.isEmpty()) {
                out.add(new Territory(Level.IRIS, c.code() + "0000", c.label(), c.code(), c.population()));
            } else {
                out.addAll(iris);
            }
        }
        return out;
    }

    public int size() {
        return byLevel.values().stream().mapToInt(Map::size).sum();
    }
}
