package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.app.embedded.EmbeddedBroker;
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
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.tools.Server;
import org.postgresql.ds.PGSimpleDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, outages: each external part of the gateway — the SFTP server, the mail server, the broker, the database —
 * is unavailable for 30 s in the middle of a flow, and the work resumes by itself, nothing lost, nothing duplicated.
 *
 * <p>The parts run outside the gateway so they can really be stopped: an Artemis broker ({@link EmbeddedBroker}), the
 * SFTP server ({@link EmbeddedSftpServer}, Apache MINA SSHD), the mail server ({@link EmbeddedMailServer}, GreenMail)
 * and the database (PostgreSQL when the test server can be stopped and started again, as in .ci/run: the production
 * database, through the gateway's pool; else an H2 TCP server), all on fixed loopback ports, the first three in this
 * JVM; the gateway is a process
 * ({@code java -jar target/fedgate.jar run --profile production}) pointed at them, with auto-approve on. Each test
 * submits a few requests by every channel that is up, stops one part while they are in flight, waits 30 s, restarts
 * it on the same port with the same data (the mail server is in memory: what it held is read before the stop), then
 * waits until every request is delivered and counts on the receiving side: one complete package per request in the
 * partner's SFTP outbox, one acknowledgement per submission (message, mail or outbox file), one feuillet 2 mail and
 * one delivery notice per request, nothing in the dead-letter queue, the ledger chain intact. The tests share one
 * gateway and run in order; every count is cumulative, so a late duplicate of an earlier flow is caught too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageProofIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final String REFERENT = "referent@ville-rouen.example";
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Pattern REQUEST_ID = Pattern.compile("FED-\\d{4}-\\d{6}");

    private final HttpClient http = HttpClient.newHttpClient();
    private Path dir;
    private Path gatewayHome;
    private Process gateway;
    private EmbeddedBroker broker;
    private EmbeddedSftpServer sftp;
    private EmbeddedMailServer mail;
    // the database: PostgreSQL when the test server can be stopped (.ci/run), else an H2 TCP server in this JVM
    private TestPostgres postgres;
    private Server database;
    private int databasePort;
    private Path databaseDir;
    private DataSource db;
    private Path sftpRoot;
    private Path knownHosts;
    private Path partnerKey;
    private JmsConnectionFactory partner;
    private final String dbPassword = "db-" + UUID.randomUUID();

    // what was submitted, cumulative over the tests
    private int total;
    private int bySftp;
    private final Set<String> byMailStudies = new HashSet<>();
    private final Set<String> correlations = new HashSet<>();
    // what the partner received, cumulative
    private final Map<String, Integer> acks = new HashMap<>();
    private final Map<String, Integer> notices = new HashMap<>();
    private final List<MimeMessage> mailOfEarlierServers = new ArrayList<>();

    // ------------------------------------------------------------------ the outages

    @Test
    @Order(1)
    void sftpServerDownForThirtySeconds() throws Exception {
        long t0 = System.nanoTime();
        submit("sftp", 3, 2, 0);
        // the uploads wait in the inbox (or are being read), the deliveries and acknowledgement files come during
        // the outage
        sftp.stop();
        log("SFTP server stopped", t0);
        Thread.sleep(OUTAGE.toMillis());
        sftp.start();
        log("SFTP server restarted", t0);
        awaitAllDelivered(t0);
        assertExactlyOnce();
        assertThat(gatewayLog()).contains("SFTP server unavailable");
    }

    @Test
    @Order(2)
    void mailServerDownForThirtySeconds() throws Exception {
        long t0 = System.nanoTime();
        submit("mail", 3, 0, 2);
        // stop once the mails are stored (the embedded mail server loses what it holds): acknowledgements and
        // feuillets 2 still have to be mailed
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> count("SELECT COUNT(*) FROM fed_request WHERE channel = 'MAIL'") >= byMailStudies.size());
        // GreenMail.stop() replaces its store: keep the old one to count what it received, to the last message
        com.icegreen.greenmail.Managers held = mail.greenMail().getManagers();
        mail.stop();
        for (com.icegreen.greenmail.store.StoredMessage m : held.getImapHostManager().getAllMessages()) {
            mailOfEarlierServers.add(m.getMimeMessage());
        }
        log("mail server stopped", t0);
        Thread.sleep(OUTAGE.toMillis());
        mail.start();
        log("mail server restarted", t0);
        awaitAllDelivered(t0);
        assertExactlyOnce();
        assertThat(gatewayLog()).contains("mail server unavailable");
    }

    @Test
    @Order(3)
    void brokerDownForThirtySeconds() throws Exception {
        long t0 = System.nanoTime();
        submit("broker", 3, 2, 1);
        broker.stop();
        log("broker stopped", t0);
        Thread.sleep(OUTAGE.toMillis());
        broker.start();
        log("broker restarted", t0);
        awaitAllDelivered(t0);
        assertExactlyOnce();
        assertThat(gatewayLog()).contains("broker unavailable");
    }

    @Test
    @Order(4)
    void databaseDownForThirtySeconds() throws Exception {
        long t0 = System.nanoTime();
        int logFrom = gatewayLog().length();
        submit("database", 3, 2, 1);
        try {
            stopDatabase();
            log((postgres != null ? "PostgreSQL" : "H2 TCP") + " server stopped", t0);
            Thread.sleep(OUTAGE.toMillis());
        } finally {
            startDatabase();
        }
        log("database restarted", t0);
        awaitAllDelivered(t0);
        assertExactlyOnce();
        String during = gatewayLog().substring(logFrom);
        assertThat(during).contains("database unavailable");
        // waited for in place: no step gave up and handed its message back to the broker (a redelivery uses up one
        // of its attempts, a longer outage would dead-letter it) or its polled file back to the inbox — seen on
        // PostgreSQL before its "terminating connection due to administrator command" (57P01) was an outage
        assertThat(during).doesNotContain("Exhausted after delivery attempt", "the broker will redeliver",
                "Rollback file strategy");
    }

    // ------------------------------------------------------------------ checks

    private void awaitAllDelivered(long t0) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(gateway.isAlive()).as("gateway process died").isTrue();
            assertThat(count("SELECT COUNT(*) FROM fed_request WHERE status IN ('FAILED', 'REJECTED')"))
                    .as("failed or rejected requests").isZero();
            assertThat(deadLetters()).as("messages in fed.dlq").isZero();
            return count("SELECT COUNT(*) FROM fed_request WHERE status IN ('DELIVERED', 'RETRIEVED')") >= total
                    && manifests() >= total;
        });
        log("all " + total + " requests delivered", t0);
    }

    private void assertExactlyOnce() throws Exception {
        drainEvents();
        // the gateway's state
        assertThat(count("SELECT COUNT(*) FROM fed_request")).as("one request per submission").isEqualTo(total);
        assertThat(count("SELECT COUNT(DISTINCT sha256) FROM fed_request")).isEqualTo(total);
        assertThat(count("SELECT COUNT(*) FROM fed_request WHERE channel = 'SFTP'")).isEqualTo(bySftp);
        assertThat(count("SELECT COUNT(*) FROM fed_request WHERE channel = 'MAIL'")).isEqualTo(byMailStudies.size());
        assertThat(count("SELECT COUNT(*) FROM fed_delivery")).as("delivery rows").isEqualTo(total);
        assertThat(count("SELECT COUNT(*) FROM fed_delivery WHERE status IN ('DELIVERED', 'RETRIEVED')"))
                .isEqualTo(total);
        for (String event : List.of("request.received", "request.validated", "delivery.sent")) {
            assertThat(count("SELECT COUNT(*) FROM ledger_event WHERE event_type = '" + event + "'"))
                    .as(event + " once per request").isEqualTo(total);
        }
        assertThat(new AuditLedger(db, Clock.systemUTC()).verify().ok()).as("ledger chain intact").isTrue();
        assertThat(deadLetters()).as("messages in fed.dlq").isZero();

        // the partner's SFTP outbox: one complete package per request, one acknowledgement per upload
        List<Path> packages;
        try (Stream<Path> s = Files.list(sftpRoot.resolve("ville-rouen/outbox"))) {
            packages = s.filter(Files::isDirectory).toList();
        }
        assertThat(packages).as("delivery directories").hasSize(total);
        for (Path p : packages) {
            try (Stream<Path> files = Files.list(p)) {
                assertThat(files.map(f -> f.getFileName().toString()).toList()).as(p.toString())
                        .contains("manifest.json", "manifest.json.asc")
                        .noneMatch(f -> f.startsWith(".") || f.endsWith(".part"));
            }
        }
        try (Stream<Path> s = Files.list(sftpRoot.resolve("ville-rouen/outbox"))) {
            List<String> names = s.map(f -> f.getFileName().toString()).toList();
            assertThat(names.stream().filter(n -> n.endsWith("-accuse-reception.json")).count())
                    .as("acknowledgement files").isEqualTo(bySftp);
            assertThat(names).noneMatch(n -> n.startsWith(".") || n.endsWith(".part"));
        }
        // the partner's events queue: one acknowledgement per AMQP submission, one delivery notice per request
        assertThat(acks.keySet()).containsExactlyInAnyOrderElementsOf(correlations);
        assertThat(acks).allSatisfy((k, v) -> assertThat(v).as("acknowledgements of " + k).isEqualTo(1));
        assertThat(notices).hasSize(total).allSatisfy((k, v) -> assertThat(v).as("notices of " + k).isEqualTo(1));
        // the referent's mailbox: one acknowledgement per mailed request, one feuillet 2 per request (a mail held
        // back by an outage may follow the delivery by a moment)
        Map<String, Integer> ackMails = new HashMap<>();
        Map<String, Integer> feuillets = new HashMap<>();
        awaitQuietly(Duration.ofSeconds(60), () -> {
            ackMails.clear();
            feuillets.clear();
            for (MimeMessage m : referentMail()) {
                String subject = m.getSubject() == null ? "" : m.getSubject();
                Matcher id = REQUEST_ID.matcher(subject);
                if (!id.find()) {
                    continue;
                }
                if (subject.startsWith("Accusé de réception")) {
                    ackMails.merge(id.group(), 1, Integer::sum);
                } else if (subject.contains("feuillet n° 2")) {
                    feuillets.merge(id.group(), 1, Integer::sum);
                }
            }
            return ackMails.size() >= byMailStudies.size() && feuillets.size() >= total;
        });
        assertThat(ackMails).as("acknowledgement mails").hasSize(byMailStudies.size())
                .allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
        assertThat(feuillets).as("feuillet 2 mails").hasSize(total)
                .allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
    }

    private List<MimeMessage> referentMail() throws Exception {
        List<MimeMessage> all = new ArrayList<>(mailOfEarlierServers);
        all.addAll(List.of(mail.greenMail().getReceivedMessagesForDomain("ville-rouen.example")));
        List<MimeMessage> toReferent = new ArrayList<>();
        for (MimeMessage m : all) {
            for (jakarta.mail.Address a : m.getAllRecipients()) {
                if (a.toString().contains(REFERENT)) {
                    toReferent.add(m);
                    break;
                }
            }
        }
        return toReferent;
    }

    private void drainEvents() throws Exception {
        try (Connection c = partner.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue("fed.events.ville-rouen"));
            // the last notice may follow the manifest by a moment
            awaitQuietly(Duration.ofSeconds(30), () -> {
                Message m;
                while ((m = consumer.receive(500)) != null) {
                    if ("fed.acknowledgement".equals(m.getJMSType())) {
                        acks.merge(m.getJMSCorrelationID(), 1, Integer::sum);
                    } else if ("fed.delivery".equals(m.getJMSType())) {
                        notices.merge(m.getJMSCorrelationID(), 1, Integer::sum);
                    }
                }
                return notices.size() >= total && acks.size() >= correlations.size();
            });
        }
    }

    /** Waits for {@code done}; on time-out returns anyway, for the assertions that follow to say what is missing. */
    private static void awaitQuietly(Duration atMost, java.util.concurrent.Callable<Boolean> done) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(done);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("[outage] still waiting after " + atMost + ": the assertions below say what is missing");
        }
    }

    private long deadLetters() {
        var q = broker.server() == null ? null : broker.server().locateQueue(SimpleString.of(EmbeddedBroker.DLQ));
        return q == null ? 0 : q.getMessageCount();
    }

    private long manifests() throws IOException {
        try (Stream<Path> dirs = Files.list(sftpRoot.resolve("ville-rouen/outbox"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json"))).count();
        }
    }

    private long count(String sql) throws Exception {
        try (var c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String gatewayLog() throws IOException {
        return Files.readString(gatewayHome.resolve("process.log"));
    }

    private static void log(String what, long t0) {
        System.out.printf("[outage] %5.1f s %s%n", (System.nanoTime() - t0) / 1e9, what);
    }

    // ------------------------------------------------------------------ submissions

    private void submit(String phase, int byAmqp, int byUpload, int byMail) throws Exception {
        try (Connection c = partner.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            for (int i = 0; i < byAmqp; i++) {
                jakarta.jms.TextMessage t = s.createTextMessage(new String(fed("amqp " + phase + " " + i),
                        StandardCharsets.UTF_8));
                String correlation = "outage-" + phase + "-" + i + "-" + UUID.randomUUID();
                t.setJMSCorrelationID(correlation);
                t.setJMSReplyTo(s.createQueue("fed.events.ville-rouen"));
                s.createProducer(s.createQueue("fed.requests.in")).send(t);
                correlations.add(correlation);
                total++;
            }
        }
        for (int i = 0; i < byUpload; i++) {
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
            bySftp++;
            total++;
        }
        for (int i = 0; i < byMail; i++) {
            Properties props = new Properties();
            props.setProperty("mail.smtp.host", "127.0.0.1");
            props.setProperty("mail.smtp.port", Integer.toString(mail.smtpPort()));
            MimeMessage m = new MimeMessage(jakarta.mail.Session.getInstance(props));
            m.setFrom(new InternetAddress(REFERENT));
            m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress("fed@caf-rouen.example"));
            m.setSubject("Demande de données FED", "UTF-8");
            String study = "Diagnostic mail " + phase + " " + i + " " + UUID.randomUUID();
            m.setText(resource("demande-rouen.txt").replace("Diagnostic social de territoire 2026", study), "UTF-8");
            Transport.send(m);
            byMailStudies.add(study);
            total++;
        }
    }

    private byte[] fed(String study) throws IOException {
        ObjectNode fed = (ObjectNode) JSON.readTree(resource("demande-rouen.json"));
        fed.put("study", "Diagnostic social — " + study + " " + UUID.randomUUID());
        return JSON.writeValueAsBytes(fed);
    }

    private static String resource(String name) throws IOException {
        try (var in = OutageProofIT.class.getResourceAsStream("/fed/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ the parts and the gateway

    @BeforeAll
    void startEverything() throws Exception {
        dir = Files.createTempDirectory("fedgate-outage");
        long t0 = System.nanoTime();
        Path keys = dir.resolve("keys");
        Files.createDirectories(keys);

        String brokerPassword = "broker-" + UUID.randomUUID();
        String partnerPassword = "partner-" + UUID.randomUUID();
        broker = new EmbeddedBroker(new EmbeddedBroker.Settings(GatewayFixture.freePort(), dir.resolve("broker"),
                brokerPassword, Map.of("ville-rouen", partnerPassword), 5, 1000,
                10L * 1024 * 1024));
        broker.start();
        partner = new JmsConnectionFactory("ville-rouen", partnerPassword, "amqp://127.0.0.1:" + broker.port());

        Path serviceKey = keys.resolve("sftp-gateway-ed25519");
        java.security.PublicKey servicePublic = SshKeys.loadOrGenerate(serviceKey, "fedgate-gateway").getPublic();
        partnerKey = keys.resolve("ville-rouen");
        Files.copy(GatewayFixture.SAMPLE.resolve("ssh/ville-rouen"), partnerKey, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(partnerKey, PosixFilePermissions.fromString("rw-------"));
        String partnerPublic = Files.readString(GatewayFixture.SAMPLE.resolve("ssh/ville-rouen.pub")).trim();
        sftpRoot = dir.resolve("sftp-server");
        sftp = new EmbeddedSftpServer(new EmbeddedSftpServer.Settings(GatewayFixture.freePort(),
                keys.resolve("host_ed25519"), sftpRoot, Map.of("ville-rouen", List.of(AuthorizedKeyEntry
                .parseAuthorizedKeyEntry(partnerPublic).resolvePublicKey(null, PublicKeyEntryResolver.FAILING)))),
                d -> { });
        sftp.setServiceAccount("fedgate", servicePublic);
        sftp.start();
        knownHosts = keys.resolve("known_hosts");
        sftp.writeKnownHosts(knownHosts);

        String mailPassword = "mail-" + UUID.randomUUID();
        mail = new EmbeddedMailServer(new EmbeddedMailServer.Settings(GatewayFixture.freePort(),
                GatewayFixture.freePort(), mailPassword, Map.of()));
        mail.start();

        postgres = TestPostgres.stoppable().orElse(null);
        if (postgres != null) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(postgres.url);
            ds.setUser(postgres.user);
            ds.setPassword(postgres.password);
            db = ds;
            log("database: PostgreSQL, schema " + postgres.schema + " (the production database, as in .ci/run)", t0);
        } else {
            databasePort = GatewayFixture.freePort();
            databaseDir = dir.resolve("database");
            startDatabase();
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(databaseUrl());
            ds.setUser("fedgate");
            ds.setPassword(dbPassword);
            db = ds;
            log("database: H2 TCP server (FEDGATE_TEST_PG_URL/_STOP/_START unset: no PostgreSQL to stop)", t0);
        }

        gatewayHome = dir.resolve("gateway");
        Files.createDirectories(gatewayHome);
        int httpPort = GatewayFixture.freePort();
        Files.writeString(gatewayHome.resolve("fedgate-production.properties"), String.join("\n",
                "fedgate.broker.embedded=false",
                "fedgate.broker.url=(tcp://127.0.0.1:" + broker.port() + ")?ha=true&reconnectAttempts=-1",
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
                "fedgate.db.url=" + databaseUrl(),
                "fedgate.db.user=" + (postgres != null ? postgres.user : "fedgate"),
                "fedgate.decision.auto-approve=true",
                "fedgate.snapshot.sample-households=100000",
                "fedgate.routes.dir=" + Path.of("routes").toAbsolutePath(),
                "fedgate.partners.dir=" + gatewayHome.resolve("partners"),
                "fedgate.http.port=" + httpPort,
                ""));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", Path.of("target/fedgate.jar").toAbsolutePath().toString(), "run",
                "--home", gatewayHome.toString(), "--profile", "production");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(gatewayHome.resolve("process.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("FEDGATE_"));
        pb.environment().putAll(Map.of("FEDGATE_BROKER_PASSWORD", brokerPassword, "FEDGATE_DB_PASSWORD",
                postgres != null ? postgres.password : dbPassword,
                "FEDGATE_MAIL_PASSWORD", mailPassword, "FEDGATE_ADMIN_PASSWORD", "admin-" + UUID.randomUUID()));
        gateway = pb.start();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(gateway.isAlive()).as("gateway process died:\n" + gatewayLog()).isTrue();
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        log("gateway healthy", t0);
    }

    private String databaseUrl() {
        return postgres != null ? postgres.url : "jdbc:h2:tcp://127.0.0.1:" + databasePort + "/fedgate";
    }

    private void startDatabase() throws Exception {
        if (postgres != null) {
            postgres.startServer();
        } else {
            database = Server.createTcpServer("-tcpPort", Integer.toString(databasePort), "-baseDir",
                    databaseDir.toString(), "-ifNotExists").start();
        }
    }

    private void stopDatabase() throws Exception {
        if (postgres != null) {
            postgres.stopServer();
        } else {
            database.stop();
        }
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
        for (AutoCloseable part : new AutoCloseable[]{mail, sftp, broker}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
        }
        if (database != null) {
            database.stop();
        }
        if (postgres != null) {
            postgres.close(); // the test schema
        }
        if (gatewayHome != null && Files.exists(gatewayHome.resolve("process.log"))) {
            Path kept = Path.of("target/failsafe-reports/OutageProofIT-gateway.log");
            Files.createDirectories(kept.getParent());
            Files.copy(gatewayHome.resolve("process.log"), kept, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("[outage] gateway log copied to " + kept);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
