package fedgate.app.embedded;

import static fedgate.app.embedded.SftpTestSupport.ROUEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No password and no keyboard-interactive login, whatever the password. */
class SftpPasswordLoginRefusedTest {

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
    void passwordAuthenticationFailsWithMinaClient() throws Exception {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> key.equals(sftp.server.hostKey()));
        client.start();
        try (ClientSession session = client.connect(ROUEN, "127.0.0.1", sftp.server.port())
                .verify(Duration.ofSeconds(10)).getSession()) {
            for (String password : List.of("ville-rouen", "password", "fedgate")) {
                session.addPasswordIdentity(password);
            }
            assertThatThrownBy(() -> session.auth().verify(Duration.ofSeconds(10)))
                    .isInstanceOf(SshException.class);
            assertThat(session.isAuthenticated()).isFalse();
        } finally {
            client.stop();
        }
    }

    @Test
    void openSshIsOfferedPublicKeyOnly() throws Exception {
        var result = sftp.sftp(sftp.clientKey, ROUEN,
                List.of("-v", "-o", "PreferredAuthentications=password,keyboard-interactive",
                        "-o", "PubkeyAuthentication=no"), "ls /");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).containsPattern("Authentications that can continue: publickey\\s")
                .contains("Permission denied (publickey)");
    }
}
