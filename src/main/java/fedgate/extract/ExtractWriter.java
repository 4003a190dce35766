package fedgate.extract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import fedgate.disclosure.Cell;
import fedgate.disclosure.CellKind;
import fedgate.disclosure.CellStatus;
import fedgate.disclosure.DisclosurePolicy;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes one extract directory. Everything is written to a hidden sibling directory first and moved into place
 * only when complete, so a reader never sees a partial extract. An extract whose audit failed gets the disclosure
 * reports only: no {@code extract.csv} / {@code extract.json} is ever written for it.
 *
 * <p>Only aggregate fields of a {@link Cell} are written (rule 6); the snapshot's columns never reach this class.
 */
final class ExtractWriter {

    static final String CSV = "extract.csv";
    static final String JSON = "extract.json";
    static final String REPORT_JSON = "disclosure-report.json";
    static final String REPORT_MD = "disclosure-report.md";
    static final String SUPPRESSED = "s";
    private static final DateTimeFormatter FR_DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");

    private final IndicatorCatalogue catalogue;
    private final DisclosurePolicy policy;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    ExtractWriter(IndicatorCatalogue catalogue, DisclosurePolicy policy) {
        this.catalogue = catalogue;
        this.policy = policy;
    }

    static void checkOutputDir(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        if (Files.exists(d)) {
            if (!Files.isDirectory(d)) {
                throw new IllegalArgumentException("output exists and is not a directory: " + d);
            }
            try (Stream<Path> s = Files.list(d)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("output directory is not empty: " + d);
                }
            }
        }
    }

    static String sourceMention(LocalDate snapshotDate) {
        return "Source : CAF de Rouen — " + (snapshotDate == null ? "date inconnue" : FR_DATE.format(snapshotDate));
    }

    Map<String, Path> write(ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        Path target = spec.outputDir().toAbsolutePath().normalize();
        checkOutputDir(target);
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createDirectory(parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID()));
        boolean passed = plan.outcome().auditPassed();
        Map<String, Path> files = new LinkedHashMap<>();
        try {
            FileTask reports = () -> {
                writeReportJson(tmp.resolve(REPORT_JSON), spec, plan);
                writeReportMd(tmp.resolve(REPORT_MD), spec, plan);
            };
            if (passed) {
                // the reports at the same time as the two data files
                inParallel(() -> writeCsv(tmp.resolve(CSV), plan), () -> writeJson(tmp.resolve(JSON), spec, plan),
                        reports);
                files.put(CSV, target.resolve(CSV));
                files.put(JSON, target.resolve(JSON));
            } else {
                reports.run();
            }
            files.put(REPORT_JSON, target.resolve(REPORT_JSON));
            files.put(REPORT_MD, target.resolve(REPORT_MD));
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty, checked above
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                try (Stream<Path> s = Files.walk(tmp)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        return files;
    }

    /** French decimal comma, no grouping: counts and quantiles as integers, amounts to the cent, rates to 0.1. */
    static String formatValue(Cell c) {
        if (c.suppressed()) {
            return SUPPRESSED;
        }
        return switch (c.kind()) {
            case COUNT, QUANTILE -> Long.toString(Math.round(c.value()));
            case AMOUNT -> fixed(c.value(), 2);
            case RATE, SHARE -> fixed(c.value(), 1);
        };
    }

    /** {@code v} rounded half-up to {@code decimals} (1 or 2) with a decimal comma; cheaper than DecimalFormat. */
    static String fixed(double v, int decimals) {
        long scale = decimals == 1 ? 10 : 100;
        long units = Math.round(Math.abs(v) * scale);
        String frac = Long.toString(units % scale);
        if (frac.length() < decimals) {
            frac = "0" + frac;
        }
        return (v < 0 && units != 0 ? "-" : "") + (units / scale) + "," + frac;
    }

    private static Object jsonValue(Cell c) {
        if (c.suppressed()) {
            return SUPPRESSED;
        }
        return c.kind() == CellKind.COUNT || c.kind() == CellKind.QUANTILE ? (Object) (long) c.value() : c.value();
    }

    private static String csvField(String s) {
        if (s.contains(";") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** A file to write. */
    interface FileTask {
        void run() throws IOException;
    }

    /**
     * {@code extract.csv} on the calling thread and {@code extract.json} on another, at the same time (both only read
     * the cells; at national scale each is a few hundred MB).
     */
    void writeCsvAndJson(Path csv, Path json, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        inParallel(() -> writeCsv(csv, plan), () -> writeJson(json, spec, plan));
    }

    /**
     * Runs the first task on the calling thread and each other one on a thread of its own, at the same time (they
     * only read the cells); returns when all are done, throwing the first failure (an Error of another thread too).
     */
    static void inParallel(FileTask first, FileTask... others) throws IOException {
        Object[] failures = new Object[others.length];
        Thread[] threads = new Thread[others.length];
        for (int i = 0; i < others.length; i++) {
            int k = i;
            threads[i] = new Thread(() -> {
                try {
                    others[k].run();
                } catch (IOException | RuntimeException | Error e) {
                    failures[k] = e;
                }
            }, "extract-writer-" + (i + 1));
            threads[i].setDaemon(true);
            threads[i].start();
        }
        try {
            first.run();
        } finally {
            for (Thread t : threads) {
                Threads.join(t);
            }
        }
        for (Object f : failures) {
            if (f instanceof IOException e) {
                throw e;
            }
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e; // e.g. out of memory in a writer: its file is incomplete, the extract must not be moved in place
            }
        }
    }

    void writeCsv(Path file, ExtractEngine.Plan plan) throws IOException {
        try {
            writeCsvBytes(file, plan);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void writeCsvBytes(Path file, ExtractEngine.Plan plan) throws IOException {
        Fragments cells = new Fragments();
        try (ByteSink out = new ByteSink(file)) {
            out.write(utf8("# " + sourceMention(plan.snapshotDate()) + "\n"
                    + "indicator;category;level;territory;territory_label;value;status\n"));
            for (Cell c : plan.delivered()) {
                out.write(cells.head(c, () -> c.indicator() + ";" + csvField(c.category()) + ";"));
                out.write(cells.territory(c, () -> c.level() + ";" + c.territory() + ";"
                        + csvField(c.territoryLabel()) + ";"));
                out.writeAscii(formatValue(c));
                out.write(cells.status(c, () -> ";" + c.status().code() + "\n"));
            }
        }
    }

    void metadata(JsonGenerator g, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        g.writeStringField("requestId", spec.requestId().orElse(null));
        g.writeStringField("source", sourceMention(plan.snapshotDate()));
        g.writeObjectFieldStart("snapshot");
        g.writeStringField("file", spec.snapshot().getFileName().toString());
        g.writeStringField("date", plan.snapshotDate() == null ? null : plan.snapshotDate().toString());
        g.writeEndObject();
        g.writeStringField("policyVersion", policy.version());
        g.writeStringField("catalogueVersion", catalogue.version());
        g.writeStringField("territory", plan.territory().code());
        g.writeStringField("territoryLabel", plan.territory().label());
        g.writeArrayFieldStart("levels");
        for (Level l : plan.levels().stream().sorted().toList()) {
            g.writeString(l.code());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("indicators");
        for (IndicatorCatalogue.Indicator i : plan.indicators()) {
            g.writeString(i.code());
        }
        g.writeEndArray();
    }

    /** Streamed (Jackson generator): a national extract holds millions of cells, never built as a tree. */
    private JsonGenerator generator(Path file) throws IOException {
        return json.getFactory().createGenerator(Files.newBufferedWriter(file, StandardCharsets.UTF_8))
                .useDefaultPrettyPrinter();
    }

    /**
     * Streamed: a national extract holds millions of cells, never built as a tree. The document around the cells
     * (metadata, then {@code "cells" : [}, and the closing {@code ]} and {@code }}) is Jackson's, with its default
     * pretty printer; each cell is written as that printer writes it, from byte fragments rendered once per indicator
     * and category, per territory and per status (a territory's fragment serves every indicator), so the bytes are
     * the same as Jackson's, cell by cell ({@code ExtractWriterBytesTest}).
     */
    void writeJson(Path file, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        try {
            writeJsonBytes(file, spec, plan);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void writeJsonBytes(Path file, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        java.io.StringWriter around = new java.io.StringWriter();
        try (JsonGenerator g = json.getFactory().createGenerator(around).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            metadata(g, spec, plan);
            g.writeArrayFieldStart("cells");
            g.writeEndArray();
            g.writeEndObject();
        }
        String doc = around.toString();
        String open = "\"cells\" : [";
        int cut = doc.lastIndexOf(open) + open.length();
        Fragments cells = new Fragments();
        try (ByteSink out = new ByteSink(file)) {
            out.write(utf8(doc.substring(0, cut)));
            boolean first = true;
            for (Cell c : plan.delivered()) {
                out.write(first ? CELL_FIRST : CELL_NEXT);
                first = false;
                out.write(cells.head(c, () -> "\n    \"indicator\" : " + jsonString(c.indicator())
                        + ",\n    \"category\" : " + jsonString(c.category())));
                out.write(cells.territory(c, () -> ",\n    \"level\" : " + jsonString(c.level())
                        + ",\n    \"territory\" : " + jsonString(c.territory())
                        + ",\n    \"territory_label\" : " + jsonString(c.territoryLabel()) + ",\n    \"value\" : "));
                if (c.suppressed()) {
                    out.write(SUPPRESSED_JSON);
                } else if (c.kind() == CellKind.COUNT || c.kind() == CellKind.QUANTILE) {
                    out.writeAscii(Long.toString((long) c.value()));
                } else if (Double.isFinite(c.value())) {
                    out.writeAscii(Double.toString(c.value()));
                } else {
                    out.writeAscii("\"" + c.value() + "\""); // Jackson writes non-finite numbers as strings
                }
                out.write(cells.status(c, () -> ",\n    \"status\" : " + jsonString(c.status().code()) + "\n  }"));
            }
            out.write(utf8(doc.substring(cut)));
        }
    }

    private static final byte[] CELL_FIRST = utf8(" {");
    private static final byte[] CELL_NEXT = utf8(", {");
    private static final byte[] SUPPRESSED_JSON = utf8("\"" + SUPPRESSED + "\"");

    /** UTF-8, refusing malformed text (a lone surrogate) as the former {@code Files.newBufferedWriter} did. */
    private static byte[] utf8(String s) {
        try {
            java.nio.ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A JSON string literal as Jackson's generator writes it (same escapes), quotes included. */
    private static String jsonString(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    /**
     * Byte fragments of the cells being written, rendered once: per indicator and category, per level and territory
     * (checked against the cell's label, so a territory with two labels is never written with the wrong one), per
     * status.
     */
    private static final class Fragments {
        private final Map<String, Map<String, byte[]>> heads = new HashMap<>();
        private final Map<String, Map<String, Territory>> territories = new HashMap<>();
        /** Territories in the order they were first met: the next cell's is usually the one after the last one's. */
        private final List<Territory> sequence = new java.util.ArrayList<>();
        private final Map<CellStatus, byte[]> statuses = new EnumMap<>(CellStatus.class);
        private int next;
        private String lastIndicator;
        private Map<String, byte[]> lastHeads;

        private record Territory(String level, String code, String label, byte[] bytes, int index) {
            boolean of(Cell c) {
                return level == c.level() && code == c.territory() && label == c.territoryLabel();
            }
        }

        byte[] head(Cell c, java.util.function.Supplier<String> render) {
            if (c.indicator() != lastIndicator) {
                lastIndicator = c.indicator();
                lastHeads = heads.computeIfAbsent(c.indicator(), k -> new HashMap<>());
            }
            byte[] b = lastHeads.get(c.category());
            if (b == null) {
                b = utf8(render.get());
                lastHeads.put(c.category(), b);
            }
            return b;
        }

        byte[] territory(Cell c, java.util.function.Supplier<String> render) {
            // cells come by indicator, then territory: each indicator walks the territories in the same order, so
            // the expected fragment is found by reference comparison, without hashing
            Territory t = null;
            if (next > 0 && sequence.get(next - 1).of(c)) {
                t = sequence.get(next - 1); // another cell of the same territory
            } else if (next < sequence.size() && sequence.get(next).of(c)) {
                t = sequence.get(next);
            } else {
                Map<String, Territory> ofLevel = territories.computeIfAbsent(c.level(), k -> new HashMap<>());
                t = ofLevel.get(c.territory());
                if (t == null || !t.label().equals(c.territoryLabel())) {
                    t = new Territory(c.level(), c.territory(), c.territoryLabel(), utf8(render.get()),
                            sequence.size());
                    sequence.add(t);
                    ofLevel.put(c.territory(), t);
                }
            }
            next = t.index() + 1;
            return t.bytes();
        }

        byte[] status(Cell c, java.util.function.Supplier<String> render) {
            return statuses.computeIfAbsent(c.status(), k -> utf8(render.get()));
        }
    }

    /** A buffered byte output that writes ASCII strings without an encoder. */
    private static final class ByteSink implements AutoCloseable {
        private final java.io.OutputStream out;
        private final byte[] buf = new byte[1 << 16];
        private int n;

        ByteSink(Path file) throws IOException {
            this.out = Files.newOutputStream(file);
        }

        void write(byte[] b) throws IOException {
            if (b.length > buf.length - n) {
                flush();
                if (b.length > buf.length) {
                    out.write(b);
                    return;
                }
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        /** {@code s} holds ASCII characters only (numbers, {@code s}). */
        void writeAscii(String s) throws IOException {
            int len = s.length();
            if (len > buf.length - n) {
                flush();
                if (len > buf.length) {
                    out.write(utf8(s));
                    return;
                }
            }
            for (int i = 0; i < len; i++) {
                buf[n++] = (byte) s.charAt(i);
            }
        }

        private void flush() throws IOException {
            out.write(buf, 0, n);
            n = 0;
        }

        @Override
        public void close() throws IOException {
            try (out) {
                flush();
            }
        }
    }

    private Map<CellStatus, Long> counts(List<Cell> cells) {
        Map<CellStatus, Long> m = new EnumMap<>(CellStatus.class);
        for (CellStatus s : CellStatus.values()) {
            m.put(s, cells.stream().filter(c -> c.status() == s).count());
        }
        return m;
    }

    private void writeReportJson(Path file, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        boolean passed = plan.outcome().auditPassed();
        try (JsonGenerator g = generator(file)) {
            g.writeStartObject();
            metadata(g, spec, plan);
            g.writeStringField("decision", passed ? "delivered" : "refused");
            g.writeObjectFieldStart("audit");
            g.writeBooleanField("passed", passed);
            g.writeStringField("method", "linear programming (ojAlgo), min and max of each suppressed additive cell");
            g.writeNumberField("protectionRelative", policy.protection().relative());
            g.writeNumberField("protectionAbsoluteCount", policy.protection().absoluteCount());
            g.writeNumberField("protectionAbsoluteAmount", policy.protection().absoluteAmount());
            g.writeNumberField("secondaryProtectionAbsoluteCount", policy.secondaryProtection().absoluteCount());
            g.writeNumberField("secondaryProtectionAbsoluteAmount", policy.secondaryProtection().absoluteAmount());
            g.writeNumberField("tableCells", plan.table().cells().size());
            g.writeNumberField("tableSuppressed", plan.outcome().suppressed());
            g.writeNumberField("components", plan.outcome().audit().components());
            g.writeNumberField("largestComponent", plan.outcome().audit().largestComponent());
            g.writeNumberField("cappedComponents", plan.outcome().audit().cappedComponents());
            g.writeNumberField("failures", plan.outcome().audit().failures().size());
            g.writeEndObject();
            g.writeObjectFieldStart("counts");
            for (Map.Entry<CellStatus, Long> e : counts(plan.delivered()).entrySet()) {
                g.writeNumberField(e.getKey().code(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("suppressed");
            for (Cell c : plan.delivered()) {
                if (!c.suppressed()) {
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("indicator", c.indicator());
                g.writeStringField("category", c.category());
                g.writeStringField("level", c.level());
                g.writeStringField("territory", c.territory());
                g.writeStringField("rule", c.status().code());
                // the interval is what the published figures allow anyone to infer; the value itself is never written
                g.writeFieldName("interval");
                if (c.auditLow() != null) {
                    g.writeStartArray();
                    g.writeNumber(round2(c.auditLow()));
                    if (c.auditHigh().isInfinite()) {
                        g.writeNull();
                    } else {
                        g.writeNumber(round2(c.auditHigh()));
                    }
                    g.writeEndArray();
                    if (!c.auditExact()) {
                        // proven by LP solutions or audited on a capped block: the attacker's interval contains this one
                        g.writeBooleanField("intervalIsLowerBound", true);
                    }
                } else {
                    g.writeNull();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static double round2(double d) {
        return Math.round(d * 100) / 100.0;
    }

    private void writeReportMd(Path file, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        boolean passed = plan.outcome().auditPassed();
        Map<CellStatus, Long> counts = counts(plan.delivered());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        StringBuilder b = new StringBuilder();
        b.append("# Rapport de secret statistique\n\n");
        b.append("- ").append(sourceMention(plan.snapshotDate())).append('\n');
        if (spec.requestId().isPresent()) {
            b.append("- Demande : ").append(spec.requestId().get()).append('\n');
        }
        b.append("- Territoire : ").append(plan.territory().label()).append(" (").append(plan.territory().code())
                .append(")\n");
        b.append("- Niveaux : ").append(String.join(", ", plan.levels().stream().sorted()
                .map(Level::frenchLabel).toList())).append('\n');
        b.append("- Politique de secret : version ").append(policy.version())
                .append(" ; catalogue des indicateurs : version ").append(catalogue.version()).append('\n');
        b.append("- Décision : ").append(passed ? "**extraction livrable** — l'audit par programmation linéaire est satisfait"
                : "**extraction refusée** — l'audit par programmation linéaire a trouvé des cases recalculables ; aucune donnée n'est livrée").append("\n\n");
        b.append("## Règles appliquées\n\n");
        b.append("1. Territoire : aucune information sur un territoire infra-communal de moins de ")
                .append(policy.territoryMinAllocataires()).append(" allocataires (convention, Art. 2).\n");
        b.append("2. Fréquence : effectifs de 1 à ").append(policy.frequencyThreshold() - 1)
                .append(" masqués ; taux et parts sur moins de ").append(policy.ratioMinPopulation())
                .append(" foyers masqués ; déciles de revenu sur moins de ").append(policy.quantileMinPopulation())
                .append(" foyers masqués.\n");
        b.append("3. Dominance : montant dont un seul foyer représente plus de ")
                .append(Math.round(policy.dominanceShare() * 100)).append(" % masqué.\n");
        b.append("4. Secret secondaire : cases supplémentaires masquées pour qu'aucune case masquée ne puisse être recalculée.\n");
        b.append("5. Audit : pour chaque case masquée, intervalle [min ; max] de sa valeur déductible des cases publiées. ")
                .append("Pour une case masquée par les règles 1 à 3, il doit couvrir au moins ")
                .append(Math.round(policy.protection().relative() * 100))
                .append(" % de la valeur, et au moins ").append(fmt(policy.protection().absoluteCount()))
                .append(" unités (effectifs) ou ").append(fmt(policy.protection().absoluteAmount()))
                .append(" € (montants) ; une case de secret secondaire ne doit pas être recalculable : au moins ")
                .append(fmt(policy.secondaryProtection().absoluteCount())).append(" unité (effectifs) ou ")
                .append(fmt(policy.secondaryProtection().absoluteAmount())).append(" € (montants).\n\n");
        b.append("## Cases par statut\n\n| statut | cases |\n|---|---:|\n");
        for (Map.Entry<CellStatus, Long> e : counts.entrySet()) {
            b.append("| ").append(e.getKey().code()).append(" | ").append(String.valueOf(e.getValue())).append(" |\n");
        }
        b.append("\n## Cases masquées\n\n");
        b.append("| indicateur | catégorie | niveau | territoire | motif | intervalle audité |\n|---|---|---|---|---|---|\n");
        for (Cell c : plan.delivered()) {
            if (!c.suppressed()) {
                continue;
            }
            String iv = c.auditLow() == null ? "non additif (masqué par la règle)"
                    : "[" + fmt(c.auditLow()) + " ; " + (c.auditHigh().isInfinite() ? "+∞" : fmt(c.auditHigh())) + "]"
                    + (c.auditExact() ? "" : " (au moins : intervalle réel au moins aussi large)");
            if (b.length() > 1 << 16) {
                w.append(b);
                b.setLength(0);
            }
            b.append("| ").append(c.indicator()).append(" | ").append(c.category()).append(" | ").append(c.level())
                    .append(" | ").append(c.territoryLabel().replace("|", "/")).append(" (").append(c.territory())
                    .append(") | ").append(c.status().frenchMotif()).append(" | ").append(iv).append(" |\n");
        }
        w.append(b);
        }
    }

    private static final ThreadLocal<DecimalFormat> FMT = ThreadLocal.withInitial(() -> {
        DecimalFormatSymbols fr = DecimalFormatSymbols.getInstance(Locale.FRANCE);
        fr.setDecimalSeparator(',');
        fr.setGroupingSeparator(' ');
        return new DecimalFormat("#,##0.##", fr);
    });

    private static String fmt(double d) {
        return FMT.get().format(d);
    }
}
