package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.Connection;
import jakarta.jms.Message;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import fedgate.state.Database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 7, crash across all stages: the gateway as a process ({@code java -jar target/fedgate.jar run}, auto-approve
 * on) gets 100 JSON requests over AMQP; when the first deliveries have reached the partner's SFTP outbox — the others
 * spread over intake, assessment, decision, extract, encryption and delivery — it is killed with SIGKILL, then
 * restarted on the same home. Every request ends DELIVERED exactly once: 100 delivery rows (one per request and
 * version), 100 delivery directories in ville-rouen's outbox each holding one complete package (no duplicated, no
 * half-written file), one delivery notice and one status event per transition (VALIDATED, ASSESSED, APPROVED,
 * EXTRACTED) per request on the partner's events queue, and
 * {@code java -jar target/fedgate.jar audit verify --home …} exits 0.
 */
class CrashAllStagesProofIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final int REQUESTS = 100;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();

    @Test
    void aGatewayKilledWithRequestsInEveryStageDeliversEachExactlyOnceAfterRestart(@TempDir Path home)
            throws Exception {
        try {
            run(home);
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            ProofClients.keepGatewayFiles(home, "CrashAllStagesProofIT");
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
                "-Dfedgate.decision.auto-approve=true");
        long t0 = System.nanoTime();
        Process first = start(home, props);
        awaitHealthy(first, home, httpPort);
        log("first start healthy", t0);

        String password = Files.readString(home.resolve("secrets/broker-ville-rouen")).trim();
        JmsConnectionFactory cf = new JmsConnectionFactory("ville-rouen", password,
                "amqp://127.0.0.1:" + brokerPort);
        byte[] sample = GatewayFixture.class.getResourceAsStream("/fed/demande-rouen.json").readAllBytes();
        Path outbox = home.resolve("data/sftp/ville-rouen/outbox");

        try (Connection c = cf.createConnection()) {
            // one transaction for the 100 sends: a synchronous persistent send each would take seconds on 2 cores
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer p = s.createProducer(s.createQueue("fed.requests.in"));
            for (int i = 0; i < REQUESTS; i++) {
                ObjectNode fed = (ObjectNode) JSON.readTree(sample);
                fed.put("study", "Diagnostic social de territoire — crash toutes étapes " + i);
                TextMessage m = s.createTextMessage(JSON.writeValueAsString(fed));
                m.setJMSCorrelationID("crash-all-" + i);
                m.setJMSReplyTo(s.createQueue("fed.events.ville-rouen"));
                p.send(m);
            }
            s.commit();
        }
        log("100 requests sent", t0);
        // kill once the first packages are complete in the outbox: the rest is spread over the stages
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> manifests(outbox) >= 3);
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long deliveredBeforeKill = manifests(outbox);
        log("killed with " + deliveredBeforeKill + " deliveries in the outbox", t0);

        Process second = start(home, props);
        awaitHealthy(second, home, httpPort);
        log("restarted", t0);
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                .until(() -> manifests(outbox) >= REQUESTS);
        log("100 manifests in the outbox", t0);

        // the partner's view: one delivery notice per request, and each status event once (read while the broker runs)
        Map<String, Integer> notices = new HashMap<>();
        Map<String, Integer> statusEvents = new TreeMap<>();
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue("fed.events.ville-rouen"),
                    "JMSType = 'fed.delivery'");
            // the last notices may follow the manifest by a moment; on time-out the assertion below names what is missing
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Message m;
                    while ((m = consumer.receive(500)) != null) {
                        notices.merge(m.getJMSCorrelationID(), 1, Integer::sum);
                    }
                    return notices.size() >= REQUESTS;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                log("still " + (REQUESTS - notices.size()) + " notice(s) missing after 30 s", t0);
            }
            Message m;
            while ((m = consumer.receive(1000)) != null) {
                notices.merge(m.getJMSCorrelationID(), 1, Integer::sum);
            }
            MessageConsumer status = s.createConsumer(s.createQueue("fed.events.ville-rouen"),
                    "JMSType = 'fed.status'");
            while ((m = status.receive(1000)) != null) {
                statusEvents.merge(m.getJMSCorrelationID() + " " + JSON.readTree(m.getBody(String.class))
                        .path("status").asText(), 1, Integer::sum);
            }
        }
        second.destroy();
        if (!second.waitFor(60, TimeUnit.SECONDS)) {
            second.destroyForcibly();
            second.waitFor(30, TimeUnit.SECONDS);
        }
        log("stopped", t0);

        // --- the receiving side: one complete package per request, nothing twice, nothing half-written
        Map<String, List<String>> packages = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(outbox)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.list(d)) {
                    packages.put(d.getFileName().toString(),
                            files.map(f -> f.getFileName().toString()).sorted().toList());
                }
            }
        }
        assertThat(packages).as("one delivery directory per request").hasSize(REQUESTS);
        // an extract interrupted by the kill keeps its directory and the request is extracted again as v2
        // (PipelineService.extract): still one delivery per request, which is what is checked here and below
        assertThat(packages.keySet()).allSatisfy(id -> assertThat(id).matches("DLV-FED-\\d{4}-\\d{6}-v\\d+"));
        List<String> layout = packages.values().iterator().next();
        assertThat(layout).contains("manifest.json", "manifest.json.asc");
        assertThat(packages).allSatisfy((id, files) -> assertThat(files).as(id)
                .containsExactlyElementsOf(layout) // same files in every package: no extra copy, no .part left
                .noneMatch(f -> f.startsWith(".") || f.endsWith(".part")));
        assertThat(notices.keySet()).as("delivery notices").containsExactlyInAnyOrderElementsOf(
                packages.keySet().stream().map(id -> id.substring("DLV-".length()).replaceFirst("-v\\d+$", ""))
                        .toList());
        assertThat(notices).as("delivery notices").hasSize(REQUESTS)
                .allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
        // a stage's events travel in its broker transaction; an order that comes again after the kill sends the events
        // of what its stage had recorded again, and the broker drops those that had left (duplicate-detection ids)
        assertThat(statusEvents).as("status events VALIDATED, ASSESSED, APPROVED, EXTRACTED: once each per request")
                .hasSize(4 * REQUESTS).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
        assertThat(statusEvents.keySet())
                .allMatch(k -> k.matches("FED-\\d{4}-\\d{6} (VALIDATED|ASSESSED|APPROVED|EXTRACTED)"));

        // --- the gateway's state
        DataSource db = Database.h2(home.resolve("data/db"));
        try {
            assertThat(count(db, "SELECT COUNT(*) FROM fed_request")).as("one request per submission")
                    .isEqualTo(REQUESTS);
            assertThat(count(db, "SELECT COUNT(*) FROM fed_request WHERE status = 'DELIVERED'")).isEqualTo(REQUESTS);
            assertThat(count(db, "SELECT COUNT(*) FROM fed_delivery")).as("delivery rows").isEqualTo(REQUESTS);
            assertThat(count(db, "SELECT COUNT(DISTINCT request_id || '/' || version) FROM fed_delivery"))
                    .isEqualTo(REQUESTS);
            assertThat(count(db, "SELECT COUNT(*) FROM fed_delivery WHERE status = 'DELIVERED'")).isEqualTo(REQUESTS);
            for (String event : List.of("request.validated", "delivery.sent")) {
                assertThat(count(db, "SELECT COUNT(*) FROM ledger_event WHERE event_type = '" + event + "'"))
                        .as(event + " exactly once per request").isEqualTo(REQUESTS);
            }
            assertThat(packages.keySet()).containsExactlyInAnyOrderElementsOf(
                    strings(db, "SELECT id FROM fed_delivery"));
        } finally {
            try (var c = db.getConnection()) {
                c.createStatement().execute("SHUTDOWN");
            }
        }

        // --- the auditor's command, as a process
        Process audit = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target/fedgate.jar").toAbsolutePath().toString(), "audit", "verify",
                "--home", home.toString()).redirectErrorStream(true).start();
        String out = new String(audit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(audit.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(audit.exitValue()).as("fedgate audit verify: " + out).isZero();
        log("audit verify: " + out.strip(), t0);
        assertThat(deliveredBeforeKill).as("the kill came with requests still in flight").isLessThan(REQUESTS);
    }

    private static void log(String what, long t0) {
        System.out.printf("[crash-all-stages] %5.1f s %s%n", (System.nanoTime() - t0) / 1e9, what);
    }

    /** Complete packages in the outbox: the manifest is renamed into place last. */
    private static long manifests(Path outbox) throws IOException {
        if (!Files.isDirectory(outbox)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(outbox)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json"))).count();
        }
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

    private static List<String> strings(DataSource ds, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (var c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
