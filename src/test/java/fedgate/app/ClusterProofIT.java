package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.app.cluster.PollerCluster;
import fedgate.app.embedded.EmbeddedMailServer;
import fedgate.app.embedded.EmbeddedSftpServer;
import fedgate.ledger.AuditLedger;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateway instances, each its own process with its own home and HTTP port, in the production profile against
 * shared external parts: PostgreSQL (.ci/run), a standalone broker process ({@code fedgate broker}), one SFTP server
 * and one mail server (both in this JVM, real servers). The pollers run on the leader only; the leader is killed
 * (SIGKILL) with requests in flight; the other takes over; every request submitted before and after — by SFTP, by
 * mail and over AMQP — is received once, delivered once, and the ledger chain stays intact.
 */
class ClusterProofIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final String REFERENT = "referent@ville-rouen.example";
    private static final int PER_CHANNEL = 3;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();

    @Test
    void pollersRunOnOneInstanceAndTheOtherTakesOverWithNothingLostOrDoubled(@TempDir Path dir) throws Exception {
        try (TestPostgres pg = TestPostgres.require()) {
            try {
                run(dir, pg);
            } finally {
                for (Process p : processes) {
                    p.destroy();
                }
                for (Process p : processes) {
                    if (!p.waitFor(20, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }
    }

    private void run(Path dir, TestPostgres pg) throws Exception {
        // --- the shared parts
        Path brokerHome = dir.resolve("broker");
        int brokerPort = GatewayFixture.freePort();
        Process broker = start(List.of("broker", "--home", brokerHome.toString(), "--port", Integer.toString(brokerPort)),
                brokerHome, Map.of());
        await().atMost(Duration.ofSeconds(60)).until(() -> log(brokerHome).contains("fedgate broker listening"));
        assertThat(broker.isAlive()).isTrue();

        Path keys = dir.resolve("keys");
        Files.createDirectories(keys);
        Path serviceKey = keys.resolve("sftp-gateway-ed25519");
        java.security.PublicKey servicePublic = SshKeys.loadOrGenerate(serviceKey, "fedgate-gateway").getPublic();
        Path partnerKey = keys.resolve("ville-rouen");
        Files.copy(GatewayFixture.SAMPLE.resolve("ssh/ville-rouen"), partnerKey, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(partnerKey, PosixFilePermissions.fromString("rw-------"));
        String partnerPublic = Files.readString(GatewayFixture.SAMPLE.resolve("ssh/ville-rouen.pub")).trim();
        Path sftpRoot = dir.resolve("sftp-server");
        EmbeddedSftpServer sftp = new EmbeddedSftpServer(new EmbeddedSftpServer.Settings(0,
                keys.resolve("host_ed25519"), sftpRoot, Map.of("ville-rouen", List.of(AuthorizedKeyEntry
                .parseAuthorizedKeyEntry(partnerPublic).resolvePublicKey(null, PublicKeyEntryResolver.FAILING)))),
                d -> { });
        sftp.setServiceAccount("fedgate", servicePublic);
        sftp.start();
        Path knownHosts = keys.resolve("known_hosts");
        sftp.writeKnownHosts(knownHosts);
        String mailPassword = "mail-" + UUID.randomUUID();
        EmbeddedMailServer mail = new EmbeddedMailServer(new EmbeddedMailServer.Settings(GatewayFixture.freePort(),
                GatewayFixture.freePort(), mailPassword, Map.of()));
        mail.start();
        try {
            Map<String, String> env = Map.of(
                    "FEDGATE_BROKER_PASSWORD", Files.readString(brokerHome.resolve("secrets/broker-fedgate")).trim(),
                    "FEDGATE_DB_PASSWORD", pg.password,
                    "FEDGATE_MAIL_PASSWORD", mailPassword,
                    "FEDGATE_ADMIN_PASSWORD", "admin-" + UUID.randomUUID());
            String common = String.join("\n",
                    "fedgate.broker.embedded=false",
                    "fedgate.broker.url=(tcp://127.0.0.1:" + brokerPort + ")?ha=true&reconnectAttempts=-1",
                    "fedgate.sftp.embedded=false",
                    "fedgate.sftp.host=127.0.0.1",
                    "fedgate.sftp.port=" + sftp.port(),
                    "fedgate.sftp.private-key=" + serviceKey,
                    "fedgate.sftp.known-hosts=" + knownHosts,
                    "fedgate.sftp.poll-delay=500",
                    "fedgate.mail.embedded=false",
                    "fedgate.mail.allow-plaintext=true",
                    "fedgate.mail.imap.protocol=imap",
                    "fedgate.mail.imap.port=" + mail.imapPort(),
                    "fedgate.mail.smtp.protocol=smtp",
                    "fedgate.mail.smtp.port=" + mail.smtpPort(),
                    "fedgate.mail.poll-delay=500",
                    "fedgate.db.url=" + pg.url,
                    "fedgate.db.user=" + pg.user,
                    "fedgate.cluster.service=database",
                    "fedgate.cluster.lease-seconds=6",
                    "fedgate.cluster.renew-millis=1000",
                    "fedgate.decision.auto-approve=true",
                    "fedgate.snapshot.sample-households=20000",
                    "fedgate.routes.dir=" + Path.of("routes").toAbsolutePath(),
                    // an extract made by one instance is delivered by whichever consumes fed.deliver: shared storage
                    "fedgate.delivery.extracts-dir=" + dir.resolve("shared/extracts"),
                    "");
            Instance a = instance(dir.resolve("gateway-a"), common, env);
            Instance b = instance(dir.resolve("gateway-b"), common, env);
            a.awaitHealthy();
            b.awaitHealthy();

            DataSource ds = pg.dataSource();
            // --- one leader, named in the lease row and on /metrics
            await().atMost(Duration.ofSeconds(30)).until(() -> leaderOf(ds) != null);
            Instance leader = leaderOf(ds).contains("-" + a.process.pid() + "-") ? a : b;
            Instance follower = leader == a ? b : a;
            await().atMost(Duration.ofSeconds(10)).until(() -> leader.metrics().contains(
                    "fedgate_cluster_leader{namespace=\"" + PollerCluster.NAMESPACE + "\"} 1"));
            assertThat(follower.metrics()).doesNotContain(
                    "fedgate_cluster_leader{namespace=\"" + PollerCluster.NAMESPACE + "\"} 1");

            JmsConnectionFactory partner = new JmsConnectionFactory("ville-rouen",
                    Files.readString(brokerHome.resolve("secrets/broker-ville-rouen")).trim(),
                    "amqp://127.0.0.1:" + brokerPort);
            Map<String, String> correlations = new HashMap<>();
            submit("before", dir, sftp, knownHosts, partnerKey, mail, partner, correlations);
            awaitDelivered(ds, 3 * PER_CHANNEL);
            assertThat(receivedBy(follower, "SFTP") + receivedBy(follower, "MAIL"))
                    .as("the follower never polled").isZero();
            assertThat(receivedBy(leader, "SFTP")).isEqualTo(PER_CHANNEL);
            assertThat(receivedBy(leader, "MAIL")).isEqualTo(PER_CHANNEL);

            // --- the leader dies with work in flight
            submit("after", dir, sftp, knownHosts, partnerKey, mail, partner, correlations);
            Thread.sleep(300);
            leader.process.destroyForcibly();
            assertThat(leader.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String holder = leaderOf(ds);
                return holder != null && holder.contains("-" + follower.process.pid() + "-");
            });
            awaitDelivered(ds, 6 * PER_CHANNEL);
            assertThat(follower.metrics()).contains(
                    "fedgate_cluster_leader{namespace=\"" + PollerCluster.NAMESPACE + "\"} 1");

            // --- exactly once
            assertThat(count(ds, "SELECT COUNT(*) FROM fed_request")).isEqualTo(6 * PER_CHANNEL);
            assertThat(count(ds, "SELECT COUNT(DISTINCT sha256) FROM fed_request")).isEqualTo(6 * PER_CHANNEL);
            assertThat(count(ds, "SELECT COUNT(*) FROM ledger_event WHERE event_type = 'request.duplicate'"))
                    .as("no input read twice").isZero();
            assertThat(count(ds, "SELECT COUNT(*) FROM ledger_event WHERE event_type = 'request.received'"))
                    .isEqualTo(6 * PER_CHANNEL);
            assertThat(count(ds, "SELECT COUNT(*) FROM fed_delivery WHERE status = 'DELIVERED'"))
                    .isEqualTo(6 * PER_CHANNEL);
            assertThat(count(ds, "SELECT COUNT(*) FROM fed_delivery")).isEqualTo(6 * PER_CHANNEL);
            assertThat(new AuditLedger(ds, Clock.systemUTC()).verify().ok()).as("ledger chain intact").isTrue();
            // the partner's view: one acknowledgement per AMQP submission, one notice per request
            Map<String, Integer> acks = new HashMap<>();
            Map<String, Integer> notices = new HashMap<>();
            try (Connection c = partner.createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageConsumer consumer = s.createConsumer(s.createQueue("fed.events.ville-rouen"));
                Message m;
                while ((m = consumer.receive(3000)) != null) {
                    if ("fed.acknowledgement".equals(m.getJMSType())) {
                        acks.merge(m.getJMSCorrelationID(), 1, Integer::sum);
                    } else if ("fed.delivery".equals(m.getJMSType())) {
                        notices.merge(m.getJMSCorrelationID(), 1, Integer::sum);
                    }
                }
            }
            assertThat(acks).hasSize(2 * PER_CHANNEL).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
            assertThat(acks.keySet()).containsExactlyInAnyOrderElementsOf(correlations.keySet());
            assertThat(notices).hasSize(6 * PER_CHANNEL).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
            // one acknowledgement mail per mailed request, one acknowledgement file per uploaded one
            assertThat(mail.messagesFor(REFERENT).stream().filter(m -> subject(m).contains("Accusé")
                    || subject(m).toLowerCase().contains("accus")).count()).isEqualTo(2 * PER_CHANNEL);
            try (var files = Files.list(sftpRoot.resolve("ville-rouen/outbox"))) {
                assertThat(files.filter(p -> p.getFileName().toString().endsWith("-accuse-reception.json")).count())
                        .isEqualTo(2 * PER_CHANNEL);
            }
        } finally {
            mail.close();
            sftp.close();
        }
    }

    // ------------------------------------------------------------------ submissions

    private void submit(String phase, Path dir, EmbeddedSftpServer sftp, Path knownHosts, Path partnerKey,
                        EmbeddedMailServer mail, JmsConnectionFactory partner, Map<String, String> correlations)
            throws Exception {
        for (int i = 0; i < PER_CHANNEL; i++) {
            Path file = dir.resolve("upload-" + phase + "-" + i + ".json");
            Files.write(file, fed("sftp " + phase + " " + i));
            Process p = new ProcessBuilder("sftp", "-i", partnerKey.toString(), "-o", "IdentitiesOnly=yes",
                    "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                    "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null", "-P", String.valueOf(sftp.port()),
                    "-b", "-", "ville-rouen@127.0.0.1").redirectErrorStream(true).start();
            p.getOutputStream().write(("put " + file + " /inbox/demande-" + phase + "-" + i + ".json\n")
                    .getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();

            Properties props = new Properties();
            props.setProperty("mail.smtp.host", "127.0.0.1");
            props.setProperty("mail.smtp.port", Integer.toString(mail.smtpPort()));
            MimeMessage m = new MimeMessage(jakarta.mail.Session.getInstance(props));
            m.setFrom(new InternetAddress(REFERENT));
            m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress("fed@caf-rouen.example"));
            m.setSubject("Demande de données FED", "UTF-8");
            m.setText(resource("demande-rouen.txt").replace("Diagnostic social de territoire 2026",
                    "Diagnostic mail " + phase + " " + i + " " + UUID.randomUUID()), "UTF-8");
            Transport.send(m);

            try (Connection c = partner.createConnection()) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                jakarta.jms.TextMessage t = s.createTextMessage(new String(fed("amqp " + phase + " " + i),
                        StandardCharsets.UTF_8));
                String correlation = "cluster-" + phase + "-" + i + "-" + UUID.randomUUID();
                t.setJMSCorrelationID(correlation);
                t.setJMSReplyTo(s.createQueue("fed.events.ville-rouen"));
                s.createProducer(s.createQueue("fed.requests.in")).send(t);
                correlations.put(correlation, phase);
            }
        }
    }

    private byte[] fed(String study) throws IOException {
        ObjectNode fed = (ObjectNode) JSON.readTree(resource("demande-rouen.json"));
        fed.put("study", "Diagnostic social — " + study + " " + UUID.randomUUID());
        return JSON.writeValueAsBytes(fed);
    }

    private static String resource(String name) throws IOException {
        try (var in = ClusterProofIT.class.getResourceAsStream("/fed/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject() == null ? "" : m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------ processes

    private final class Instance {
        final Path home;
        final int httpPort;
        final Process process;
        final String adminPassword;

        Instance(Path home, int httpPort, Process process, String adminPassword) {
            this.home = home;
            this.httpPort = httpPort;
            this.process = process;
            this.adminPassword = adminPassword;
        }

        void awaitHealthy() {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(process.isAlive()).as("gateway process died:\n" + log(home)).isTrue();
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        }

        String metrics() throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                            + "/metrics")).header("Authorization", "Basic " + java.util.Base64.getEncoder()
                            .encodeToString(("bureau:" + adminPassword).getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        }
    }

    private Instance instance(Path home, String common, Map<String, String> env) throws Exception {
        Files.createDirectories(home);
        int port = GatewayFixture.freePort();
        Files.writeString(home.resolve("fedgate-production.properties"), common + "fedgate.http.port=" + port
                + "\nfedgate.partners.dir=" + home.resolve("partners") + "\n");
        Process p = start(List.of("run", "--home", home.toString(), "--profile", "production"), home, env);
        return new Instance(home, port, p, env.get("FEDGATE_ADMIN_PASSWORD"));
    }

    private Process start(List<String> args, Path home, Map<String, String> env) throws IOException {
        Files.createDirectories(home);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "fedgate.app.Fedgate"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(home.resolve("process.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FEDGATE_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static String log(Path home) throws IOException {
        Path f = home.resolve("process.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private static long receivedBy(Instance i, String channel) throws IOException {
        return log(i.home).lines().filter(l -> l.matches(".* FED-\\d{4}-\\d{6} received by " + channel + " .*")).count();
    }

    // ------------------------------------------------------------------ state

    private static String leaderOf(DataSource ds) throws Exception {
        try (var c = ds.getConnection(); var st = c.prepareStatement(
                "SELECT holder FROM fed_cluster_lease WHERE namespace = ? AND expires_at > "
                        + "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")) {
            st.setString(1, PollerCluster.NAMESPACE);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long count(DataSource ds, String sql) throws Exception {
        try (var c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitDelivered(DataSource ds, int expected) {
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(count(ds, "SELECT COUNT(*) FROM fed_request WHERE status IN ('FAILED', 'REJECTED')"))
                    .as("failed or rejected requests").isZero();
            return count(ds, "SELECT COUNT(*) FROM fed_request WHERE status IN ('DELIVERED', 'RETRIEVED')") >= expected;
        });
    }
}
