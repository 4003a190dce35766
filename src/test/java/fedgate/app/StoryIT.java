package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.decision.SocleService;
import fedgate.ledger.EventTypes;
import fedgate.ledger.LedgerEvent;
import fedgate.state.Database;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5, a request's whole story on a gateway with its embedded servers, driven by the real clients: a request by
 * mail → acknowledgement → ASSESSED → {@code fedgate decide} (feuillet 2 by mail) → EXTRACTED → encrypted SFTP
 * delivery (the {@code delivery.sent} event carries the usage terms) → the partner downloads it with OpenSSH sftp →
 * RETRIEVED → reminders (the clock is moved, not waited for) → the study dropped in the SFTP inbox → CLOSED; studies
 * from a stranger or for a closed request are refused; the yearly socle reaches the partner in force and not the one
 * whose convention ended; then the gateway stops and {@code fedgate audit verify} finds the ledger intact, and names
 * the event when a row is altered, deleted or swapped with SQL.
 * (A terminated convention refusing requests: IntakeIT; external diffusion waiting for approval: PipelineIT.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoryIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final String REFERENT = "referent@ville-rouen.example";
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private GatewayFixture fx;
    private Path home;
    private final MovableClock clock = new MovableClock();
    private String id;
    private LocalDate due;
    private byte[] study;

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("fedgate-story-it-");
        fx = new GatewayFixture(home);
        fx.clock = clock;
        Files.createDirectories(home.resolve("partners"));
        Files.writeString(home.resolve("partners/ville-ancienne.json"), terminatedPartner());
        fx.overrides.setProperty("fedgate.obligation.check-period", "500");
        fx.overrides.setProperty("fedgate.obligation.check-delay", "500");
        fx.start();
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    @Test
    @Order(1)
    void requestByMailIsAnsweredExtractedDeliveredAndRetrieved() throws Exception {
        MimeMessage m = new MimeMessage(fx.mailSession());
        m.setFrom(new InternetAddress(REFERENT));
        m.setRecipient(RecipientType.TO, new InternetAddress("fed@caf-rouen.example"));
        m.setSubject("Demande de données FED", "UTF-8");
        m.setText(new String(fx.resource("demande-rouen.txt"), StandardCharsets.UTF_8)
                .replace("Diagnostic social de territoire 2026", "Diagnostic social " + UUID.randomUUID()), "UTF-8");
        fx.sendMail(m);
        StoredRequest r = fx.awaitRequest(x -> "MAIL".equals(x.channel()));
        id = r.id();
        assertThat(r.status()).isEqualTo(RequestStatus.VALIDATED);
        assertThat(awaitMail(REFERENT, "Accusé de réception", id).getContent().toString()).contains(id, r.sha256());
        awaitStatus(id, RequestStatus.ASSESSED);

        DecideCommand decide = new DecideCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        decide.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        decide.env = Map.of();
        int exit = new CommandLine(decide).execute(id, "--favorable", "--motif", "Données disponibles dans le socle.",
                "--indicators", "ALLOC,TX_COUV", "--url", "http://127.0.0.1:" + fx.gateway.httpPort(),
                "--home", home.toString());
        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(awaitMail(REFERENT, "feuillet n° 2", id).getSubject()).contains("favorable");

        awaitStatus(id, RequestStatus.DELIVERED);
        assertThat(fx.gateway.requests().history(id)).anyMatch(h -> h.status() == RequestStatus.EXTRACTED);

        // delivery.sent: who received what, by which channel, encrypted to which key, under which terms (Art. 2-4)
        JsonNode sent = event(id, EventTypes.DELIVERY_SENT).details();
        assertThat(sent.path("recipient").asText()).isEqualTo("ville-rouen");
        assertThat(sent.path("channel").asText()).isEqualTo("sftp");
        assertThat(sent.path("files").toString()).contains("extract.csv.pgp", "disclosure-report.json.pgp");
        assertThat(sent.path("recipientKeyFingerprint").asText()).isEqualTo("5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406");
        assertThat(sent.path("usageTermsVersion").asText()).isEqualTo("1");
        assertThat(sent.path("usageTermsSha256").asText()).hasSize(64);
        assertThat(sent.path("purpose").asText()).startsWith("Diagnostic social ");
        assertThat(sent.path("diffusion").asText()).isEqualTo("interne");
        due = LocalDate.parse(sent.path("studyDueDate").asText());
        assertThat(due).isEqualTo(LocalDate.now(PARIS).plusMonths(12));

        // Art. 3: the study obligation opened with the delivery
        JsonNode obligation = api("/api/requests/" + id).path("obligation");
        assertThat(obligation.path("status").asText()).isEqualTo("OPEN");
        assertThat(obligation.path("dueDate").asText()).isEqualTo(due.toString());
        assertThat(obligation.path("remindersSent").asInt()).isZero();

        String deliveryId = "DLV-" + id + "-v1";
        Path local = Files.createDirectories(home.resolve("partner-download"));
        GatewayFixture.Sftp get = fx.sftp(fx.partnerKey, "ville-rouen", "get /outbox/" + deliveryId + "/* " + local + "/");
        assertThat(get.exitCode()).as(get.output()).isZero();
        awaitStatus(id, RequestStatus.RETRIEVED);
    }

    @Test
    @Order(2)
    void theReferentIsRemindedBeforeTheDueDateThenWhileOverdue() throws Exception {
        Thread.sleep(1500); // a few checks: nothing due a year ahead
        assertThat(reminders()).isEmpty();

        clock.moveTo(due.minusDays(29).atStartOfDay(PARIS).toInstant());
        MimeMessage first = awaitMail(REFERENT, "Rappel n° 1", id);
        String text = first.getContent().toString();
        assertThat(text).contains(id, "Diagnostic social", "article 3", "/inbox", "etude-" + id + ".pdf",
                String.format("%02d/%02d/%d", due.getDayOfMonth(), due.getMonthValue(), due.getYear()));
        await().atMost(Duration.ofSeconds(20)).until(() -> api("/api/requests/" + id).path("obligation")
                .path("remindersSent").asInt() == 1);
        Thread.sleep(1500); // the next check does not remind again within the interval
        assertThat(reminders()).hasSize(1);

        clock.moveTo(due.plusDays(2).atStartOfDay(PARIS).toInstant());
        MimeMessage second = awaitMail(REFERENT, "Rappel n° 2", id);
        assertThat(second.getSubject()).contains("échéance dépassée");
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.gateway.ledger().events(id).stream()
                .filter(e -> EventTypes.REMINDER_SENT.equals(e.type())).count() == 2);
        JsonNode reminder = event(id, EventTypes.REMINDER_SENT).details();
        assertThat(reminder.path("number").asInt()).isEqualTo(1);
        assertThat(reminder.path("to").asText()).isEqualTo(REFERENT);
        assertThat(reminder.path("dueDate").asText()).isEqualTo(due.toString());
    }

    @Test
    @Order(3)
    void theStudyDroppedInTheSftpInboxClosesTheRequest() throws Exception {
        study = ("%PDF-1.4\n% étude " + id + " " + UUID.randomUUID() + "\n%%EOF\n").getBytes(StandardCharsets.UTF_8);
        GatewayFixture.Sftp put = fx.upload("etude-" + id + ".pdf", study);
        assertThat(put.exitCode()).as(put.output()).isZero();
        awaitStatus(id, RequestStatus.CLOSED);

        JsonNode received = event(id, EventTypes.STUDY_RECEIVED).details();
        assertThat(received.path("channel").asText()).isEqualTo("SFTP");
        assertThat(received.path("fileName").asText()).isEqualTo("etude-" + id + ".pdf");
        assertThat(received.path("sha256").asText()).isEqualTo(sha256(study));
        assertThat(event(id, EventTypes.REQUEST_CLOSED)).isNotNull();
        JsonNode obligation = api("/api/requests/" + id).path("obligation");
        assertThat(obligation.path("status").asText()).isEqualTo("FULFILLED");
        assertThat(obligation.path("studies").get(0).path("accepted").asBoolean()).isTrue();

        MimeMessage ack = awaitMail(REFERENT, "Accusé de réception : exemplaire de l'étude", id);
        assertThat(ack.getContent().toString()).contains(sha256(study), "close");
        Path outbox = home.resolve("data/sftp/ville-rouen/outbox/etude-" + id + "-accuse-reception.txt");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outbox));
        assertThat(Files.readString(outbox)).contains(id, sha256(study));
        // the FED intake never saw it: no request was made of it
        assertThat(fx.gateway.requests().list(1000)).noneMatch(r -> ("etude-" + id + ".pdf").equals(r.fileName()));

        // no more reminders once the study is in
        int before = reminders().size();
        clock.moveTo(due.plusDays(90).atStartOfDay(PARIS).toInstant());
        Thread.sleep(2000);
        assertThat(reminders()).hasSize(before);
    }

    @Test
    @Order(4)
    void studiesForAClosedRequestOrFromAStrangerAreRefusedAndQuarantined() throws Exception {
        int requestsBefore = fx.gateway.requests().list(1000).size();
        fx.sendMail(studyMail(REFERENT, "Étude réalisée — " + id, "closed.pdf"));
        MimeMessage refused = awaitMail(REFERENT, "Document non accepté", id);
        assertThat(refused.getContent().toString()).contains("est close", "déjà été reçu");

        fx.sendMail(studyMail("collegue@ville-rouen.example", "Étude " + id, "stranger.pdf"));
        await().atMost(Duration.ofSeconds(30)).until(() -> api("/api/requests/" + id).path("obligation")
                .path("studies").size() == 3);
        JsonNode studies = api("/api/requests/" + id).path("obligation").path("studies");
        assertThat(studies.get(1).path("reasonCode").asText()).isEqualTo("ALREADY_CLOSED");
        assertThat(studies.get(2).path("reasonCode").asText()).isEqualTo("NOT_REFERENT");
        assertThat(studies.get(2).path("reason").asText()).contains("collegue@ville-rouen.example", "article 5.1");
        long seq = studies.get(2).path("seq").asLong();
        assertThat(home.resolve("quarantine/ETUDE-" + seq + ".bin")).isRegularFile();
        assertThat(Files.readString(home.resolve("quarantine/ETUDE-" + seq + ".reason.txt"))).contains("NOT_REFERENT");
        assertThat(fx.gateway.mail().messagesFor("collegue@ville-rouen.example")).isEmpty(); // never answered
        assertThat(fx.gateway.requests().list(1000)).hasSize(requestsBefore);
        assertThat(fx.gateway.requests().find(id).orElseThrow().status()).isEqualTo(RequestStatus.CLOSED);
    }

    @Test
    @Order(5)
    void theYearlySocleReachesThePartnerInForceOnlyAndOnce() throws Exception {
        String first = socleRun();
        JsonNode run = JSON.readTree(first);
        JsonNode rouen = partner(run, "ville-rouen");
        assertThat(rouen.path("outcome").asText()).isEqualTo("CREATED");
        assertThat(partner(run, "ville-ancienne").path("outcome").asText()).isEqualTo("NOT_IN_FORCE");
        String socle = rouen.path("requestId").asText();

        StoredRequest r = awaitStatus(socle, RequestStatus.DELIVERED);
        assertThat(r.channel()).isEqualTo(SocleService.CHANNEL);
        assertThat(r.partnerId()).isEqualTo("ville-rouen");
        assertThat(fx.gateway.requests().history(socle)).anyMatch(h -> h.status() == RequestStatus.APPROVED
                && SocleService.ACTOR.equals(h.actor()));
        JsonNode draft = api("/api/requests/" + socle).path("pipeline").path("draft");
        assertThat(draft.path("levels").toString()).contains("commune", "epci", "iris");
        assertThat(home.resolve("data/sftp/ville-rouen/outbox/DLV-" + socle + "-v1/manifest.json")).isRegularFile();
        assertThat(api("/api/requests/" + socle).path("obligation").isNull()).isTrue(); // no study owed for the socle
        assertThat(fx.gateway.requests().list(1000)).noneMatch(x -> "ville-ancienne".equals(x.partnerId())
                && SocleService.CHANNEL.equals(x.channel()));

        JsonNode again = JSON.readTree(socleRun());
        assertThat(partner(again, "ville-rouen").path("requestId").asText()).isEqualTo(socle);
        assertThat(partner(again, "ville-rouen").path("outcome").asText()).isEqualTo("ALREADY_DONE");
    }

    @Test
    @Order(6)
    void auditVerifyPassesAfterTheStoryAndNamesAnyRowAlteredDeletedOrSwapped() throws Exception {
        fx.stop();
        StringWriter out = new StringWriter();
        assertThat(audit(out, "--home", home.toString(), "verify")).as(out.toString()).isZero();
        assertThat(out.toString()).startsWith("ledger intact");
        StringWriter story = new StringWriter();
        assertThat(audit(story, "--home", home.toString(), "export", "--request", id)).isZero();
        assertThat(story.toString()).contains("Feuillet 2 : avis favorable", "Données livrées à ville-rouen",
                "conditions d'usage version 1", "Relance n° 1", "Relance n° 2", "Exemplaire de l'étude reçu (Art. 3)",
                "Demande " + id + " close", "Document reçu comme exemplaire de l'étude, refusé",
                "La demande " + id + " est close");

        long target = eventSeq(home, EventTypes.STUDY_RECEIVED);
        assertBroken("UPDATE ledger_event SET details = REPLACE(details, 'SFTP', 'MAIL') WHERE seq = " + target,
                "event #" + target + " altered");
        assertBroken("DELETE FROM ledger_event WHERE seq = " + target, "event #" + target + " is missing");
        assertBroken("UPDATE ledger_event SET seq = -1 WHERE seq = " + target + ";"
                        + "UPDATE ledger_event SET seq = " + target + " WHERE seq = " + (target + 1) + ";"
                        + "UPDATE ledger_event SET seq = " + (target + 1) + " WHERE seq = -1",
                "position #" + target + " holds event #" + (target + 1));
    }

    // ------------------------------------------------------------------ helpers

    /** Tampers with a copy of the stopped gateway's database, then runs {@code fedgate audit verify} on it. */
    private void assertBroken(String sql, String named) throws Exception {
        Path copy = Files.createTempDirectory("fedgate-story-tampered-");
        Files.createDirectories(copy.resolve("data/db"));
        try (var files = Files.list(home.resolve("data/db"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve("data/db").resolve(f.getFileName()));
            }
        }
        DataSource ds = Database.h2(copy.resolve("data/db"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String statement : sql.split(";")) {
                assertThat(s.executeUpdate(statement)).as(statement).isEqualTo(1);
            }
            s.execute("SHUTDOWN");
        }
        StringWriter out = new StringWriter();
        assertThat(audit(out, "--home", copy.toString(), "verify")).as(out.toString()).isEqualTo(AuditCommand.BROKEN);
        assertThat(out.toString()).contains("LEDGER BROKEN at event #", named);
    }

    private static long eventSeq(Path home, String type) throws Exception {
        DataSource ds = Database.h2(home.resolve("data/db"));
        try (Connection c = ds.getConnection();
             var ps = c.prepareStatement("SELECT MAX(seq) FROM ledger_event WHERE event_type = ?")) {
            ps.setString(1, type);
            long seq;
            try (var rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
            }
            try (Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
            return seq;
        }
    }

    private static int audit(StringWriter out, String... args) {
        CommandLine cl = new CommandLine(new AuditCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return cl.execute(args);
    }

    private String socleRun() {
        SocleCommand.Run run = new SocleCommand.Run();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        run.err = run.out;
        run.env = Map.of();
        int exit = new CommandLine(run).execute("--url", "http://127.0.0.1:" + fx.gateway.httpPort(),
                "--home", home.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isZero();
        return text;
    }

    private static JsonNode partner(JsonNode run, String partnerId) {
        for (JsonNode p : run.path("partners")) {
            if (partnerId.equals(p.path("partnerId").asText())) {
                return p;
            }
        }
        throw new AssertionError(partnerId + " not in " + run);
    }

    private MimeMessage studyMail(String from, String subject, String fileName) throws Exception {
        MimeMessage m = new MimeMessage(fx.mailSession());
        m.setFrom(new InternetAddress(from));
        m.setRecipient(RecipientType.TO, new InternetAddress("fed@caf-rouen.example"));
        m.setSubject(subject, "UTF-8");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Bonjour, veuillez trouver ci-joint l'étude réalisée (demande " + id + ").", "UTF-8");
        MimeBodyPart doc = new MimeBodyPart();
        doc.setFileName(fileName);
        doc.setContent(("%PDF-1.4\n% " + UUID.randomUUID() + "\n%%EOF\n").getBytes(StandardCharsets.UTF_8),
                "application/pdf");
        doc.setDisposition(jakarta.mail.Part.ATTACHMENT);
        MimeMultipart mp = new MimeMultipart(text, doc);
        m.setContent(mp);
        m.saveChanges();
        return m;
    }

    private List<MimeMessage> reminders() {
        return fx.gateway.mail().messagesFor(REFERENT).stream()
                .filter(m -> subject(m).startsWith("Rappel") && subject(m).contains(id)).toList();
    }

    private LedgerEvent event(String requestId, String type) {
        return fx.gateway.ledger().events(requestId).stream().filter(e -> type.equals(e.type())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " event for " + requestId));
    }

    private StoredRequest awaitStatus(String requestId, RequestStatus status) {
        StoredRequest[] found = new StoredRequest[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            found[0] = fx.gateway.requests().find(requestId).orElseThrow();
            assertThat(found[0].status()).as(requestId + " " + fx.gateway.requests().history(requestId))
                    .isNotIn(RequestStatus.FAILED, RequestStatus.REJECTED);
            return found[0].status() == status;
        });
        return found[0];
    }

    private MimeMessage awaitMail(String to, String subjectPart, String requestId) {
        MimeMessage[] found = new MimeMessage[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (MimeMessage m : fx.gateway.mail().messagesFor(to)) {
                if (subject(m).contains(subjectPart) && subject(m).contains(requestId)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject() == null ? "" : m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode api(String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.gateway.httpPort() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ("bureau:" + fx.gateway.adminPassword()).getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String terminatedPartner() {
        return """
                {
                  "id": "ville-ancienne",
                  "name": "Ville Ancienne",
                  "convention": { "signedOn": "2023-01-10", "termYears": 1, "tacitRenewal": true,
                                  "terminationNoticeOn": "2025-03-01" },
                  "referent": { "name": "Alex Ancien", "email": "referent@ville-ancienne.example",
                                "phone": "02 00 00 00 00", "service": "Observatoire" },
                  "sftpPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDVWeUOWBPSh17qmfNKpcJQII2RYFXXx17hisogqCW/3 ancienne",
                  "pgpFingerprint": "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406",
                  "allowedChannels": ["MAIL"],
                  "requireSignedRequests": false,
                  "territories": [ { "code": "76540", "kind": "COMMUNE", "name": "Rouen" } ]
                }
                """;
    }
}
