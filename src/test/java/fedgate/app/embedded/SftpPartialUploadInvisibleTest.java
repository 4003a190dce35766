package fedgate.app.embedded;

import static fedgate.app.embedded.SftpTestSupport.ROUEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upload into /inbox appears under its name only once complete: the intake never reads half a file. */
class SftpPartialUploadInvisibleTest {

    @TempDir
    Path dir;
    SftpTestSupport sftp;
    SshClient client;

    @BeforeEach
    void start() throws Exception {
        sftp = new SftpTestSupport(dir);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> key.equals(sftp.server.hostKey()));
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        sftp.close();
    }

    private ClientSession session() throws Exception {
        ClientSession session = client.connect(ROUEN, "127.0.0.1", sftp.server.port())
                .verify(Duration.ofSeconds(10)).getSession();
        KeyPair key = new FileKeyPairProvider(sftp.clientKey).loadKeys(null).iterator().next();
        session.addPublicKeyIdentity(key);
        session.auth().verify(Duration.ofSeconds(10));
        return session;
    }

    private static List<String> names(SftpClient client, String dir) throws IOException {
        List<String> names = new ArrayList<>();
        client.readDir(dir).forEach(e -> names.add(e.getFilename()));
        names.removeIf(n -> n.equals(".") || n.equals(".."));
        return names;
    }

    private List<String> localInbox() throws IOException {
        try (Stream<Path> files = Files.list(sftp.server.inbox(ROUEN))) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void fileIsInvisibleUnderItsNameUntilClosed() throws Exception {
        byte[] chunk = "Organisme demandeur : Ville de Rouen\n".repeat(100).getBytes(StandardCharsets.UTF_8);
        try (ClientSession session = session(); SftpClient sftpClient = SftpClientFactory.instance()
                .createSftpClient(session)) {
            SftpClient.CloseableHandle handle = sftpClient.open("/inbox/demande.txt",
                    SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
            for (int i = 0; i < 3; i++) {
                sftpClient.write(handle, (long) i * chunk.length, chunk);
                assertThat(names(sftpClient, "/inbox")).doesNotContain("demande.txt")
                        .containsExactly(".demande.txt.uploading");
                assertThat(localInbox()).doesNotContain("demande.txt");
                assertThatThrownBy(() -> sftpClient.stat("/inbox/demande.txt")).isInstanceOf(IOException.class);
            }
            sftpClient.close(handle);

            assertThat(names(sftpClient, "/inbox")).containsExactly("demande.txt");
            assertThat(localInbox()).containsExactly("demande.txt");
            assertThat(Files.size(sftp.server.inbox(ROUEN).resolve("demande.txt"))).isEqualTo(3L * chunk.length);
        }
    }

    @Test
    void anAbandonedUploadLeavesNothing() throws Exception {
        ClientSession session = session();
        SftpClient sftpClient = SftpClientFactory.instance().createSftpClient(session);
        SftpClient.CloseableHandle handle = sftpClient.open("/inbox/cut.txt",
                SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
        sftpClient.write(handle, 0, "half a requ".getBytes(StandardCharsets.UTF_8));
        assertThat(localInbox()).containsExactly(".cut.txt.uploading");
        session.close(true); // the connection drops without an SSH_FXP_CLOSE

        await().atMost(Duration.ofSeconds(5)).until(() -> localInbox().isEmpty());
    }

    @Test
    void aReceivedFileCannotBeAppendedToOrOverwrittenInPlace() throws Exception {
        Files.writeString(sftp.server.inbox(ROUEN).resolve("done.json"), "{}");
        try (ClientSession session = session(); SftpClient sftpClient = SftpClientFactory.instance()
                .createSftpClient(session)) {
            assertThatThrownBy(() -> sftpClient.open("/inbox/done.json", SftpClient.OpenMode.Write,
                    SftpClient.OpenMode.Append)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> sftpClient.open("/inbox/done.json", SftpClient.OpenMode.Write))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> sftpClient.open("/inbox/.sneaky", SftpClient.OpenMode.Write,
                    SftpClient.OpenMode.Create)).isInstanceOf(IOException.class);
        }
        assertThat(Files.readString(sftp.server.inbox(ROUEN).resolve("done.json"))).isEqualTo("{}");
    }
}
