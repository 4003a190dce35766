package fedgate.app.ops;

import fedgate.app.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fail fast, in English, naming the key to fix, when an external part is misconfigured; never print a secret. */
class ExternalPartsTest {

    @TempDir
    Path home;

    private GatewayConfig config(Map<String, String> env, String... kv) {
        Properties system = new Properties();
        system.setProperty("fedgate.home", home.toString());
        Properties o = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            o.setProperty(kv[i], kv[i + 1]);
        }
        return GatewayConfig.load(env, system, o);
    }

    @Test
    void embeddedDefaultNeedsNothing() {
        assertThat(new ExternalParts(config(Map.of()), Map.of()).problems()).isEmpty();
    }

    @Test
    void everyExternalPartMissingItsSettingsIsListedAtOnce() {
        GatewayConfig c = config(Map.of(), "fedgate.broker.embedded", "false", "fedgate.broker.url", "",
                "fedgate.sftp.embedded", "false", "fedgate.mail.embedded", "false",
                "fedgate.db.url", "jdbc:postgresql://db:5432/fedgate", "fedgate.cluster.service", "database");
        assertThatThrownBy(() -> new ExternalParts(c, Map.of()).check())
                .isInstanceOf(ExternalParts.MisconfiguredException.class)
                .hasMessageContaining("fedgate.broker.url")
                .hasMessageContaining("FEDGATE_BROKER_PASSWORD")
                .hasMessageContaining("fedgate.sftp.private-key")
                .hasMessageContaining("fedgate.sftp.known-hosts")
                .hasMessageContaining("fedgate.mail.imap.protocol must be imaps")
                .hasMessageContaining("fedgate.mail.smtp.protocol must be smtps")
                .hasMessageContaining("FEDGATE_MAIL_PASSWORD")
                .hasMessageContaining("FEDGATE_DB_PASSWORD");
    }

    @Test
    void completeProductionSettingsPass() throws Exception {
        Path key = home.resolve("secrets/sftp-key");
        Files.createDirectories(key.getParent());
        Files.writeString(key, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path known = home.resolve("known_hosts");
        Files.writeString(known, "[sftp.caf.example]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB\n");
        Map<String, String> env = Map.of("FEDGATE_BROKER_PASSWORD", "secret-b", "FEDGATE_MAIL_PASSWORD", "secret-m",
                "FEDGATE_DB_PASSWORD", "secret-d");
        GatewayConfig c = config(env, "fedgate.broker.embedded", "false",
                "fedgate.broker.url", "(tcp://a:61616,tcp://b:61616)?ha=true&reconnectAttempts=-1",
                "fedgate.sftp.embedded", "false", "fedgate.sftp.host", "sftp.caf.example", "fedgate.sftp.port", "2222",
                "fedgate.sftp.private-key", key.toString(), "fedgate.sftp.known-hosts", known.toString(),
                "fedgate.mail.embedded", "false", "fedgate.mail.imap.protocol", "imaps",
                "fedgate.mail.smtp.protocol", "smtp", "fedgate.mail.smtp.starttls", "true",
                "fedgate.db.url", "jdbc:postgresql://db:5432/fedgate", "fedgate.cluster.service", "database");
        assertThat(new ExternalParts(c, env).problems()).isEmpty();
    }

    @Test
    void knownHostsWithoutTheServerOrAKeyReadableByOthersIsRefused() throws Exception {
        Path key = home.resolve("key");
        Files.writeString(key, "k");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Path known = home.resolve("known_hosts");
        Files.writeString(known, "other.example ssh-ed25519 AAAA\n[sftp.caf.example]:2223 ssh-ed25519 AAAA\n");
        GatewayConfig c = config(Map.of(), "fedgate.sftp.embedded", "false", "fedgate.sftp.host", "sftp.caf.example",
                "fedgate.sftp.port", "2222", "fedgate.sftp.private-key", key.toString(),
                "fedgate.sftp.known-hosts", known.toString());
        assertThat(new ExternalParts(c, Map.of()).problems())
                .anyMatch(p -> p.contains("readable by group or others"))
                .anyMatch(p -> p.contains("has no key for [sftp.caf.example]:2222"));
    }

    @Test
    void hashedKnownHostsEntryIsRecognised() throws Exception {
        // ssh-keygen -H style: |1|base64(salt)|base64(HMAC-SHA1(salt, "[host]:port"))
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA1"));
        String hash = java.util.Base64.getEncoder().encodeToString(mac.doFinal("[10.0.0.5]:2222".getBytes()));
        Path known = home.resolve("hashed");
        Files.writeString(known, "|1|" + java.util.Base64.getEncoder().encodeToString(salt) + "|" + hash
                + " ssh-ed25519 AAAA\n");
        assertThat(ExternalParts.knownHostsHas(known, "10.0.0.5", 2222)).isTrue();
        assertThat(ExternalParts.knownHostsHas(known, "10.0.0.6", 2222)).isFalse();
    }

    @Test
    void passwordInTheDatabaseUrlIsRefusedAndNotEchoed() {
        GatewayConfig c = config(Map.of("FEDGATE_DB_PASSWORD", "x"),
                "fedgate.db.url", "jdbc:postgresql://db/fedgate?password=hunter2");
        assertThat(new ExternalParts(c, Map.of("FEDGATE_DB_PASSWORD", "x")).problems())
                .anyMatch(p -> p.contains("must not carry the password"))
                .noneMatch(p -> p.contains("hunter2"));
    }

    @Test
    void databaseClusterWithoutASharedDatabaseOrBrokerIsRefused() {
        GatewayConfig c = config(Map.of(), "fedgate.cluster.service", "database");
        assertThat(new ExternalParts(c, Map.of()).problems())
                .anyMatch(p -> p.contains("needs a shared database"))
                .anyMatch(p -> p.contains("one shared broker"));
    }
}
