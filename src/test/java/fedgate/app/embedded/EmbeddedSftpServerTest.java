package fedgate.app.embedded;

import static fedgate.app.embedded.SftpTestSupport.ROUEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedSftpServerTest {

    @TempDir
    Path dir;
    SftpTestSupport sftp;

    @BeforeEach
    void start() throws Exception {
        sftp = new SftpTestSupport(dir);
    }

    @AfterEach
    void stop() throws Exception {
        sftp.close();
    }

    @Test
    void homesAreCreatedWithInboxAndOutbox() {
        assertThat(sftp.root.resolve("ville-rouen/inbox")).isDirectory();
        assertThat(sftp.root.resolve("ville-rouen/outbox")).isDirectory();
        assertThat(sftp.server.inbox(ROUEN)).isEqualTo(sftp.root.resolve("ville-rouen/inbox"));
    }

    @Test
    void partnerUploadsIntoItsInboxWithOpenSsh() throws Exception {
        Path request = dir.resolve("demande.json");
        Files.writeString(request, "{\"organisme\":\"Ville de Rouen\"}");

        var result = sftp.sftp(sftp.clientKey, ROUEN, "cd /inbox", "put demande.json", "ls -1");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(sftp.root.resolve("ville-rouen/inbox/demande.json")).hasSameTextualContentAs(request);
        try (var files = Files.list(sftp.root.resolve("ville-rouen/inbox"))) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("demande.json");
        }
    }

    @Test
    void partnerDownloadsFromItsOutboxAndTheDownloadIsReported() throws Exception {
        byte[] extract = new byte[300_000]; // several SFTP read requests
        new Random(1).nextBytes(extract);
        Files.write(sftp.server.outbox(ROUEN).resolve("FED-2026-000001.zip.pgp"), extract);

        var result = sftp.sftp(sftp.clientKey, ROUEN, "get /outbox/FED-2026-000001.zip.pgp got.pgp");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("got.pgp"))).isEqualTo(extract);
        await().atMost(Duration.ofSeconds(5)).until(() -> !sftp.downloads.isEmpty());
        DownloadListener.Download download = sftp.downloads.get(0);
        assertThat(download.account()).isEqualTo(ROUEN);
        assertThat(download.path()).isEqualTo("/outbox/FED-2026-000001.zip.pgp");
        assertThat(download.bytesRead()).isEqualTo(extract.length);
        assertThat(download.fileSize()).isEqualTo(extract.length);
        assertThat(download.complete()).isTrue();
        assertThat(download.at()).isNotNull();
        assertThat(sftp.downloads).hasSize(1);
    }

    @Test
    void readingAnInboxFileIsNotADownload() throws Exception {
        Files.writeString(sftp.server.inbox(ROUEN).resolve("mine.txt"), "x");
        var result = sftp.sftp(sftp.clientKey, ROUEN, "get /inbox/mine.txt");
        assertThat(result.exitCode()).as(result.output()).isZero();
        Thread.sleep(200);
        assertThat(sftp.downloads).isEmpty();
    }

    @Test
    void aMissingHostKeyIsGeneratedWithMode0600AndUsedWithStrictChecking() throws Exception {
        Path hostKey = dir.resolve("data/sftp/host_ed25519");
        Path root = dir.resolve("other-root");
        try (var server = new EmbeddedSftpServer(new EmbeddedSftpServer.Settings(0, hostKey, root,
                Map.of(ROUEN, EmbeddedSftpServer.readPublicKeys(SftpTestSupport.SAMPLE_SSH.resolve("ville-rouen.pub")))),
                d -> { })) {
            server.start();
            assertThat(hostKey).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(hostKey))).isEqualTo("rw-------");
            assertThat(EmbeddedSftpServer.readPublicKeys(hostKey.resolveSibling("host_ed25519.pub")))
                    .containsExactly(server.hostKey());
            Path knownHosts = dir.resolve("kh2");
            server.writeKnownHosts(knownHosts);
            assertThat(Files.readString(knownHosts)).startsWith("[127.0.0.1]:" + server.port() + " ssh-ed25519 ");

            Process p = new ProcessBuilder("sftp", "-i", sftp.clientKey.toString(), "-o", "IdentitiesOnly=yes",
                    "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o",
                    "StrictHostKeyChecking=yes", "-F", "/dev/null", "-P", String.valueOf(server.port()), "-b", "-",
                    ROUEN + "@127.0.0.1").redirectErrorStream(true).start();
            p.getOutputStream().write("ls /\n".getBytes());
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }
        // the sample host key differs: the generated one is not the sample
        assertThat(EmbeddedSftpServer.readPublicKeys(hostKey.resolveSibling("host_ed25519.pub")))
                .doesNotContainAnyElementsOf(List.of(sftp.server.hostKey()));
    }

    @Test
    void aChangedHostKeyIsRejectedByTheClient() throws Exception {
        Files.writeString(sftp.knownHosts, "[127.0.0.1]:" + sftp.server.port() + " "
                + Files.readString(sftp.freshKey("impostor").resolveSibling("impostor.pub")));
        var result = sftp.sftp(sftp.clientKey, ROUEN, "ls /");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("Host key verification failed");
    }
}
