package fedgate.extract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import fedgate.disclosure.Cell;
import fedgate.disclosure.CellKind;
import fedgate.disclosure.CellStatus;
import fedgate.disclosure.DisclosureControl;
import fedgate.disclosure.DisclosurePolicy;
import fedgate.disclosure.DisclosureTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code extract.csv} and {@code extract.json}, written from cached byte fragments, are byte for byte what the former
 * writers produced ({@code String.join} per CSV line, Jackson's generator with its default pretty printer for every
 * JSON cell; kept here as the reference): on the sample extract, and on awkward labels and values.
 */
class ExtractWriterBytesTest {

    @TempDir
    Path tmp;

    @Test
    void sampleExtractSameBytesAsTheReferenceWriters() throws Exception {
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        EnumSet<Level> levels = EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI);
        ExtractEngine.Plan plan = engine.plan(SampleSnapshot.get(), List.of("socle"), "200023414", levels);
        assertThat(plan.delivered().stream().filter(Cell::suppressed).count()).isPositive();
        compare(engine, plan, new ExtractSpec(SampleSnapshot.get(), List.of("socle"), "200023414", levels,
                Optional.of("FED-2026-000123"), tmp.resolve("unused")));
    }

    @Test
    void awkwardLabelsAndValuesSameBytesAsTheReferenceWriters() throws Exception {
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        DisclosureTable t = new DisclosureTable();
        String[] labels = {"Rouen", "Saint-Étienne-du-Rouvray", "a;b", "quote \" inside", "new\nline", "tab\there",
                "ctrl \u0001\u001f", "back\\slash", "emoji \uD83D\uDE00", "", "ünï ☃ ½"};
        double[] values = {0, -0.0, 1.0E7, 10070788.8, 0.1, -3.25, 123456789.123, Double.NaN,
                Double.POSITIVE_INFINITY, 1e-5, 42, 7.5};
        CellKind[] kinds = CellKind.values();
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            for (int k = 0; k < kinds.length; k++) {
                String code = String.format("%05d", i);
                Cell c = t.add(new Cell(t.nextId(), k % 2 == 0 ? "ALLOC" : "AL_MONTANT", k == 0 ? Cell.ENSEMBLE
                        : "cat;\"" + k, i % 2 == 0 ? "commune" : "iris", code, labels[i], kinds[k],
                        values[(i + k) % values.length], false, 100, 100, -1, 0));
                if ((i + k) % 5 == 0) {
                    DisclosureControl.suppress(c, CellStatus.values()[1 + (i + k) % (CellStatus.values().length - 1)]);
                }
                cells.add(c);
            }
        }
        // the same territory code again under another label: never written with the first one's
        cells.add(t.add(new Cell(t.nextId(), "ALLOC", Cell.ENSEMBLE, "commune", "00000", "another label",
                CellKind.COUNT, 5, false, 100, 100, -1, 0)));
        Territory root = engine.geography().find("200023414").orElseThrow();
        ExtractEngine.Plan plan = new ExtractEngine.Plan(engine.catalogue().socle(), root, Set.of(Level.COMMUNE), t,
                cells, null, LocalDate.of(2024, 12, 31), 0, 0);
        compare(engine, plan, new ExtractSpec(Path.of("x.parquet"), List.of(), "200023414", Set.of(Level.COMMUNE),
                Optional.empty(), tmp.resolve("unused")));
        // malformed text is refused, as before
        Cell lone = t.add(new Cell(t.nextId(), "ALLOC", Cell.ENSEMBLE, "commune", "99999", "lone \uD800 surrogate",
                CellKind.COUNT, 5, false, 100, 100, -1, 0));
        ExtractEngine.Plan malformed = new ExtractEngine.Plan(List.of(), root, Set.of(Level.COMMUNE), t, List.of(lone),
                null, null, 0, 0);
        ExtractWriter w = new ExtractWriter(engine.catalogue(), engine.policy());
        ExtractSpec spec = new ExtractSpec(Path.of("x.parquet"), List.of(), "200023414", Set.of(Level.COMMUNE),
                Optional.empty(), tmp.resolve("unused"));
        assertThatThrownBy(() -> referenceCsv(tmp.resolve("m0.csv"), malformed))
                .isInstanceOf(java.nio.charset.CharacterCodingException.class);
        assertThatThrownBy(() -> w.writeCsv(tmp.resolve("m.csv"), malformed))
                .isInstanceOf(java.nio.charset.CharacterCodingException.class);
        assertThatThrownBy(() -> w.writeJson(tmp.resolve("m.json"), spec, malformed))
                .isInstanceOf(java.nio.charset.CharacterCodingException.class);
        ExtractEngine.Plan empty = new ExtractEngine.Plan(List.of(), root, Set.of(Level.COMMUNE), t, List.of(), null,
                null, 0, 0);
        compare(engine, empty, new ExtractSpec(Path.of("x.parquet"), List.of(), "200023414", Set.of(Level.COMMUNE),
                Optional.empty(), tmp.resolve("unused")));
    }

    private void compare(ExtractEngine engine, ExtractEngine.Plan plan, ExtractSpec spec) throws IOException {
        ExtractWriter w = new ExtractWriter(engine.catalogue(), engine.policy());
        Path dir = Files.createTempDirectory(tmp, "w");
        w.writeCsv(dir.resolve("new.csv"), plan);
        w.writeJson(dir.resolve("new.json"), spec, plan);
        referenceCsv(dir.resolve("ref.csv"), plan);
        referenceJson(w, dir.resolve("ref.json"), spec, plan);
        assertThat(Files.readAllBytes(dir.resolve("new.csv"))).isEqualTo(Files.readAllBytes(dir.resolve("ref.csv")));
        assertThat(Files.readString(dir.resolve("new.json"))).isEqualTo(Files.readString(dir.resolve("ref.json")));
        assertThat(Files.readAllBytes(dir.resolve("new.json"))).isEqualTo(Files.readAllBytes(dir.resolve("ref.json")));
    }

    /** The former CSV writer. */
    private static void referenceCsv(Path file, ExtractEngine.Plan plan) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("# " + ExtractWriter.sourceMention(plan.snapshotDate()) + "\n");
            w.write("indicator;category;level;territory;territory_label;value;status\n");
            for (Cell c : plan.delivered()) {
                w.write(String.join(";", c.indicator(), csvField(c.category()), c.level(), c.territory(),
                        csvField(c.territoryLabel()), ExtractWriter.formatValue(c), c.status().code()));
                w.write("\n");
            }
        }
    }

    private static String csvField(String s) {
        if (s.contains(";") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /** The former JSON writer: every cell through Jackson's generator. */
    private static void referenceJson(ExtractWriter writer, Path file, ExtractSpec spec, ExtractEngine.Plan plan)
            throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (JsonGenerator g = json.getFactory().createGenerator(Files.newBufferedWriter(file, StandardCharsets.UTF_8))
                .useDefaultPrettyPrinter()) {
            g.writeStartObject();
            writer.metadata(g, spec, plan);
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
                    g.writeString(ExtractWriter.SUPPRESSED);
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
}
