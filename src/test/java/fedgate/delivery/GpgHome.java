package fedgate.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The real GnuPG in a throw-away home directory (never the user's keyring). */
final class GpgHome implements AutoCloseable {

    record Result(int exitCode, String status, String stderr) {
    }

    final Path home;

    GpgHome() throws IOException {
        home = Files.createTempDirectory(Path.of("/tmp"), "fgdlv"); // short: gpg-agent socket path limit
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    }

    GpgHome importKey(Path key, Path passFile) throws IOException {
        Result r = passFile == null ? run(List.of("--import", key.toString()))
                : run(List.of("--pinentry-mode", "loopback", "--passphrase-file", passFile.toString(), "--import", key.toString()));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("gpg --import failed: " + r.stderr());
        }
        return this;
    }

    Result run(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--no-tty",
                "--status-fd", "1", "--trust-model", "always"));
        command.addAll(args);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("gpg timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        try {
            new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all").start().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(home)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
