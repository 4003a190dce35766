package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.app.embedded.EmbeddedMailServer;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 2 end to end: a gateway on its embedded servers, fed by the real clients partners use — SMTP,
 * OpenSSH sftp, AMQP 1.0 and CORE — each request ending VALIDATED or REJECTED with its acknowledgement.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IntakeIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final String REFERENT = "referent@ville-rouen.example";
    private static final String INTAKE = "fed@caf-rouen.example";

    private GatewayFixture fx;
    private Path home;

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("fedgate-it-");
        fx = new GatewayFixture(home);
        Files.createDirectories(home.resolve("partners"));
        Files.writeString(home.resolve("partners/ville-ancienne.json"), terminatedPartner());
        fx.start();
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    // ------------------------------------------------------------------ the three channels

    @Test
    @Order(1)
    void mailRequestInTheBodyIsValidatedAndAcknowledgedToTheReferent() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
        MimeMessage m = mail(REFERENT, messageId, "Demande de données FED");
        m.setText(text("demande-rouen.txt"), "UTF-8");
        fx.sendMail(m);

        StoredRequest r = fx.awaitRequestBySource("MAIL", messageId);
        assertValidated(r);
        assertThat(r.partnerId()).isEqualTo("ville-rouen");
        assertThat(r.id()).matches("FED-\\d{4}-\\d{6}");
        JsonNode f1 = JSON.readTree(r.feuillet1Json());
        assertThat(f1.path("indicators").toString()).contains("ALLOC", "TX_COUV", "PART_FAM_NOMB");

        MimeMessage ack = awaitMailTo(REFERENT, r.id());
        assertThat(ack.getSubject()).contains("Accusé de réception", r.id());
        String body = ack.getContent().toString();
        assertThat(body).contains(r.id(), r.sha256(), "recevable");
        assertThat(ack.getHeader("In-Reply-To")[0]).isEqualTo(messageId);
        // queued on fed.validated (the assess stage consumes it)
        await().atMost(Duration.ofSeconds(30)).until(() ->
                fx.gateway.requests().find(r.id()).orElseThrow().forwardedAt() != null);
        // read and stored: moved out of the INBOX (which keeps only what is still to be read), seen, to the folder
        await().atMost(Duration.ofSeconds(30)).until(() -> intakeFolder("INBOX", messageId) == null);
        jakarta.mail.Flags moved = intakeFolder("Traitees", messageId);
        assertThat(moved).as("the mail in the processed folder").isNotNull();
        assertThat(moved.contains(jakarta.mail.Flags.Flag.SEEN)).isTrue();
    }

    /** The flags of the mail {@code messageId} in a folder of the intake mailbox (over IMAP), null when absent. */
    private jakarta.mail.Flags intakeFolder(String folder, String messageId) throws Exception {
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(new java.util.Properties());
        try (jakarta.mail.Store store = session.getStore("imap")) {
            store.connect("127.0.0.1", fx.gateway.mail().imapPort(), EmbeddedMailServer.INTAKE_ADDRESS,
                    Secrets.secret("FEDGATE_MAIL_PASSWORD", home.resolve("secrets/mail-fed")));
            jakarta.mail.Folder f = store.getFolder(folder);
            if (!f.exists()) {
                return null;
            }
            f.open(jakarta.mail.Folder.READ_ONLY);
            try {
                for (jakarta.mail.Message m : f.getMessages()) {
                    String[] id = m.getHeader("Message-ID");
                    if (id != null && messageId.equals(id[0])) {
                        return m.getFlags();
                    }
                }
                return null;
            } finally {
                f.close(false);
            }
        }
    }

    @Test
    @Order(2)
    void sftpUploadWithThePartnerKeyIsValidatedAndAcknowledgedInTheOutbox() throws Exception {
        GatewayFixture.Sftp put = fx.upload("demande-sftp.json", jsonFed("SFTP " + UUID.randomUUID()));
        assertThat(put.exitCode()).as(put.output()).isZero();

        StoredRequest r = fx.awaitRequestBySource("SFTP", "demande-sftp.json");
        assertValidated(r);
        assertThat(r.partnerId()).isEqualTo("ville-rouen");

        Path local = home.resolve("ack-" + r.id() + ".json");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                fx.sftp(fx.partnerKey, "ville-rouen", "get /outbox/" + r.id() + "-accuse-reception.json " + local)
                        .exitCode() == 0);
        JsonNode ack = JSON.readTree(Files.readString(local));
        assertThat(ack.path("requestId").asText()).isEqualTo(r.id());
        assertThat(ack.path("accepted").asBoolean()).isTrue();
        assertThat(ack.path("sha256").asText()).isEqualTo(r.sha256());
        GatewayFixture.Sftp text = fx.sftp(fx.partnerKey, "ville-rouen", "get /outbox/" + r.id()
                + "-accuse-reception.txt " + home.resolve("ack.txt"));
        assertThat(text.exitCode()).isZero();
        assertThat(Files.readString(home.resolve("ack.txt"))).contains("accuse réception", r.id());
        // the input leaves the inbox only once stored
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !fx.sftp(fx.partnerKey, "ville-rouen", "ls /inbox").output().contains("demande-sftp.json"));
    }

    @Test
    @Order(3)
    void amqpSubmissionGetsTheAcknowledgementAsReplyWithItsCorrelationId() throws Exception {
        ConnectionFactory cf = new JmsConnectionFactory("ville-rouen", brokerPassword("ville-rouen"),
                "amqp://127.0.0.1:" + fx.gateway.broker().port());
        JsonNode reply = requestReply(cf, jsonFed("AMQP " + UUID.randomUUID()), "corr-amqp-1");
        assertThat(reply.path("accepted").asBoolean()).as(reply.toString()).isTrue();
        StoredRequest r = fx.gateway.requests().find(reply.path("requestId").asText()).orElseThrow();
        assertValidated(r);
        assertThat(r.channel()).isEqualTo("BROKER");
        assertThat(r.partnerId()).isEqualTo("ville-rouen");
        assertThat(r.sourceRef()).isNotBlank();
    }

    @Test
    @Order(4)
    void coreSubmissionGetsTheAcknowledgementAsReplyWithItsCorrelationId() throws Exception {
        ConnectionFactory cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + fx.gateway.broker().port(),
                "ville-rouen", brokerPassword("ville-rouen"));
        JsonNode reply = requestReply(cf, jsonFed("CORE " + UUID.randomUUID()), "corr-core-1");
        assertThat(reply.path("accepted").asBoolean()).as(reply.toString()).isTrue();
        assertValidated(fx.gateway.requests().find(reply.path("requestId").asText()).orElseThrow());
    }

    // ------------------------------------------------------------------ rejections

    @Test
    @Order(10)
    void missingRequiredFieldIsRejectedWithItsFrenchReasonAndQuarantined() throws Exception {
        ObjectNode fed = (ObjectNode) JSON.readTree(jsonFed("x"));
        fed.remove("study");
        JsonNode reply = brokerRequest(JSON.writeValueAsBytes(fed), "corr-missing");
        assertThat(reply.path("accepted").asBoolean()).isFalse();
        assertThat(reply.toString()).contains("MISSING_FIELD", "Étude envisagée");
        String id = reply.path("requestId").asText();
        assertThat(fx.gateway.requests().find(id).orElseThrow().status()).isEqualTo(RequestStatus.REJECTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(home.resolve("quarantine/" + id + ".reason.txt")));
        assertThat(home.resolve("quarantine/" + id + ".bin")).exists();
        assertThat(home.resolve("quarantine/" + id + ".reason.txt")).content().contains("MISSING_FIELD");
    }

    @Test
    @Order(11)
    void unknownSenderIsRejectedAndNotAnswered() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@evil.example>";
        MimeMessage m = mail("someone@evil.example", messageId, "Demande");
        m.setText(text("demande-rouen.txt"), "UTF-8");
        fx.sendMail(m);
        StoredRequest r = fx.awaitRequestBySource("MAIL", messageId);
        assertThat(r.status()).isEqualTo(RequestStatus.REJECTED);
        assertThat(GatewayFixture.reasonCodes(r)).contains("UNKNOWN_SENDER");
        assertThat(fx.gateway.mail().messagesFor("someone@evil.example")).isEmpty();
    }

    @Test
    @Order(12)
    void terminatedConventionRejectsNewRequests() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@ville-ancienne.example>";
        MimeMessage m = mail("referent@ville-ancienne.example", messageId, "Demande");
        m.setText(text("demande-rouen.txt").replace("Ville de Rouen", "Ville Ancienne")
                .replace(REFERENT, "referent@ville-ancienne.example"), "UTF-8");
        fx.sendMail(m);
        StoredRequest r = fx.awaitRequestBySource("MAIL", messageId);
        assertThat(GatewayFixture.reasonCodes(r)).contains("CONVENTION_NOT_IN_FORCE");
        MimeMessage ack = awaitMailTo("referent@ville-ancienne.example", r.id());
        assertThat(ack.getContent().toString()).contains("ne peut pas être instruite", "Art. 6");
    }

    @Test
    @Order(13)
    void unknownIndicatorIsNamedInTheReason() throws Exception {
        ObjectNode fed = (ObjectNode) JSON.readTree(jsonFed("indicateur inconnu"));
        fed.putArray("indicatorsRequested").add("Nombre d'allocataires").add("nombre de chats par foyer");
        JsonNode reply = brokerRequest(JSON.writeValueAsBytes(fed), "corr-indicator");
        assertThat(reply.path("accepted").asBoolean()).isFalse();
        assertThat(reply.toString()).contains("UNKNOWN_INDICATOR", "nombre de chats par foyer");
    }

    @Test
    @Order(14)
    void contratEnfanceIsOutsideTheConvention() throws Exception {
        ObjectNode fed = (ObjectNode) JSON.readTree(jsonFed("Bilan du contrat enfance jeunesse 2026"));
        JsonNode reply = brokerRequest(JSON.writeValueAsBytes(fed), "corr-scope");
        assertThat(reply.path("accepted").asBoolean()).isFalse();
        assertThat(reply.toString()).contains("OUT_OF_SCOPE");
    }

    @Test
    @Order(15)
    void unsupportedOversizedBombAndXxeInputsAreQuarantinedAndTheGatewayKeepsServing() throws Exception {
        byte[] png = Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
        byte[] big = new byte[11 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE fed [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<feuillet1><study>&x;</study></feuillet1>").getBytes(StandardCharsets.UTF_8);
        assertThat(fx.upload("image.png", png).exitCode()).isZero();
        assertThat(fx.upload("enorme.txt", big).exitCode()).isZero();
        assertThat(fx.upload("bombe.docx", zipBomb()).exitCode()).isZero();
        assertThat(fx.upload("xxe.xml", xxe).exitCode()).isZero();

        assertThat(GatewayFixture.reasonCodes(fx.awaitRequestBySource("SFTP", "image.png")))
                .contains("UNSUPPORTED_TYPE");
        assertThat(GatewayFixture.reasonCodes(fx.awaitRequestBySource("SFTP", "enorme.txt"))).contains("TOO_LARGE");
        assertThat(GatewayFixture.reasonCodes(fx.awaitRequestBySource("SFTP", "bombe.docx")))
                .contains("ARCHIVE_BOMB");
        StoredRequest x = fx.awaitRequestBySource("SFTP", "xxe.xml");
        assertThat(x.status()).isEqualTo(RequestStatus.REJECTED);
        assertThat(x.feuillet1Json()).isNull();
        assertThat(x.reasonsJson()).doesNotContain("root:");

        // still serving
        HttpResponse<String> health = http("/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode ok = brokerRequest(jsonFed("après les attaques " + UUID.randomUUID()), "corr-after");
        assertThat(ok.path("accepted").asBoolean()).isTrue();
    }

    @Test
    @Order(16)
    void pathTraversalFileNameIsRefused() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
        MimeMessage m = mail(REFERENT, messageId, "Demande en pièce jointe");
        MimeMultipart mp = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Bonjour, veuillez trouver notre demande en pièce jointe.", "UTF-8");
        MimeBodyPart att = new MimeBodyPart();
        att.setContent(new String(jsonFed("traversal " + UUID.randomUUID()), StandardCharsets.UTF_8),
                "application/json; charset=UTF-8");
        att.setDisposition(Part.ATTACHMENT);
        att.setFileName("../../../etc/cron.d/fed.json");
        mp.addBodyPart(text);
        mp.addBodyPart(att);
        m.setContent(mp);
        fx.sendMail(m);
        StoredRequest r = fx.awaitRequestBySource("MAIL", messageId);
        assertThat(GatewayFixture.reasonCodes(r)).contains("UNSAFE_FILE_NAME");
        assertThat(Path.of("/etc/cron.d/fed.json")).doesNotExist();
        // the quarantine copy is written just after the verdict is committed (the request id comes from that commit)
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(home.resolve("quarantine/" + r.id() + ".bin")));
    }

    @Test
    @Order(17)
    void theSameMailTwiceIsAcknowledgedAndProcessedOnce() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
        MimeMessage m = mail(REFERENT, messageId, "Demande envoyée deux fois");
        m.setText(text("demande-rouen.txt").replace("2026 :", "2026 (bis) :"), "UTF-8");
        fx.sendMail(m);
        StoredRequest r = fx.awaitRequestBySource("MAIL", messageId);
        awaitMailTo(REFERENT, r.id());
        MimeMessage again = mail(REFERENT, messageId, "Demande envoyée deux fois");
        again.setText(text("demande-rouen.txt").replace("2026 :", "2026 (bis) :"), "UTF-8");
        fx.sendMail(again);
        await().atMost(Duration.ofSeconds(30)).until(() -> fx.gateway.requests().history(r.id()).stream()
                .anyMatch(h -> h.detail() != null && h.detail().startsWith("duplicate")));
        assertThat(fx.gateway.requests().list(1000).stream().filter(x -> messageId.equals(x.sourceRef()))).hasSize(1);
        assertThat(fx.gateway.mail().messagesFor(REFERENT).stream().filter(x -> subject(x).contains(r.id())))
                .hasSize(1);

        // same content by SFTP twice: one request
        byte[] content = jsonFed("deux fois " + UUID.randomUUID());
        fx.upload("double-1.json", content);
        StoredRequest first = fx.awaitRequestBySource("SFTP", "double-1.json");
        fx.upload("double-2.json", content);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !fx.sftp(fx.partnerKey, "ville-rouen", "ls /inbox").output().contains("double-2.json"));
        assertThat(fx.gateway.requests().list(1000).stream().filter(x -> x.sha256().equals(first.sha256())))
                .hasSize(1);
    }

    // ------------------------------------------------------------------ HTTP API

    @Test
    @Order(20)
    void onlyHealthIsAnonymousAndTheApiListsRequestsForTheOperator() throws Exception {
        assertThat(http("/health", null).statusCode()).isEqualTo(200);
        assertThat(http("/api/requests", null).statusCode()).isEqualTo(401);
        assertThat(http("/api/requests", "bureau:wrong").statusCode()).isEqualTo(401);
        assertThat(http("/api/requests", "admin:" + fx.gateway.adminPassword()).statusCode()).isEqualTo(401);
        HttpResponse<String> list = http("/api/requests", "bureau:" + fx.gateway.adminPassword());
        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode arr = JSON.readTree(list.body());
        assertThat(arr.isArray()).isTrue();
        JsonNode first = arr.get(0);
        assertThat(first.fieldNames()).toIterable().contains("id", "partnerId", "channel", "sourceRef",
                "receivedAt", "sha256", "status", "reasons");
        HttpResponse<String> one = http("/api/requests/" + first.path("id").asText(),
                "bureau:" + fx.gateway.adminPassword());
        JsonNode detail = JSON.readTree(one.body());
        assertThat(detail.path("history").size()).isGreaterThanOrEqualTo(2);
        assertThat(detail.has("feuillet1")).isTrue();
        assertThat(home.resolve("secrets/admin-password")).exists();
        // every state change so far is an event of the hash-chained ledger, and the chain holds
        assertThat(fx.gateway.ledger().verify().ok()).isTrue();
        assertThat(fx.gateway.ledger().export(first.path("id").asText()).toFrenchText()).contains("reçue par");
        assertThat(Files.getPosixFilePermissions(home.resolve("secrets/admin-password")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    @Order(30)
    void aSecondStartOnTheSameHomeResumesWhereTheFirstStopped() throws Exception {
        int before = fx.gateway.requests().list(10_000).size();
        String lastId = fx.gateway.requests().list(1).get(0).id();
        fx.stop();
        fx.start();
        assertThat(fx.gateway.requests().list(10_000)).hasSize(before);
        JsonNode reply = brokerRequest(jsonFed("après redémarrage " + UUID.randomUUID()), "corr-restart");
        assertThat(reply.path("accepted").asBoolean()).isTrue();
        assertThat(reply.path("requestId").asText()).isGreaterThan(lastId);
    }

    // ------------------------------------------------------------------ helpers

    /** Validated, and possibly already picked up by the assess stage that follows intake. */
    private void assertValidated(StoredRequest r) {
        assertThat(r.status()).isIn(RequestStatus.VALIDATED, RequestStatus.ASSESSED);
        assertThat(fx.gateway.requests().history(r.id())).anyMatch(h -> h.status() == RequestStatus.VALIDATED);
    }

    private MimeMessage mail(String from, String messageId, String subject) throws Exception {
        MimeMessage m = new MimeMessage(fx.mailSession()) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        m.setFrom(new InternetAddress(from));
        m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(INTAKE));
        m.setSubject(subject, "UTF-8");
        return m;
    }

    private MimeMessage awaitMailTo(String address, String requestId) {
        MimeMessage[] found = new MimeMessage[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (MimeMessage m : fx.gateway.mail().messagesFor(address)) {
                if (subject(m).contains(requestId)) {
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

    private String text(String resource) throws Exception {
        return new String(fx.resource(resource), StandardCharsets.UTF_8);
    }

    /** The sample JSON FED with a distinct study, so that each test's content (and hash) is its own. */
    private byte[] jsonFed(String study) throws Exception {
        ObjectNode fed = (ObjectNode) JSON.readTree(fx.resource("demande-rouen.json"));
        fed.put("study", "Diagnostic social de territoire — " + study);
        return JSON.writeValueAsBytes(fed);
    }

    private String brokerPassword(String user) throws Exception {
        return Files.readString(home.resolve("secrets/broker-" + user)).trim();
    }

    private JsonNode brokerRequest(byte[] body, String correlationId) throws Exception {
        ConnectionFactory cf = new JmsConnectionFactory("ville-rouen", brokerPassword("ville-rouen"),
                "amqp://127.0.0.1:" + fx.gateway.broker().port());
        return requestReply(cf, body, correlationId);
    }

    private JsonNode requestReply(ConnectionFactory cf, byte[] body, String correlationId) throws Exception {
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            // partners may not create temporary queues: their reply-to is their own events queue
            jakarta.jms.Queue replyTo = s.createQueue("fed.events.ville-rouen");
            MessageProducer p = s.createProducer(s.createQueue("fed.requests.in"));
            TextMessage m = s.createTextMessage(new String(body, StandardCharsets.UTF_8));
            m.setJMSReplyTo(replyTo);
            m.setJMSCorrelationID(correlationId);
            p.send(m);
            MessageConsumer consumer = s.createConsumer(replyTo, "JMSCorrelationID = '" + correlationId + "'");
            Message reply = consumer.receive(60_000);
            assertThat(reply).as("reply to " + correlationId).isNotNull();
            assertThat(reply.getJMSCorrelationID()).isEqualTo(correlationId);
            return JSON.readTree(reply.getBody(String.class));
        }
    }

    private HttpResponse<String> http(String path, String credentials) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.gateway.httpPort() + path));
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A DOCX-looking zip whose single entry inflates to 2 GiB of zeros. */
    private static byte[] zipBomb() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
            zip.write("<Types/>".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 2048; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
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
