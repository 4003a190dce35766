package fedgate.app.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** An SFTP drop-box on an ephemeral port for {@code ville-rouen}, driven by the real OpenSSH client. */
final class SftpTestSupport implements AutoCloseable {

    static final String ROUEN = "ville-rouen";
    static final Path SAMPLE_SSH = Path.of("certs-sample/ssh");

    final Path dir;
    final Path root;
    final Path clientKey;
    final Path knownHosts;
    final List<DownloadListener.Download> downloads = new CopyOnWriteArrayList<>();
    final EmbeddedSftpServer server;

    SftpTestSupport(Path dir) throws IOException {
        this.dir = dir;
        this.root = dir.resolve("sftp");
        // git does not keep modes: OpenSSH refuses a private key others can read
        this.clientKey = dir.resolve("ville-rouen");
        Files.copy(SAMPLE_SSH.resolve("ville-rouen"), clientKey, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(clientKey, PosixFilePermissions.fromString("rw-------"));
        this.server = new EmbeddedSftpServer(new EmbeddedSftpServer.Settings(0, SAMPLE_SSH.resolve("host_ed25519"),
                root, Map.of(ROUEN, EmbeddedSftpServer.readPublicKeys(SAMPLE_SSH.resolve("ville-rouen.pub")),
                        "ville-lehavre", List.of())), downloads::add);
        server.start();
        this.knownHosts = dir.resolve("known_hosts");
        server.writeKnownHosts(knownHosts);
    }

    record Result(int exitCode, String output) {
    }

    /** Runs {@code sftp -b -} with the given batch commands, as {@code user} with {@code key}. */
    Result sftp(Path key, String user, String... commands) throws Exception {
        return sftp(key, user, List.of(), commands);
    }

    Result sftp(Path key, String user, List<String> extraOptions, String... commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sftp", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "StrictHostKeyChecking=yes", "-o", "GlobalKnownHostsFile=/dev/null",
                "-F", "/dev/null", "-P", String.valueOf(server.port())));
        cmd.addAll(extraOptions);
        cmd.addAll(List.of("-b", "-", user + "@127.0.0.1"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("sftp did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** A fresh ed25519 key made by ssh-keygen, known to nobody. */
    Path freshKey(String name) throws Exception {
        Path key = dir.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f",
                key.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + out);
        }
        return key;
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
