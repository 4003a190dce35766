package fedgate.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ExtractCommandTest {

    @TempDir
    Path tmp;

    @Test
    void generateThenExtractFromTheCommandLine() throws Exception {
        Path snap = tmp.resolve("snap.parquet");
        int gen = new CommandLine(new DataCommand()).execute("generate", "--households", "100000", "--year", "2023",
                "--seed", "7", "--out", snap.toString());
        assertThat(gen).isZero();
        assertThat(snap).exists();
        Path out = tmp.resolve("extract");
        int rc = new CommandLine(new ExtractCommand()).execute("--snapshot", snap.toString(), "--indicators",
                "ALLOC,AL,REV_UC_DECILE", "--territory", "76540", "--levels", "commune,epci", "--request",
                "FED-2026-000001", "--out", out.toString());
        assertThat(rc).isZero();
        assertThat(Files.readAllLines(out.resolve("extract.csv")).get(0)).isEqualTo("# Source : CAF de Rouen — 31/12/2023");
        assertThat(Files.readString(out.resolve("extract.json"))).contains("\"requestId\" : \"FED-2026-000001\"");
    }

    @Test
    void unknownTerritoryFailsWithoutOutput() {
        Path out = tmp.resolve("x");
        int rc = new CommandLine(new ExtractCommand()).execute("--snapshot", tmp.resolve("none.parquet").toString(),
                "--territory", "99999", "--out", out.toString());
        assertThat(rc).isNotZero();
        assertThat(out).doesNotExist();
    }
}
