package fedgate.extract;

import com.fasterxml.jackson.core.JsonGenerator;
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
            if (passed) {
                writeCsv(tmp.resolve(CSV), plan);
                writeJson(tmp.resolve(JSON), spec, plan);
                files.put(CSV, target.resolve(CSV));
                files.put(JSON, target.resolve(JSON));
            }
            writeReportJson(tmp.resolve(REPORT_JSON), spec, plan);
            writeReportMd(tmp.resolve(REPORT_MD), spec, plan);
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

    void writeCsv(Path file, ExtractEngine.Plan plan) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("# " + sourceMention(plan.snapshotDate()) + "\n");
            w.write("indicator;category;level;territory;territory_label;value;status\n");
            for (Cell c : plan.delivered()) {
                w.write(String.join(";", c.indicator(), csvField(c.category()), c.level(), c.territory(),
                        csvField(c.territoryLabel()), formatValue(c), c.status().code()));
                w.write("\n");
            }
        }
    }

    private void metadata(JsonGenerator g, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
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

    void writeJson(Path file, ExtractSpec spec, ExtractEngine.Plan plan) throws IOException {
        try (JsonGenerator g = generator(file)) {
            g.writeStartObject();
            metadata(g, spec, plan);
            g.writeArrayFieldStart("cells");
            for (Cell c : plan.delivered()) {
                g.writeStartObject();
                g.writeStringField("indicator", c.indicator());
                g.writeStringField("category", c.category());
                g.writeStringField("level", c.level());
                g.writeStringField("territory", c.territory());
                g.writeStringField("territory_label", c.territoryLabel());
                g.writeFieldName("value");
                if (c.suppressed()) {
                    g.writeString(SUPPRESSED);
                } else if (c.kind() == CellKind.COUNT || c.kind() == CellKind.QUANTILE) {
                    g.writeNumber((long) c.value());
                } else {
                    g.writeNumber(c.value());
                }
                g.writeStringField("status", c.status().code());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
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
        b.append("5. Audit : pour chaque case masquée, intervalle [min ; max] de sa valeur déductible des cases publiées ; ")
                .append("il doit couvrir au moins ").append(Math.round(policy.protection().relative() * 100))
                .append(" % de la valeur, et au moins ").append(fmt(policy.protection().absoluteCount()))
                .append(" unités (effectifs) ou ").append(fmt(policy.protection().absoluteAmount()))
                .append(" € (montants).\n\n");
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
