package fedgate.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The real GnuPG signing as a partner would, with the sample secret keys, in a throw-away home. */
final class GpgSigner implements AutoCloseable {

    static final Path PGP = GatewayFixture.SAMPLE.resolve("pgp");
    private final Path home;

    GpgSigner() throws IOException {
        home = Files.createTempDirectory(Path.of("/tmp"), "fgsig"); // gpg-agent's socket path stays short
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (String key : List.of("ville-rouen", "caf-rouen")) {
            gpg(key, "--import", PGP.resolve(key + ".sec.asc").toString());
        }
    }

    /** {@code gpg --sign} (armored or binary) with the sample key {@code key} ("ville-rouen" or "caf-rouen"). */
    byte[] sign(String key, byte[] data, boolean armor) throws IOException {
        return run(key, data, armor ? List.of("--armor", "--sign") : List.of("--sign"));
    }

    /** {@code gpg --compress-algo none --sign} (binary): the signed bytes appear as they are in the message. */
    byte[] signUncompressed(String key, byte[] data) throws IOException {
        return run(key, data, List.of("--compress-algo", "none", "--sign"));
    }

    /** {@code gpg --armor --detach-sign}, as a PGP/MIME mail client signs the first part. */
    byte[] detachSign(String key, byte[] data) throws IOException {
        return run(key, data, List.of("--armor", "--detach-sign", "--digest-algo", "SHA256"));
    }

    /** {@code gpg --clearsign} ("inline PGP" in a mail body): the text, then its armored signature. */
    byte[] clearSign(String key, byte[] text) throws IOException {
        return run(key, text, List.of("--clearsign", "--digest-algo", "SHA256"));
    }

    private synchronized byte[] run(String key, byte[] data, List<String> op) throws IOException {
        Path in = Files.createTempFile(home, "in", ".bin");
        Path out = home.resolve("out-" + java.util.UUID.randomUUID());
        Files.write(in, data);
        List<String> args = new ArrayList<>(List.of("--local-user", fingerprint(key), "--output", out.toString()));
        args.addAll(op);
        args.add(in.toString());
        gpg(key, args.toArray(String[]::new));
        return Files.readAllBytes(out);
    }

    private static String fingerprint(String key) {
        return key.equals("ville-rouen") ? "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406" : "FC9E95962F83426053AE8D594A44F6A0F6937519";
    }

    private void gpg(String key, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--no-tty",
                "--pinentry-mode", "loopback", "--passphrase-file", PGP.resolve(key + ".pass").toString(),
                "--trust-model", "always"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("gpg " + String.join(" ", args) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all").start().waitFor(10,
                    TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(home)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
