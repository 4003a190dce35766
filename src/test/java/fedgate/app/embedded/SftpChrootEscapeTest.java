package fedgate.app.embedded;

import static fedgate.app.embedded.SftpTestSupport.ROUEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partner sees its own home as "/" and nothing outside it. */
class SftpChrootEscapeTest {

    @TempDir
    Path dir;
    SftpTestSupport sftp;

    @BeforeEach
    void start() throws Exception {
        sftp = new SftpTestSupport(dir);
        // a file next to the homes, and one in the other partner's home: neither must be reachable
        Files.writeString(sftp.root.resolve("secret-next-to-homes.txt"), "not yours");
        Files.writeString(sftp.root.resolve("ville-lehavre/outbox/lehavre.pgp"), "not yours either");
    }

    @AfterEach
    void stop() throws Exception {
        sftp.close();
    }

    @Test
    void cdDotDotStaysAtTheRoot() throws Exception {
        var result = sftp.sftp(sftp.clientKey, ROUEN, "cd ..", "cd ../../..", "pwd", "ls -1 -a");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Remote working directory: /\n")
                .contains("inbox").contains("outbox")
                .doesNotContain("ville-lehavre").doesNotContain("secret-next-to-homes").doesNotContain("etc");
    }

    @Test
    void getDotDotEtcPasswdFails() throws Exception {
        for (String path : new String[] {"../../etc/passwd", "/etc/passwd", "/../../../../etc/passwd",
                "../secret-next-to-homes.txt", "/../ville-lehavre/outbox/lehavre.pgp"}) {
            var result = sftp.sftp(sftp.clientKey, ROUEN, "get " + path + " stolen");
            assertThat(result.exitCode()).as(path).isNotZero();
            assertThat(dir.resolve("stolen")).as(path).doesNotExist();
        }
    }

    @Test
    void uploadOutsideTheHomeLandsInsideIt() throws Exception {
        Files.writeString(dir.resolve("x.txt"), "x");
        var result = sftp.sftp(sftp.clientKey, ROUEN, "put x.txt ../../escaped.txt");
        // the path is clamped to the chroot: it can only land in the partner's own home
        assertThat(sftp.root.getParent().resolve("escaped.txt")).doesNotExist();
        assertThat(sftp.root.resolve("escaped.txt")).doesNotExist();
        if (result.exitCode() == 0) {
            assertThat(sftp.root.resolve("ville-rouen/escaped.txt")).exists();
        }
    }

    @Test
    void symlinkCreationIsRefused() throws Exception {
        for (String target : new String[] {"/etc/passwd", "../../../../etc/passwd", "/outbox"}) {
            var result = sftp.sftp(sftp.clientKey, ROUEN, "symlink " + target + " /inbox/link");
            assertThat(result.exitCode()).as(target + ": " + result.output()).isNotZero();
            assertThat(sftp.root.resolve("ville-rouen/inbox/link")).doesNotExist();
            assertThat(Files.isSymbolicLink(sftp.root.resolve("ville-rouen/inbox/link"))).isFalse();
        }
        var hard = sftp.sftp(sftp.clientKey, ROUEN, "ln /outbox /inbox/hard");
        assertThat(hard.exitCode()).isNotZero();
    }

    @Test
    void realpathNeverRevealsTheServerPath() throws Exception {
        var result = sftp.sftp(sftp.clientKey, ROUEN, "cd /inbox/../../..", "pwd");
        assertThat(result.output()).doesNotContain(sftp.root.toString()).contains("Remote working directory: /");
    }
}
