package fedgate.validation;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** DESIGN.md: domain packages never import Camel, so they stay unit-testable alone and routes stay thin. */
class DomainHasNoCamelTest {

    @Test
    void partnerAndValidationDoNotImportCamel() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src/main/java/fedgate/partner")),
                Files.walk(Path.of("src/main/java/fedgate/validation")))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).hasSizeGreaterThan(8);
        for (Path p : sources) {
            assertThat(Files.readString(p)).as(p.toString()).doesNotContain("org.apache.camel");
        }
    }
}
