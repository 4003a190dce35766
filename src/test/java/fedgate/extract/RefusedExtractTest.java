package fedgate.extract;

import fedgate.disclosure.DisclosurePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** An extract failing the audit is refused: reports only, no deliverable file. */
class RefusedExtractTest {

    @TempDir
    Path tmp;

    @Test
    void auditFailureLeavesNoExtractBehind() throws Exception {
        DisclosurePolicy unreachable;
        try (InputStream in = getClass().getResourceAsStream("/fedgate/policy-unreachable.json")) {
            unreachable = DisclosurePolicy.read(in);
        }
        ExtractEngine engine = new ExtractEngine(Geography.metropoleRouen(), IndicatorCatalogue.load(), unreachable);
        Path out = tmp.resolve("refused");
        ExtractResult r = engine.run(new ExtractSpec(SampleSnapshot.get(), List.of("socle"), "200023414",
                EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI), Optional.empty(), out));
        assertThat(r.auditPassed()).isFalse();
        assertThat(r.delivered()).isFalse();
        assertThat(out.resolve("extract.csv")).doesNotExist();
        assertThat(out.resolve("extract.json")).doesNotExist();
        assertThat(Files.readString(out.resolve("disclosure-report.md"))).contains("extraction refusée");
        assertThat(Files.readString(out.resolve("disclosure-report.json"))).contains("\"decision\" : \"refused\"");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("refused"); // no temp dir left
        }
    }
}
