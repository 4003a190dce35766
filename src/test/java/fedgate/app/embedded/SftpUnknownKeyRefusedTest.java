package fedgate.app.embedded;

import static fedgate.app.embedded.SftpTestSupport.ROUEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only the keys registered for an account open it. */
class SftpUnknownKeyRefusedTest {

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
    void aFreshKeyIsRefused() throws Exception {
        var result = sftp.sftp(sftp.freshKey("stranger"), ROUEN, "ls /");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("Permission denied (publickey)");
    }

    @Test
    void aPartnersKeyDoesNotOpenAnotherAccount() throws Exception {
        var result = sftp.sftp(sftp.clientKey, "ville-lehavre", "ls /");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("Permission denied (publickey)");
    }

    @Test
    void anUnknownAccountIsRefused() throws Exception {
        var result = sftp.sftp(sftp.clientKey, "root", "ls /");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("Permission denied (publickey)");
    }

    @Test
    void theRegisteredKeyIsAccepted() throws Exception { // the control: the refusals above are about the key
        var result = sftp.sftp(sftp.clientKey, ROUEN, "ls /");
        assertThat(result.exitCode()).as(result.output()).isZero();
    }
}
