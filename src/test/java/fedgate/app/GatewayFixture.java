package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A whole gateway on free loopback ports in a temporary home, and the real clients partners use against it:
 * SMTP (jakarta.mail), OpenSSH {@code sftp}, AMQP 1.0 (Qpid JMS) and Artemis CORE.
 */
final class GatewayFixture implements AutoCloseable {

    static final Path SAMPLE = Path.of("certs-sample");

    final Path home;
    final Properties overrides = new Properties();
    Gateway gateway;
    final Path partnerKey;
    /** The clock of study reminders and the socle's schedule: a test may move it. */
    java.time.Clock clock = java.time.Clock.systemUTC();

    GatewayFixture(Path home) throws IOException {
        this.home = home;
        overrides.setProperty("fedgate.http.port", "0");
        overrides.setProperty("fedgate.broker.port", "0");
        overrides.setProperty("fedgate.sftp.port", "0");
        overrides.setProperty("fedgate.mail.smtp.port", Integer.toString(freePort()));
        overrides.setProperty("fedgate.mail.imap.port", Integer.toString(freePort()));
        overrides.setProperty("fedgate.sftp.poll-delay", "500");
        overrides.setProperty("fedgate.mail.poll-delay", "500");
        overrides.setProperty("fedgate.snapshot.sample-households", "100000");
        overrides.setProperty("fedgate.partners.dir", home.resolve("partners").toString());
        this.partnerKey = home.resolve("ville-rouen-key");
        Files.createDirectories(home);
        Files.copy(SAMPLE.resolve("ssh/ville-rouen"), partnerKey, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(partnerKey, PosixFilePermissions.fromString("rw-------"));
    }

    GatewayFixture start() throws Exception {
        Properties system = new Properties();
        system.setProperty("fedgate.home", home.toString());
        gateway = Gateway.start(GatewayConfig.load(Map.of(), system, overrides), clock);
        return this;
    }

    void stop() {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // --- state

    /** Waits for a request matching {@code which} to reach a final intake status. */
    StoredRequest awaitRequest(Predicate<StoredRequest> which) {
        StoredRequest[] found = new StoredRequest[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (StoredRequest r : gateway.requests().list(1000)) {
                if (which.test(r) && r.status() != RequestStatus.RECEIVED) {
                    found[0] = r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    StoredRequest awaitRequestBySource(String channel, String sourceRef) {
        return awaitRequest(r -> r.channel().equals(channel) && sourceRef.equals(r.sourceRef()));
    }

    static List<String> reasonCodes(StoredRequest r) throws IOException {
        List<String> codes = new ArrayList<>();
        for (JsonNode n : Gateway.json().readTree(r.reasonsJson())) {
            if (n.path("blocking").asBoolean()) {
                codes.add(n.path("code").asText());
            }
        }
        return codes;
    }

    // --- mail

    /** Sends over SMTP to the gateway's mail server; build {@code message} with {@link #mailSession()}. */
    void sendMail(MimeMessage message) throws Exception {
        Transport.send(message);
    }

    Session mailSession() {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "127.0.0.1");
        p.setProperty("mail.smtp.port", overrides.getProperty("fedgate.mail.smtp.port"));
        return Session.getInstance(p);
    }

    void sendRawMail(byte[] rfc822) throws Exception {
        MimeMessage m = new MimeMessage(mailSession(), new ByteArrayInputStream(rfc822));
        Transport.send(m, new jakarta.mail.Address[]{new jakarta.mail.internet.InternetAddress("fed@caf-rouen.example")});
    }

    // --- sftp with the real OpenSSH client

    record Sftp(int exitCode, String output) {
    }

    Sftp sftp(Path key, String user, String... commands) throws Exception {
        Path knownHosts = home.resolve("secrets/sftp-known_hosts");
        List<String> cmd = new ArrayList<>(List.of("sftp", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null",
                "-P", String.valueOf(gateway.sftp().port()), "-b", "-", user + "@127.0.0.1"));
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("sftp did not finish: " + out);
        }
        return new Sftp(p.exitValue(), out);
    }

    /** Uploads {@code content} as {@code name} into ville-rouen's /inbox with the partner's key. */
    Sftp upload(String name, byte[] content) throws Exception {
        Path local = home.resolve("upload-" + System.nanoTime());
        Files.write(local, content);
        return sftp(partnerKey, "ville-rouen", "put " + local + " /inbox/" + name);
    }

    byte[] resource(String name) throws IOException {
        try (var in = GatewayFixture.class.getResourceAsStream("/fed/" + name)) {
            return in.readAllBytes();
        }
    }
}
