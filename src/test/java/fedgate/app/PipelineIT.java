package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.decision.AutoApproval;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After intake: assess → decide (feuillet 2 by mail with its PDF, and as JSON on the partner's queue) → extract →
 * fed.deliver, with a status event for every change — a whole gateway on its embedded servers, driven by the real
 * clients: SMTP, AMQP 1.0 (the partner), the Artemis CORE client, HTTP and the {@code fedgate decide} command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final String REFERENT = "referent@ville-rouen.example";
    private static final List<String> EXTRACT_FILES = List.of("extract.csv", "extract.json", "disclosure-report.json",
            "disclosure-report.md");

    private GatewayFixture fx;
    private Path home;
    private String approvedId;

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("fedgate-pipeline-it-");
        fx = new GatewayFixture(home);
        fx.start();
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    @Test
    @Order(1)
    void sampleSnapshotIsGeneratedOnceUnderTheHome() {
        assertThat(home.resolve("data/snapshots/allocataires-sample.parquet")).isRegularFile();
    }

    @Test
    @Order(2)
    void mailRequestIsAssessedDecidedByTheCommandAnsweredAndExtracted() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
        MimeMessage m = new MimeMessage(fx.mailSession());
        m.setFrom(new InternetAddress(REFERENT));
        m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress("fed@caf-rouen.example"));
        m.setSubject("Demande de données FED", "UTF-8");
        m.setText(new String(fx.resource("demande-rouen.txt"), StandardCharsets.UTF_8)
                .replace("Diagnostic social de territoire 2026", "Diagnostic " + UUID.randomUUID()), "UTF-8");
        fx.sendMail(m);
        String id = fx.awaitRequest(r -> "MAIL".equals(r.channel())).id();
        awaitStatus(id, RequestStatus.ASSESSED);

        JsonNode pipeline = JSON.readTree(http("GET", "/api/requests/" + id, operator(), null).body()).path("pipeline");
        JsonNode draft = pipeline.path("draft");
        assertThat(draft.path("territory").asText()).isEqualTo("76540");
        assertThat(draft.path("levels").toString()).contains("commune", "epci");
        assertThat(draft.path("publishableIndicators").toString()).contains("ALLOC", "TX_COUV", "PART_FAM_NOMB");
        assertThat(draft.path("indicateursDisponibles").asText()).contains("Nombre d'allocataires");
        assertThat(draft.path("autoApprovable").asBoolean()).isTrue();
        // auto-approve is off by default: the request waits for the Bureau
        Thread.sleep(500);
        assertThat(status(id)).isEqualTo(RequestStatus.ASSESSED);

        DecideCommand decide = new DecideCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        decide.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        decide.env = Map.of();
        int exit = new picocli.CommandLine(decide).execute(id, "--favorable", "--motif",
                "Données disponibles dans le socle de cadrage.", "--indicators", "ALLOC,TX_COUV", "--delay",
                "sous 10 jours", "--url", "http://127.0.0.1:" + fx.gateway.httpPort(), "--home", home.toString());
        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("APPROVED");

        // feuillet 2 by mail, with the PDF
        MimeMessage answer = awaitMailTo(REFERENT, id, "FED, feuillet n° 2");
        assertThat(answer.getSubject()).contains("favorable");
        Multipart mp = (Multipart) answer.getContent();
        String text = null;
        byte[] pdf = null;
        for (int i = 0; i < mp.getCount(); i++) {
            Part p = mp.getBodyPart(i);
            if (p.isMimeType("application/pdf")) {
                pdf = p.getInputStream().readAllBytes();
                assertThat(p.getFileName()).isEqualTo(id + "-feuillet2.pdf");
            } else if (p.isMimeType("text/plain")) {
                text = p.getContent().toString();
            }
        }
        assertThat(text).contains("Réponse de l'organisme fournisseur : favorable", "Nombre d'allocataires (ALLOC)",
                "sous 10 jours", "décision de bureau");
        assertThat(pdf).isNotNull();
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            assertThat(new PDFTextStripper().getText(doc)).contains("FEUILLET", "favorable", id, "Taux de couverture");
        }

        // extract, then the delivery stage takes {"requestId","extractDir","version"} from fed.deliver
        awaitStatus(id, RequestStatus.EXTRACTED, RequestStatus.DELIVERED);
        Path dir = home.resolve("data/extracts/" + id + "/v1");
        for (String f : EXTRACT_FILES) {
            assertThat(dir.resolve(f)).isRegularFile();
        }
        assertThat(Files.readString(dir.resolve("extract.csv"))).startsWith("# Source : CAF de Rouen")
                .contains("ALLOC;", "TX_COUV;").doesNotContain("PART_FAM_NOMB;");
        StoredRequest done = awaitStatus(id, RequestStatus.DELIVERED);
        JsonNode detail = JSON.readTree(http("GET", "/api/requests/" + id, operator(), null).body());
        assertThat(detail.path("pipeline").path("extract").path("dir").asText()).isEqualTo(dir.toString());
        assertThat(detail.path("deliveries").toString()).contains(id);
        assertThat(fx.gateway.requests().history(id)).anyMatch(h -> h.status() == RequestStatus.APPROVED
                && "bureau".equals(h.actor()));

        // the partner's system reads it all on its own queue, correlated by request id
        List<Message> events = partnerEvents(id, 5);
        List<String> statuses = new ArrayList<>();
        JsonNode feuillet2 = null;
        for (Message e : events) {
            assertThat(e.getJMSCorrelationID()).isEqualTo(id);
            JsonNode n = JSON.readTree(e.getBody(String.class));
            assertThat(n.path("requestId").asText()).isEqualTo(id);
            if ("fed.feuillet2".equals(n.path("type").asText())) {
                feuillet2 = n;
            } else if ("fed.status".equals(n.path("type").asText())) {
                assertThat(e.getJMSType()).isEqualTo("fed.status");
                assertThat(n.path("at").asText()).isNotBlank();
                statuses.add(n.path("status").asText());
            } // the delivery stage's notice also travels there
        }
        assertThat(statuses).containsSubsequence("VALIDATED", "ASSESSED", "APPROVED", "EXTRACTED");
        assertThat(feuillet2).isNotNull();
        assertThat(feuillet2.path("favorable").asBoolean()).isTrue();
        assertThat(feuillet2.path("indicators").toString()).contains("ALLOC", "TX_COUV");
        approvedId = id;
        assertThat(done.status()).isEqualTo(RequestStatus.DELIVERED);
    }

    @Test
    @Order(3)
    void aRedeliveredExtractMessageDoesNotExtractTwice() throws Exception {
        sendInternal("fed.extract", "{\"requestId\":\"" + approvedId + "\"}");
        sendInternal("fed.decided", "{\"requestId\":\"" + approvedId + "\"}");
        Thread.sleep(3000);
        assertThat(home.resolve("data/extracts/" + approvedId + "/v2")).doesNotExist();
        assertThat(status(approvedId)).isEqualTo(RequestStatus.DELIVERED);
        assertThat(fx.gateway.mail().messagesFor(REFERENT).stream()
                .filter(m -> subject(m).contains(approvedId) && subject(m).contains("feuillet"))).hasSize(1);
    }

    @Test
    @Order(3)
    void aRedeliveredAssessmentOrderSendsItsEventsAgainButThePartnerGetsEachOnce() throws Exception {
        // the assessment's events had left (read by the partner in order 2): sent again with their duplicate-detection
        // ids, outside the stage's transaction, they are dropped by the broker
        try (LogCapture log = new LogCapture()) {
            sendInternal("fed.validated", "{\"requestId\":\"" + approvedId + "\"}");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> log.text().contains(approvedId
                            + " is DELIVERED: already assessed; its [VALIDATED, ASSESSED] event(s) sent again"));
        }
        List<String> again = new ArrayList<>();
        for (Message e : partnerEvents(approvedId, 0)) {
            again.add(e.getJMSType() + " " + JSON.readTree(e.getBody(String.class)).path("status").asText());
        }
        assertThat(again).as("no second VALIDATED or ASSESSED event").isEmpty();
        assertThat(status(approvedId)).isEqualTo(RequestStatus.DELIVERED);
    }

    @Test
    @Order(4)
    void decisionOnARequestThatIsNotAssessedIsAConflict() throws Exception {
        HttpResponse<String> r = http("POST", "/api/requests/" + approvedId + "/decision", operator(),
                "{\"favorable\":false,\"motif\":\"trop tard\"}");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("DELIVERED", "only an ASSESSED request");
        assertThat(http("POST", "/api/requests/FED-2026-999999/decision", operator(),
                "{\"favorable\":true,\"motif\":\"x\"}").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void unauthenticatedOrWrongPasswordDecisionIsRefused() throws Exception {
        String body = "{\"favorable\":true,\"motif\":\"x\"}";
        assertThat(http("POST", "/api/requests/" + approvedId + "/decision", null, body).statusCode()).isEqualTo(401);
        assertThat(http("POST", "/api/requests/" + approvedId + "/decision", "bureau:wrong", body).statusCode())
                .isEqualTo(401);
        DecideCommand decide = new DecideCommand();
        decide.env = Map.of("FEDGATE_ADMIN_PASSWORD", "not-the-password");
        decide.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(new picocli.CommandLine(decide).execute(approvedId, "--favorable", "--motif", "x", "--url",
                "http://127.0.0.1:" + fx.gateway.httpPort())).isEqualTo(1);
    }

    @Test
    @Order(6)
    void defavorableIsDeclinedAnsweredAndNeverExtracted() throws Exception {
        String id = submit(fed("défavorable", "interne"));
        awaitStatus(id, RequestStatus.ASSESSED);
        HttpResponse<String> bad = http("POST", "/api/requests/" + id + "/decision", operator(),
                "{\"favourable\":false,\"motif\":\"\",\"indicators\":[\"CHATS\"]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("unknown field 'favourable'");
        assertThat(http("POST", "/api/requests/" + id + "/decision", operator(), "{not json").statusCode())
                .isEqualTo(400);
        assertThat(status(id)).isEqualTo(RequestStatus.ASSESSED);

        HttpResponse<String> r = http("POST", "/api/requests/" + id + "/decision", operator(),
                "{\"favorable\":false,\"motif\":\"Étude hors du champ de la convention (Art. 1.1).\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(status(id)).isEqualTo(RequestStatus.DECLINED);
        MimeMessage answer = awaitMailTo(REFERENT, id, "feuillet n° 2");
        assertThat(answer.getSubject()).endsWith("défavorable");
        List<String> statuses = partnerEvents(id, 4).stream().map(PipelineIT::body)
                .filter(n -> "fed.status".equals(n.path("type").asText()))
                .map(n -> n.path("status").asText() + ":" + n.path("reason").asText("")).toList();
        assertThat(statuses).contains("DECLINED:Étude hors du champ de la convention (Art. 1.1).");
        Thread.sleep(1500);
        assertThat(home.resolve("data/extracts/" + id)).doesNotExist();
        assertThat(status(id)).isEqualTo(RequestStatus.DECLINED);
    }

    @Test
    @Order(7)
    void externalDiffusionWaitsForTheBureausApprovalBeforeExtract() throws Exception {
        String id = submit(fed("diffusion externe", "externe"));
        awaitStatus(id, RequestStatus.ASSESSED);
        HttpResponse<String> r = http("POST", "/api/requests/" + id + "/decision", operator(),
                "{\"favorable\":true,\"motif\":\"Données disponibles.\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("APPROVED", "waiting for the approval of the external diffusion");
        MimeMessage answer = awaitMailTo(REFERENT, id, "feuillet n° 2");
        assertThat(((Multipart) answer.getContent()).getBodyPart(0).getContent().toString())
                .contains("n'est pas encore donné");
        JsonNode approved = partnerEvents(id, 4).stream().map(PipelineIT::body)
                .filter(n -> "APPROVED".equals(n.path("status").asText())).findFirst().orElseThrow();
        assertThat(approved.path("reason").asText()).contains("diffusion externe", "Art. 4");
        Thread.sleep(2000);
        assertThat(status(id)).isEqualTo(RequestStatus.APPROVED);
        assertThat(home.resolve("data/extracts/" + id)).doesNotExist();

        HttpResponse<String> ok = http("POST", "/api/requests/" + id + "/external-diffusion", operator(), null);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        awaitStatus(id, RequestStatus.EXTRACTED, RequestStatus.DELIVERED);
        assertThat(home.resolve("data/extracts/" + id + "/v1/extract.csv")).isRegularFile();
        assertThat(http("POST", "/api/requests/" + id + "/external-diffusion", operator(), null).statusCode())
                .isEqualTo(409);
    }

    @Test
    @Order(20)
    void autoApprovePolicyApprovesWhatTheSocleCoversAndLeavesTheRest() throws Exception {
        fx.stop();
        Path home2 = Files.createTempDirectory("fedgate-pipeline-auto-");
        try (GatewayFixture auto = new GatewayFixture(home2)) {
            auto.overrides.setProperty("fedgate.decision.auto-approve", "true");
            auto.start();
            fx = auto;
            home = home2;
            String id = submit(fed("auto", "interne"));
            awaitStatus(id, RequestStatus.EXTRACTED, RequestStatus.DELIVERED);
            assertThat(fx.gateway.requests().history(id)).anyMatch(h -> h.status() == RequestStatus.APPROVED
                    && AutoApproval.ACTOR.equals(h.actor()));
            assertThat(home2.resolve("data/extracts/" + id + "/v1/extract.json")).isRegularFile();
            awaitMailTo(REFERENT, id, "feuillet n° 2");

            String externe = submit(fed("auto externe", "externe"));
            awaitStatus(externe, RequestStatus.ASSESSED);
            Thread.sleep(1500);
            assertThat(status(externe)).isEqualTo(RequestStatus.ASSESSED);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Waits until the request is in one of {@code statuses}; fails at once on FAILED or REJECTED. */
    private StoredRequest awaitStatus(String id, RequestStatus... statuses) {
        StoredRequest[] found = new StoredRequest[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            found[0] = fx.gateway.requests().find(id).orElseThrow();
            assertThat(found[0].status()).as(id + " " + fx.gateway.requests().history(id))
                    .isNotIn(RequestStatus.FAILED, RequestStatus.REJECTED);
            return List.of(statuses).contains(found[0].status());
        });
        return found[0];
    }

    private RequestStatus status(String id) {
        return fx.gateway.requests().find(id).orElseThrow().status();
    }

    private byte[] fed(String study, String diffusion) throws Exception {
        ObjectNode fed = (ObjectNode) JSON.readTree(fx.resource("demande-rouen.json"));
        fed.put("study", "Diagnostic social — " + study + " " + UUID.randomUUID());
        fed.put("diffusion", diffusion);
        return JSON.writeValueAsBytes(fed);
    }

    /** Submits as the partner over AMQP 1.0 and returns the request id of the acknowledgement. */
    private String submit(byte[] body) throws Exception {
        String correlation = "pipeline-" + UUID.randomUUID();
        try (Connection c = partnerFactory().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.Queue events = s.createQueue("fed.events.ville-rouen");
            MessageProducer p = s.createProducer(s.createQueue("fed.requests.in"));
            jakarta.jms.TextMessage m = s.createTextMessage(new String(body, StandardCharsets.UTF_8));
            m.setJMSReplyTo(events);
            m.setJMSCorrelationID(correlation);
            p.send(m);
            Message ack = s.createConsumer(events, "JMSCorrelationID = '" + correlation + "'").receive(60_000);
            assertThat(ack).isNotNull();
            JsonNode n = JSON.readTree(ack.getBody(String.class));
            assertThat(n.path("accepted").asBoolean()).as(n.toString()).isTrue();
            return n.path("requestId").asText();
        }
    }

    private ConnectionFactory partnerFactory() throws Exception {
        return new JmsConnectionFactory("ville-rouen",
                Files.readString(home.resolve("secrets/broker-ville-rouen")).trim(),
                "amqp://127.0.0.1:" + fx.gateway.broker().port());
    }

    /** At least {@code expected} messages correlated with {@code id} on the partner's queue, in order. */
    private List<Message> partnerEvents(String id, int expected) throws Exception {
        List<Message> out = new ArrayList<>();
        try (Connection c = partnerFactory().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue("fed.events.ville-rouen"),
                    "JMSCorrelationID = '" + id + "'");
            long deadline = System.currentTimeMillis() + 30_000;
            Message m;
            while (System.currentTimeMillis() < deadline
                    && (m = consumer.receive(out.size() >= expected ? 1000 : 30_000)) != null) {
                out.add(m);
            }
        }
        return out;
    }

    private ConnectionFactory internalFactory() throws Exception {
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + fx.gateway.broker().port(), "fedgate",
                Files.readString(home.resolve("secrets/broker-fedgate")).trim());
    }

    private void sendInternal(String queue, String body) throws Exception {
        try (Connection c = internalFactory().createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(body));
        }
    }

    private static JsonNode body(Message m) {
        try {
            return JSON.readTree(m.getBody(String.class));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private MimeMessage awaitMailTo(String address, String requestId, String subjectPart) {
        MimeMessage[] found = new MimeMessage[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (MimeMessage m : fx.gateway.mail().messagesFor(address)) {
                if (subject(m).contains(requestId) && subject(m).contains(subjectPart)) {
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
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String operator() {
        return "bureau:" + fx.gateway.adminPassword();
    }

    private HttpResponse<String> http(String method, String path, String credentials, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.gateway.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
