package fedgate.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The real GnuPG, in a throw-away home directory (never the user's keyring). */
final class Gpg implements AutoCloseable {

    record Result(int exitCode, String status, String stderr) {
    }

    final Path home;

    Gpg() throws IOException {
        // short path: gpg-agent's socket path must stay under 108 characters
        home = Files.createTempDirectory(Path.of("/tmp"), "fgpg");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    /** Imports a key file; secret keys are unlocked with {@code passFile}. */
    Gpg importKey(Path keyFile, Path passFile) throws IOException {
        List<String> args = new ArrayList<>(List.of("--import"));
        Result r = passFile == null ? run(args, keyFile.toString()) : runWithPass(passFile, List.of("--import", keyFile.toString()));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("gpg --import failed: " + r.stderr());
        }
        return this;
    }

    Result run(List<String> args, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--no-tty",
                "--status-fd", "1", "--trust-model", "always"));
        command.addAll(args);
        command.addAll(List.of(more));
        return exec(command);
    }

    Result runWithPass(Path passFile, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--pinentry-mode", "loopback", "--passphrase-file", passFile.toString()));
        all.addAll(args);
        return run(all);
    }

    private Result exec(List<String> command) throws IOException {
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("gpg timed out: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        try {
            new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all").start().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(home)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
