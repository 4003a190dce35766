package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.delivery.DeliveryFixtures;
import fedgate.state.DeliveryRepository.StoredDelivery;
import fedgate.state.DeliveryStatus;
import fedgate.state.RequestStatus;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 4, the delivery stage in the running gateway: an extract on {@code fed.deliver} reaches the partner by its
 * SFTP outbox or by mail, signed and encrypted; the partner's real clients (OpenSSH sftp, GnuPG, fedgate receipt
 * verify) read it; the download makes the request RETRIEVED; failures are retried, dead-lettered and replayed
 * without ever delivering a version twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final String REFERENT = "referent@ville-rouen.example";

    private GatewayFixture fx;
    private Path home;
    private String firstRequest;
    private String firstMessage;

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("fedgate-dlv-");
        fx = new GatewayFixture(home);
        // a fixed SFTP port, so that the server can be stopped and restarted where the routes expect it
        fx.overrides.setProperty("fedgate.sftp.port", Integer.toString(GatewayFixture.freePort()));
        fx.overrides.setProperty("fedgate.broker.max-delivery-attempts", "3");
        // these tests stop the SFTP server to exercise the broker's redelivery and dead-letter path (attempts recorded,
        // fed.dlq, replay): no waiting in place for a server away here (the default, an hour of retries in place, is
        // what OutageProofIT proves)
        fx.overrides.setProperty("fedgate.outage.max-retries", "0");
        fx.overrides.setProperty("fedgate.delivery.email-max-bytes", "300000");
        Path keys = Files.createDirectories(home.resolve("pgp"));
        fx.overrides.setProperty("fedgate.pgp.partner-keys-dir", keys.toString());
        Files.copy(DeliveryFixtures.VILLE_PUB, keys.resolve("ville-rouen.pub.asc"));
        // ville-test's registry pins the fingerprint of ville-rouen's key, but its key file holds another key
        Files.copy(DeliveryFixtures.CAF_PUB, keys.resolve("ville-test.pub.asc"));
        Files.createDirectories(home.resolve("partners"));
        Files.writeString(home.resolve("partners/ville-test.json"), villeTest());
        fx.start();
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    // ------------------------------------------------------------------ SFTP, end to end with the partner's tools

    @Test
    @Order(1)
    void extractDeliveredBySftpIsReadByTheRealPartnerToolsAndTheDownloadMakesItRetrieved() throws Exception {
        firstRequest = extractedRequest("ville-rouen", null);
        Path extract = extractDir(firstRequest);
        firstMessage = order(firstRequest, extract, null);
        sendToDeliver(firstMessage);

        String deliveryId = "DLV-" + firstRequest + "-v1";
        StoredDelivery d = awaitDelivery(deliveryId, DeliveryStatus.DELIVERED);
        assertThat(d.channel()).isEqualTo("sftp");
        assertThat(fx.gateway.requests().find(firstRequest).orElseThrow().status()).isEqualTo(RequestStatus.DELIVERED);

        JsonNode notice = awaitNotice("ville-rouen", firstRequest);
        assertThat(notice.path("type").asText()).isEqualTo("fed.delivery");
        assertThat(notice.path("deliveryId").asText()).isEqualTo(deliveryId);
        assertThat(notice.path("channel").asText()).isEqualTo("sftp");
        assertThat(notice.path("manifestSha256").asText()).isEqualTo(d.manifestSha256());
        assertThat(notice.path("files")).hasSize(6); // 4 encrypted files, signature, manifest

        // the partner downloads its outbox with OpenSSH sftp
        Path local = Files.createDirectories(home.resolve("partner-download"));
        GatewayFixture.Sftp ls = fx.sftp(fx.partnerKey, "ville-rouen", "ls -a /outbox/" + deliveryId);
        assertThat(ls.output()).doesNotContain(".part");
        GatewayFixture.Sftp get = fx.sftp(fx.partnerKey, "ville-rouen", "get /outbox/" + deliveryId + "/* " + local + "/");
        assertThat(get.exitCode()).as(get.output()).isZero();
        assertThat(sha256(local.resolve("manifest.json"))).isEqualTo(d.manifestSha256());

        // gpg (the partner's secret key) decrypts every file, checks the CAF signature and the integrity packet
        Path gpgHome = Files.createTempDirectory(Path.of("/tmp"), "fgit");
        Files.setPosixFilePermissions(gpgHome, PosixFilePermissions.fromString("rwx------"));
        try {
            gpg(gpgHome, "--pinentry-mode", "loopback", "--passphrase-file", DeliveryFixtures.VILLE_PASS.toString(),
                    "--import", DeliveryFixtures.VILLE_SEC.toString());
            gpg(gpgHome, "--import", DeliveryFixtures.CAF_PUB.toString());
            assertThat(gpg(gpgHome, "--verify", local.resolve("manifest.json.asc").toString(),
                    local.resolve("manifest.json").toString())).contains("VALIDSIG " + DeliveryFixtures.CAF_FPR);
            for (String name : List.of("extract.csv", "extract.json", "disclosure-report.json", "disclosure-report.md")) {
                Path plain = local.resolve(name);
                String status = gpg(gpgHome, "--pinentry-mode", "loopback", "--passphrase-file",
                        DeliveryFixtures.VILLE_PASS.toString(), "--output", plain.toString(), "--decrypt",
                        local.resolve(name + ".pgp").toString());
                assertThat(status).contains("DECRYPTION_OKAY", "GOODMDC", "VALIDSIG " + DeliveryFixtures.CAF_FPR);
                assertThat(sha256(plain)).isEqualTo(sha256(extract.resolve(name)));
            }
        } finally {
            new ProcessBuilder("gpgconf", "--homedir", gpgHome.toString(), "--kill", "all").start().waitFor(10, TimeUnit.SECONDS);
        }

        // fedgate receipt verify: signature, sizes, hashes and decrypted content
        StringWriter out = new StringWriter();
        int exit = Fedgate.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out)).execute("receipt", "verify",
                local.resolve("manifest.json").toString(), "--partner-key", DeliveryFixtures.VILLE_SEC.toString(),
                "--partner-passphrase-file", DeliveryFixtures.VILLE_PASS.toString());
        assertThat(exit).as(out.toString()).isZero();

        // the complete download is the retrieval receipt
        StoredDelivery retrieved = awaitDelivery(deliveryId, DeliveryStatus.RETRIEVED);
        assertThat(retrieved.retrievedAt()).isNotNull();
        assertThat(fx.gateway.requests().find(firstRequest).orElseThrow().status()).isEqualTo(RequestStatus.RETRIEVED);
        JsonNode api = JSON.readTree(http("/api/requests/" + firstRequest).body());
        JsonNode dlv = api.path("deliveries").get(0);
        assertThat(dlv.path("status").asText()).isEqualTo("RETRIEVED");
        List<String> receipts = new ArrayList<>();
        for (JsonNode r : dlv.path("retrievals")) {
            assertThat(r.path("account").asText()).isEqualTo("ville-rouen");
            if (r.path("matchesManifest").asBoolean()) {
                receipts.add(r.path("file").asText());
            }
        }
        assertThat(receipts).contains("manifest.json", "extract.csv.pgp", "extract.json.pgp", "disclosure-report.json.pgp",
                "disclosure-report.md.pgp");
        assertThat(api.path("history").toString()).contains("DELIVERED", "RETRIEVED");
        // who received what, when: the delivery and its retrieval are events of the intact hash-chained ledger
        assertThat(fx.gateway.ledger().events(firstRequest)).extracting(fedgate.ledger.LedgerEvent::type)
                .contains("delivery.sent", "delivery.retrieved");
        assertThat(fx.gateway.ledger().verify().ok()).isTrue();
    }

    // ------------------------------------------------------------------ mail

    @Test
    @Order(2)
    void extractDeliveredByMailHasTheEncryptedFilesAttachedForTheReferent() throws Exception {
        String request = extractedRequest("ville-rouen", null);
        sendToDeliver(order(request, extractDir(request), "email"));
        StoredDelivery d = awaitDelivery("DLV-" + request + "-v1", DeliveryStatus.DELIVERED);
        assertThat(d.channel()).isEqualTo("email");

        MimeMessage mail = awaitMail(request);
        assertThat(mail.getSubject()).contains("Livraison de données", request);
        Map<String, byte[]> attachments = attachments(mail);
        assertThat(attachments.keySet()).containsExactlyInAnyOrder("extract.csv.pgp", "extract.json.pgp",
                "disclosure-report.json.pgp", "disclosure-report.md.pgp", "manifest.json", "manifest.json.asc");
        assertThat(sha256(attachments.get("manifest.json"))).isEqualTo(d.manifestSha256());
        JsonNode manifest = JSON.readTree(attachments.get("manifest.json"));
        for (JsonNode f : manifest.path("files")) {
            assertThat(sha256(attachments.get(f.path("encryptedName").asText()))).isEqualTo(f.path("encryptedSha256").asText());
        }
        assertThat(new String(attachments.get("extract.csv.pgp"), StandardCharsets.ISO_8859_1)).doesNotContain("ALLOC;");
        assertThat(text(mail)).contains("Bonjour Camille Martin", "chiffrés pour votre clé OpenPGP", "article 3");
        assertThat(awaitNotice("ville-rouen", request).path("channel").asText()).isEqualTo("email");
    }

    @Test
    @Order(3)
    void extractTooLargeForMailGoesBySftpAndTheMailSaysSo() throws Exception {
        String request = extractedRequest("ville-rouen", null);
        Path extract = extractDir(request);
        Files.writeString(extract.resolve("annexe.csv"), "x;y\n".repeat(100_000)); // 400 KB > 300 000 bytes
        sendToDeliver(order(request, extract, "email"));
        String id = "DLV-" + request + "-v1";
        StoredDelivery d = awaitDelivery(id, DeliveryStatus.DELIVERED);
        assertThat(d.channel()).isEqualTo("sftp");
        MimeMessage mail = awaitMail(request);
        assertThat(attachments(mail)).isEmpty();
        assertThat(text(mail)).contains("taille maximale d'un envoi par messagerie", "/outbox/" + id + "/");
        assertThat(outboxFiles("ville-rouen", id)).contains("annexe.csv.pgp", "manifest.json");
    }

    // ------------------------------------------------------------------ failures

    @Test
    @Order(4)
    void sftpServerDownDuringADeliveryIsRetriedAndDeliversExactlyOnce() throws Exception {
        String request = extractedRequest("ville-rouen", null);
        String id = "DLV-" + request + "-v1";
        fx.gateway.sftp().stop();
        try {
            sendToDeliver(order(request, extractDir(request), null));
            // the attempt and its error are visible on the request
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode dl = JSON.readTree(http("/api/requests/" + request).body()).path("deliveries");
                return dl.size() == 1 && dl.get(0).path("attempts").asInt() >= 1 && !dl.get(0).path("lastError").isNull();
            });
            assertThat(fx.gateway.deliveries().find(id).orElseThrow().status()).isEqualTo(DeliveryStatus.PENDING);
        } finally {
            fx.gateway.sftp().start();
        }
        StoredDelivery d = awaitDelivery(id, DeliveryStatus.DELIVERED);
        assertThat(d.attempts()).isGreaterThanOrEqualTo(2);
        assertThat(d.lastError()).isNull();
        assertThat(fx.gateway.deliveries().forRequest(request)).hasSize(1);
        assertThat(outboxFiles("ville-rouen", id)).containsExactlyInAnyOrder("extract.csv.pgp", "extract.json.pgp",
                "disclosure-report.json.pgp", "disclosure-report.md.pgp", "manifest.json", "manifest.json.asc");
        try (Stream<Path> dirs = Files.list(outbox("ville-rouen"))) {
            assertThat(dirs.filter(p -> p.getFileName().toString().contains(request))).hasSize(1);
        }
        awaitNotice("ville-rouen", request);
    }

    @Test
    @Order(5)
    void redeliveredDeliverMessageDoesNotDeliverASecondTime() throws Exception {
        String id = "DLV-" + firstRequest + "-v1";
        Map<String, Long> before = modificationTimes(outbox("ville-rouen").resolve(id));
        int mails = fx.gateway.mail().messagesFor(REFERENT).size();
        sendToDeliver(firstMessage);
        awaitQueueDrained("fed.deliver");
        assertThat(modificationTimes(outbox("ville-rouen").resolve(id))).isEqualTo(before);
        assertThat(fx.gateway.deliveries().forRequest(firstRequest)).hasSize(1);
        assertThat(fx.gateway.deliveries().find(id).orElseThrow().status()).isEqualTo(DeliveryStatus.RETRIEVED);
        assertThat(fx.gateway.requests().find(firstRequest).orElseThrow().status()).isEqualTo(RequestStatus.RETRIEVED);
        assertThat(receiveNotice("ville-rouen", firstRequest, 2000)).isNull();
        assertThat(fx.gateway.mail().messagesFor(REFERENT)).hasSize(mails);
    }

    @Test
    @Order(6)
    void partnerKeyWithAnotherFingerprintIsRefusedInFrenchAndNothingIsSent() throws Exception {
        String request = extractedRequest("ville-test", null);
        sendToDeliver(order(request, extractDir(request), null));
        StoredDelivery d = awaitDelivery("DLV-" + request + "-v1", DeliveryStatus.FAILED);
        assertThat(d.lastError()).contains("Livraison refusée", "ne correspond pas à l'empreinte enregistrée",
                DeliveryFixtures.VILLE_FPR);
        assertThat(fx.gateway.requests().find(request).orElseThrow().status()).isEqualTo(RequestStatus.FAILED);
        assertThat(fx.gateway.requests().history(request).get(fx.gateway.requests().history(request).size() - 1).detail())
                .contains("ne correspond pas à l'empreinte enregistrée");
        try (Stream<Path> s = Files.list(outbox("ville-test"))) {
            assertThat(s).isEmpty();
        }
        Path packaged = home.resolve("data/deliveries/ville-test/DLV-" + request + "-v1");
        assertThat(!Files.exists(packaged) || !Files.list(packaged).anyMatch(p -> p.toString().endsWith(".pgp"))).isTrue();
        assertThat(dlq("list")).contains(request + "\t", "ne correspond pas");
    }

    @Test
    @Order(7)
    void deliveryOutOfAttemptsIsDeadLetteredListedAndReplayedOnce() throws Exception {
        String request = extractedRequest("ville-rouen", null);
        String id = "DLV-" + request + "-v1";
        String line;
        fx.gateway.sftp().stop();
        try {
            sendToDeliver(order(request, extractDir(request), null));
            awaitDelivery(id, DeliveryStatus.FAILED);
            await().atMost(Duration.ofSeconds(20)).until(() -> dlq("list").contains(request));
            line = dlq("list").lines().filter(l -> l.contains(request)).findFirst().orElseThrow();
        } finally {
            fx.gateway.sftp().start();
        }
        StoredDelivery failed = fx.gateway.deliveries().find(id).orElseThrow();
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.lastError()).startsWith("Livraison impossible après 3 tentative(s)");
        assertThat(fx.gateway.requests().find(request).orElseThrow().status()).isEqualTo(RequestStatus.FAILED);
        String[] columns = line.split("\t");
        assertThat(columns[1]).isEqualTo("fed.deliver");
        assertThat(columns[2]).isEqualTo(request);
        assertThat(columns[3]).isNotBlank();

        assertThat(dlq("replay", columns[0])).contains("replayed " + columns[0] + " to fed.deliver");
        StoredDelivery d = awaitDelivery(id, DeliveryStatus.DELIVERED);
        assertThat(d.attempts()).isEqualTo(4);
        assertThat(fx.gateway.requests().find(request).orElseThrow().status()).isEqualTo(RequestStatus.DELIVERED);
        assertThat(dlq("list")).doesNotContain(request);
        assertThat(dlq("replay", columns[0])).doesNotContain("replayed"); // gone: nothing to replay twice
        assertThat(fx.gateway.deliveries().forRequest(request)).hasSize(1);
        assertThat(outboxFiles("ville-rouen", id)).hasSize(6);
    }

    // ------------------------------------------------------------------ ad-hoc send

    @Test
    @Order(8)
    void adHocSendGoesThroughTheSamePipeline() throws Exception {
        Path file = home.resolve("note-bureau.txt");
        Files.writeString(file, "Note du Bureau d'Études : calendrier des livraisons 2027\n");
        StringWriter out = new StringWriter();
        int exit = Fedgate.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out)).execute("send",
                "--partner", "ville-rouen", "--file", file.toString(), "--url", "http://127.0.0.1:" + fx.gateway.httpPort(),
                "--home", home.toString(), "--wait", "30");
        assertThat(exit).as(out.toString()).isZero();
        String id = JSON.readTree(out.toString().substring(0, out.toString().indexOf("}") + 1)).path("deliveryId").asText();
        assertThat(id).matches("DLV-ADHOC-\\d{8}-[0-9a-f]{8}-v1");
        assertThat(outboxFiles("ville-rouen", id)).containsExactlyInAnyOrder("note-bureau.txt.pgp", "manifest.json",
                "manifest.json.asc");
        assertThat(awaitNotice("ville-rouen", id).path("requestId").isNull()).isTrue();
    }

    @Test
    @Order(9)
    void deliverOrderPointingOutsideTheRequestExtractIsRefusedAndNothingIsRead() throws Exception {
        String request = extractedRequest("ville-rouen", null);
        extractDir(request);
        Path elsewhere = DeliveryFixtures.extractDir(Files.createTempDirectory(home, "other"));
        sendToDeliver(order(request, elsewhere, null));
        StoredDelivery d = awaitDelivery("DLV-" + request + "-v1", DeliveryStatus.FAILED);
        assertThat(d.lastError()).contains("n'est pas celui de la demande " + request);
        assertThat(Files.exists(outbox("ville-rouen").resolve("DLV-" + request + "-v1"))).isFalse();
        assertThat(fx.gateway.requests().find(request).orElseThrow().status()).isEqualTo(RequestStatus.FAILED);
    }

    // ------------------------------------------------------------------ helpers

    /** A request as the extract stage leaves it: submitted by the partner on the broker, then EXTRACTED. */
    private String extractedRequest(String partner, String unused) throws Exception {
        ObjectNode fed = (ObjectNode) JSON.readTree(fx.resource("demande-rouen.json"));
        fed.put("study", "Diagnostic social de territoire — livraison " + UUID.randomUUID());
        String correlation = "dlv-" + UUID.randomUUID();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(brokerUrl(), partner, secret("broker-" + partner));
             Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.Queue events = s.createQueue("fed.events." + partner);
            TextMessage m = s.createTextMessage(JSON.writeValueAsString(fed));
            m.setJMSReplyTo(events);
            m.setJMSCorrelationID(correlation);
            s.createProducer(s.createQueue("fed.requests.in")).send(m);
            try (MessageConsumer consumer = s.createConsumer(events, "JMSCorrelationID = '" + correlation + "'")) {
                Message reply = consumer.receive(60_000);
                assertThat(reply).as("acknowledgement").isNotNull();
                String id = JSON.readTree(reply.getBody(String.class)).path("requestId").asText();
                assertThat(fx.gateway.requests().find(id).orElseThrow().partnerId()).isEqualTo(partner);
                fx.gateway.deliveries().setRequestStatus(id, RequestStatus.EXTRACTED, "extract (test)",
                        "extract v1 written", Instant.now());
                return id;
            }
        }
    }

    /** The extract stage's output for version 1: {@code data/extracts/<request>/v1}. */
    private Path extractDir(String request) throws Exception {
        Path made = DeliveryFixtures.extractDir(Files.createTempDirectory(home, "x"));
        Path target = Files.createDirectories(home.resolve("data/extracts").resolve(request)).resolve("v1");
        Files.move(made, target);
        return target;
    }

    private static String order(String request, Path extract, String channel) {
        ObjectNode n = JSON.createObjectNode().put("requestId", request).put("extractDir", extract.toAbsolutePath().toString())
                .put("version", 1);
        if (channel != null) {
            n.put("channel", channel);
        }
        return n.toString();
    }

    /** As the extract stage does: the gateway's internal broker user. */
    private void sendToDeliver(String body) throws Exception {
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(brokerUrl(), "fedgate", secret("broker-fedgate"));
             Connection c = cf.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue("fed.deliver")).send(s.createTextMessage(body));
        }
    }

    private StoredDelivery awaitDelivery(String id, DeliveryStatus status) {
        StoredDelivery[] found = new StoredDelivery[1];
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200)).until(() -> {
            found[0] = fx.gateway.deliveries().find(id).orElse(null);
            return found[0] != null && found[0].status() == status;
        });
        return found[0];
    }

    private JsonNode awaitNotice(String partner, String correlation) throws Exception {
        JsonNode n = receiveNotice(partner, correlation, 30_000);
        assertThat(n).as("notice for " + correlation).isNotNull();
        return n;
    }

    private JsonNode receiveNotice(String partner, String correlation, long timeoutMillis) throws Exception {
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(brokerUrl(), partner, secret("broker-" + partner));
             Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (MessageConsumer consumer = s.createConsumer(s.createQueue("fed.events." + partner),
                    "JMSCorrelationID = '" + correlation + "' AND JMSType = 'fed.delivery'")) {
                Message m = consumer.receive(timeoutMillis);
                return m == null ? null : JSON.readTree(m.getBody(String.class));
            }
        }
    }

    private void awaitQueueDrained(String name) {
        Queue q = fx.gateway.broker().server().locateQueue(SimpleString.of(name));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> q.getMessageCount() == 0 && q.getDeliveringCount() == 0);
    }

    private MimeMessage awaitMail(String request) {
        MimeMessage[] found = new MimeMessage[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (MimeMessage m : fx.gateway.mail().messagesFor(REFERENT)) {
                if (m.getSubject() != null && m.getSubject().contains("Livraison") && m.getSubject().contains(request)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static Map<String, byte[]> attachments(MimeMessage m) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (m.getContent() instanceof MimeMultipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                var part = mp.getBodyPart(i);
                if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null) {
                    out.put(part.getFileName(), part.getInputStream().readAllBytes());
                }
            }
        }
        return out;
    }

    private static String text(MimeMessage m) throws Exception {
        Object content = m.getContent();
        if (content instanceof MimeMultipart mp) {
            return mp.getBodyPart(0).getContent().toString();
        }
        return content.toString();
    }

    private Path outbox(String partner) {
        return home.resolve("data/sftp").resolve(partner).resolve("outbox");
    }

    private List<String> outboxFiles(String partner, String deliveryId) throws Exception {
        try (Stream<Path> s = Files.list(outbox(partner).resolve(deliveryId))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, Long> modificationTimes(Path dir) throws Exception {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                m.put(p.getFileName().toString(), Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }

    private String dlq(String... args) {
        List<String> all = new ArrayList<>(List.of("dlq"));
        all.addAll(List.of(args));
        all.addAll(List.of("--broker", brokerUrl(), "--home", home.toString()));
        StringWriter out = new StringWriter();
        Fedgate.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out)).execute(all.toArray(String[]::new));
        return out.toString();
    }

    private String gpg(Path gpgHome, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--homedir", gpgHome.toString(), "--batch", "--no-tty",
                "--status-fd", "1", "--trust-model", "always"));
        cmd.addAll(List.of(args));
        // output to a file, not a pipe: the gpg-agent gpg starts would hold a pipe open after gpg exits
        Path out = Files.createTempFile(gpgHome, "out", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    private HttpResponse<String> http(String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.gateway.httpPort() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("bureau:" + fx.gateway.adminPassword())
                        .getBytes(StandardCharsets.UTF_8))).build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
    }

    private String brokerUrl() {
        return "tcp://127.0.0.1:" + fx.gateway.broker().port();
    }

    private String secret(String name) throws Exception {
        return Files.readString(home.resolve("secrets").resolve(name)).trim();
    }

    private static String sha256(Path file) throws Exception {
        return sha256(Files.readAllBytes(file));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String villeTest() {
        return """
                {
                  "id": "ville-test",
                  "name": "Ville Test",
                  "convention": { "signedOn": "2026-01-10", "termYears": 1, "tacitRenewal": true },
                  "referent": { "name": "Dominique Test", "email": "referent@ville-test.example",
                                "phone": "02 00 00 00 00", "service": "Observatoire" },
                  "sftpPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDVWeUOWBPSh17qmfNKpcJQII2RYFXXx17hisogqCW/3 test",
                  "pgpFingerprint": "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406",
                  "allowedChannels": ["BROKER"],
                  "requireSignedRequests": false,
                  "territories": [ { "code": "76540", "kind": "COMMUNE", "name": "Rouen" } ]
                }
                """;
    }
}
