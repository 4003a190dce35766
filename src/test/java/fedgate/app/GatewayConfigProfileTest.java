package fedgate.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** defaults < fedgate.properties < fedgate-<profile>.properties < environment < -D. */
class GatewayConfigProfileTest {

    @Test
    void profileIsAboveTheFilesAndBelowEnvironmentAndSystemProperties(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("fedgate.properties"), "fedgate.http.port=1111\nfedgate.sftp.port=1111\n"
                + "fedgate.mail.imap.port=1111\n");
        Files.writeString(home.resolve("fedgate-production.properties"), "fedgate.http.port=2222\n"
                + "fedgate.sftp.port=2222\nfedgate.mail.imap.port=2222\nfedgate.broker.url=tcp://prod:61616\n");
        Properties system = new Properties();
        system.setProperty("fedgate.home", home.toString());
        system.setProperty("fedgate.profile", "production");
        system.setProperty("fedgate.mail.imap.port", "4444");
        GatewayConfig c = GatewayConfig.load(Map.of("FEDGATE_SFTP_PORT", "3333", "FEDGATE_MAIL_IMAP_PORT", "3333"),
                system, new Properties());
        assertThat(c.get("fedgate.http.port")).isEqualTo("2222");       // profile over fedgate.properties
        assertThat(c.get("fedgate.sftp.port")).isEqualTo("3333");       // environment over the profile
        assertThat(c.get("fedgate.mail.imap.port")).isEqualTo("4444");  // -D over everything
        assertThat(c.get("fedgate.broker.url")).isEqualTo("tcp://prod:61616");
        assertThat(c.get("fedgate.profile")).isEqualTo("production");
    }

    @Test
    void profileFromTheEnvironmentAndAMissingFileIsSaid(@TempDir Path home) {
        Properties system = new Properties();
        system.setProperty("fedgate.home", home.toString());
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("FEDGATE_PROFILE", "production"), system, new Properties()))
                .hasMessageContaining("fedgate-production.properties")
                .hasMessageContaining("docs/fedgate-production.properties.example");
        assertThatThrownBy(() -> GatewayConfig.load(Map.of("FEDGATE_PROFILE", "../x"), system, new Properties()))
                .hasMessageContaining("invalid profile name");
    }
}
