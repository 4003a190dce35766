package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.ledger.AuditLedger;
import fedgate.state.Database;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.qpid.jms.JmsConnectionFactory;
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
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, crash: the gateway as a process ({@code java -jar target/fedgate.jar run}) with 30 JSON requests over
 * AMQP in flight is killed with SIGKILL, then restarted on the same home: every request ends VALIDATED exactly once
 * (one row per hash, one VALIDATED history entry each), every submission is acknowledged, and the ledger verifies.
 */
class CrashProofIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final int REQUESTS = 30;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();

    @Test
    void aGatewayKilledWithRequestsInFlightCompletesEachExactlyOnceAfterRestart(@TempDir Path home) throws Exception {
        try {
            run(home);
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            ProofClients.keepGatewayFiles(home, "CrashProofIT");
        }
    }

    private void run(Path home) throws Exception {
        int httpPort = GatewayFixture.freePort();
        int brokerPort = GatewayFixture.freePort();
        List<String> props = List.of("-Dfedgate.http.port=" + httpPort, "-Dfedgate.broker.port=" + brokerPort,
                "-Dfedgate.sftp.port=" + GatewayFixture.freePort(),
                "-Dfedgate.mail.smtp.port=" + GatewayFixture.freePort(),
                "-Dfedgate.mail.imap.port=" + GatewayFixture.freePort(),
                "-Dfedgate.snapshot.sample-households=100000",
                "-Dfedgate.partners.dir=" + home.resolve("partners"),
                "-Dfedgate.decision.auto-approve=false");
        Process first = start(home, props);
        awaitHealthy(first, home, httpPort);

        String password = Files.readString(home.resolve("secrets/broker-ville-rouen")).trim();
        JmsConnectionFactory cf = new JmsConnectionFactory("ville-rouen", password,
                "amqp://127.0.0.1:" + brokerPort);
        Map<String, Integer> acks = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        List<String> ids = new ArrayList<>();
        byte[] sample = GatewayFixture.class.getResourceAsStream("/fed/demande-rouen.json").readAllBytes();

        Connection before = cf.createConnection();
        try {
            listen(before, acks, refused);
            Session s = before.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createQueue("fed.requests.in"));
            for (int i = 0; i < REQUESTS; i++) {
                String corr = "crash-" + i;
                ObjectNode fed = (ObjectNode) JSON.readTree(sample);
                fed.put("study", "Diagnostic social de territoire — crash " + i);
                TextMessage m = s.createTextMessage(JSON.writeValueAsString(fed));
                m.setJMSCorrelationID(corr);
                m.setJMSReplyTo(s.createQueue("fed.events.ville-rouen"));
                p.send(m);
                ids.add(corr);
            }
            // kill as soon as intake has started answering: the rest is in flight (polled every millisecond: with 8
            // intake consumers the 30 requests take a few hundred milliseconds, less than awaitility's default polls)
            await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> !acks.isEmpty());
        } finally {
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try {
                before.close();
            } catch (Exception ignored) {
                // the broker died with the process
            }
        }
        int ackedBeforeKill = acks.size();

        Process second = start(home, props);
        awaitHealthy(second, home, httpPort);
        try (Connection after = cf.createConnection()) {
            listen(after, acks, refused);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> acks.keySet().containsAll(ids));
        }
        assertThat(refused.get()).as("acknowledgements refusing a request").isZero();
        second.destroy();
        if (!second.waitFor(60, TimeUnit.SECONDS)) {
            second.destroyForcibly();
            second.waitFor(30, TimeUnit.SECONDS);
        }

        DataSource db = Database.h2(home.resolve("data/db"));
        assertThat(count(db, "SELECT COUNT(*) FROM fed_request")).as("one request per submission").isEqualTo(REQUESTS);
        assertThat(count(db, "SELECT COUNT(DISTINCT sha256) FROM fed_request")).isEqualTo(REQUESTS);
        assertThat(count(db, "SELECT COUNT(*) FROM fed_request WHERE channel <> 'BROKER' OR partner_id <> 'ville-rouen'"))
                .isZero();
        // a message redelivered after the kill, whose request was already committed, is recorded as a duplicate
        // (a history line keeping the status, a request.duplicate event): it must never validate a second time
        assertThat(count(db, "SELECT COUNT(*) FROM ledger_event WHERE event_type = 'request.validated'"))
                .as("validated exactly once per request").isEqualTo(REQUESTS);
        assertThat(count(db, "SELECT COUNT(DISTINCT request_id) FROM ledger_event"
                + " WHERE event_type = 'request.validated'")).isEqualTo(REQUESTS);
        assertThat(count(db, "SELECT COUNT(*) FROM fed_request_history WHERE status = 'VALIDATED'"
                + " AND detail NOT LIKE 'duplicate received by %'")).isEqualTo(REQUESTS);
        assertThat(count(db, "SELECT COUNT(*) FROM fed_request WHERE status IN ('RECEIVED', 'REJECTED', 'FAILED')"))
                .isZero();
        var verification = new AuditLedger(db, Clock.systemUTC()).verify();
        assertThat(verification.ok()).as("ledger verifies: " + verification.summary()).isTrue();
        assertThat(ackedBeforeKill).as("the kill came with requests still in flight").isLessThan(REQUESTS);
    }

    private static void listen(Connection c, Map<String, Integer> acks, AtomicInteger refused) throws Exception {
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("fed.events.ville-rouen"),
                "JMSType = 'fed.acknowledgement'");
        consumer.setMessageListener(m -> {
            try {
                if (!JSON.readTree(m.getBody(String.class)).path("accepted").asBoolean()) {
                    refused.incrementAndGet();
                }
                acks.merge(m.getJMSCorrelationID(), 1, Integer::sum);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        c.start();
    }

    private Process start(Path home, List<String> props) throws IOException {
        Files.createDirectories(home);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        cmd.addAll(props);
        cmd.addAll(List.of("-jar", Path.of("target/fedgate.jar").toAbsolutePath().toString(), "run",
                "--home", home.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("process.log").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("FEDGATE_"));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void awaitHealthy(Process process, Path home, int httpPort) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(process.isAlive()).as("gateway process died:\n" + Files.readString(home.resolve("process.log")))
                    .isTrue();
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static long count(DataSource ds, String sql) throws Exception {
        try (var c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
