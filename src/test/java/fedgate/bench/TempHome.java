package fedgate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A benchmark's temporary home, deleted when the run ends (a gigabyte or two each) unless -Dbench.keep=true. */
final class TempHome {

    private TempHome() {
    }

    static void delete(Path home) {
        if (Boolean.getBoolean("bench.keep")) {
            System.out.println("home kept (-Dbench.keep=true): " + home);
            return;
        }
        try (Stream<Path> all = Files.walk(home)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark home " + home, e);
        }
    }
}
