package fedgate.app;

import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.app.ops.MailTls;
import fedgate.state.RequestStatus;
import jakarta.mail.Flags;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The production mail path over TLS, end to end: the gateway's mail is external ({@code fedgate.mail.embedded=false},
 * IMAPS and SMTPS) and points at a GreenMail started here with IMAPS and SMTPS only, presenting a certificate made by
 * {@code keytool} for {@code localhost} (and nothing else); the broker and the SFTP server stay embedded. A FED
 * mailed to the intake mailbox over SMTPS is read over IMAPS, VALIDATED, and its acknowledgement reaches the
 * referent over SMTPS. Then the two refusals: the JDK's cacerts alone do not trust the certificate, and a trusted
 * certificate for another name ({@code 127.0.0.1} is not {@code localhost}) is refused while
 * {@code check-server-identity=true} — in both cases the mail stays unread and no request is created.
 *
 * <p>GreenMail loads its TLS key store once per JVM ({@code greenmail.tls.keystore.file}, read when its SSL server
 * socket factory is first used): the key store is made and the property set before any GreenMail here starts.
 */
class MailTlsIT {

    private static final String INTAKE = "fed@caf-rouen.example";
    private static final String REFERENT = "referent@ville-rouen.example";
    private static final String STORE_PASSWORD = "mail-tls-it-" + UUID.randomUUID();
    private static final String MAIL_PASSWORD = "intake-" + UUID.randomUUID();

    private static Path pki;
    private static Path trustStore;

    @TempDir
    Path home;
    private GreenMail mail;
    private GatewayFixture fx;
    private LogCapture log;

    @BeforeAll
    static void makeCertificates() throws Exception {
        pki = Files.createTempDirectory("fedgate-mail-tls-");
        Path serverStore = pki.resolve("server.p12");
        keytool("-genkeypair", "-alias", "mail", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2",
                "-keystore", serverStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        Path cert = pki.resolve("server.crt");
        keytool("-exportcert", "-rfc", "-alias", "mail", "-keystore", serverStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", cert.toString());
        trustStore = pki.resolve("trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "caf-mail", "-file", cert.toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY, serverStore.toString());
        System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY, STORE_PASSWORD);
        // GreenMail serves the key store it loaded first in this JVM: it must be ours
        Certificate served = ((DummySSLServerSocketFactory) DummySSLServerSocketFactory.getDefault()).getKeyStore()
                .getCertificate("mail");
        assertThat(served).as("GreenMail's TLS certificate (loaded once per JVM) is the one made here").isNotNull();
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
    }

    @BeforeEach
    void startMailServer() {
        mail = new GreenMail(new ServerSetup[]{
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort(),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAPS).dynamicPort()});
        mail.start();
        mail.getUserManager().setAuthRequired(true);
        mail.setUser(INTAKE, INTAKE, MAIL_PASSWORD);
        log = new LogCapture();
    }

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
        if (log != null) {
            log.close();
        }
        mail.stop();
    }

    /** A gateway whose mail is the GreenMail above, reached as {@code host}; broker and SFTP embedded. */
    private void startGateway(String host, boolean withTrustStore) throws Exception {
        Path secrets = Files.createDirectories(home.resolve("secrets"));
        writeSecret(secrets.resolve("mail-fed"), MAIL_PASSWORD);
        fx = new GatewayFixture(home);
        Properties o = fx.overrides;
        o.setProperty("fedgate.mail.embedded", "false");
        o.setProperty("fedgate.mail.imap.protocol", "imaps");
        o.setProperty("fedgate.mail.imap.host", host);
        o.setProperty("fedgate.mail.imap.port", Integer.toString(mail.getImaps().getPort()));
        o.setProperty("fedgate.mail.smtp.protocol", "smtps");
        o.setProperty("fedgate.mail.smtp.host", host);
        o.setProperty("fedgate.mail.smtp.port", Integer.toString(mail.getSmtps().getPort()));
        o.setProperty("fedgate.mail.tls.check-server-identity", "true");
        if (withTrustStore) {
            o.setProperty("fedgate.mail.tls.trust-store", trustStore.toString());
            writeSecret(secrets.resolve("mail-trust-store-password"), STORE_PASSWORD);
        }
        fx.start();
        assertThat(fx.gateway.mail()).as("no embedded mail server").isNull();
        assertThat(fx.gateway.broker()).as("broker still embedded").isNotNull();
        assertThat(fx.gateway.sftp()).as("SFTP still embedded").isNotNull();
    }

    private static void writeSecret(Path file, String value) throws Exception {
        Files.writeString(file, value + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void fedMailedOverSmtpsIsReadOverImapsValidatedAndAcknowledgedOverSmtps() throws Exception {
        startGateway("localhost", true);
        String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
        sendOverSmtps(messageId);

        StoredRequest r = fx.awaitRequestBySource("MAIL", messageId);
        assertThat(r.status()).isIn(RequestStatus.VALIDATED, RequestStatus.ASSESSED);
        assertThat(fx.gateway.requests().history(r.id())).anyMatch(h -> h.status() == RequestStatus.VALIDATED);
        assertThat(r.partnerId()).isEqualTo("ville-rouen");

        // the acknowledgement came in through the only way in: the SMTPS port
        MimeMessage ack = awaitMessageTo(REFERENT, r.id());
        assertThat(ack.getSubject()).contains("Accusé de réception", r.id());
        assertThat(ack.getFrom()[0].toString()).contains(INTAKE);
        assertThat(ack.getContent().toString()).contains(r.id(), r.sha256());
        // read over IMAPS, and marked seen once stored
        await().atMost(Duration.ofSeconds(30)).until(() -> intakeMessage(messageId).getFlags().contains(Flags.Flag.SEEN));
        assertThat(log.text()).doesNotContain(MAIL_PASSWORD, STORE_PASSWORD);
    }

    @Test
    void selfSignedServerCertificateNotInTheTrustStoreIsRefusedAndTheMailIsNotRead() throws Exception {
        startGateway("localhost", false); // no trust store: the JDK's cacerts only
        String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
        sendOverSmtps(messageId);

        await().atMost(Duration.ofSeconds(30)).until(() -> log.text().contains("unable to find valid certification path"));
        assertMailNotRead(messageId);
        assertThat(health().path("components").path("mail").asText()).isEqualTo("DOWN");
        assertThat(log.text()).doesNotContain(MAIL_PASSWORD);
    }

    @Test
    void trustedCertificateForAnotherHostNameIsRefusedWhenServerIdentityIsChecked() throws Exception {
        // the certificate names localhost only; the gateway is told to reach the server as 127.0.0.1
        startGateway("127.0.0.1", true);
        String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
        sendOverSmtps(messageId);

        await().atMost(Duration.ofSeconds(30)).until(() -> log.text().contains("Failed polling endpoint: imaps://127.0.0.1"));
        assertMailNotRead(messageId);
        assertThat(log.text()).doesNotContain(MAIL_PASSWORD, STORE_PASSWORD);

        // the control: the same trust store, server and name pass once the identity check is off, so what refused
        // the connection above is the check of the name (the JDK reports it as a certification path failure)
        assertThat(imapsLogin(fx.gateway.config(), "127.0.0.1")).as("identity checked: refused").isNotNull();
        assertThat(imapsLogin(fx.gateway.config().with("fedgate.mail.tls.check-server-identity", "false"), "127.0.0.1"))
                .as("identity not checked: accepted").isNull();
    }

    /** An IMAPS login with the gateway's own TLS settings ({@link MailTls}); the failure, or null when accepted. */
    private Exception imapsLogin(GatewayConfig config, String host) {
        try {
            jakarta.mail.Store store = Session.getInstance(new MailTls(config, java.util.Map.of())
                    .javaMailProperties("imaps")).getStore("imaps");
            store.connect(host, mail.getImaps().getPort(), INTAKE, MAIL_PASSWORD);
            store.close();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    /** Several polls later: no request from that mail, and the mail still unseen in the intake mailbox. */
    private void assertMailNotRead(String messageId) throws Exception {
        Thread.sleep(5_000); // ten poll periods (fedgate.mail.poll-delay=500)
        assertThat(fx.gateway.requests().list(1000)).noneMatch(r -> messageId.equals(r.sourceRef()));
        assertThat(intakeMessage(messageId).getFlags().contains(Flags.Flag.SEEN)).isFalse();
    }

    // ------------------------------------------------------------------ the partner's side, over TLS

    private SSLContext trustingOurCertificate() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private void sendOverSmtps(String messageId) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.smtps.host", "localhost");
        p.setProperty("mail.smtps.port", Integer.toString(mail.getSmtps().getPort()));
        p.setProperty("mail.smtps.ssl.checkserveridentity", "true");
        p.put("mail.smtps.ssl.socketFactory", trustingOurCertificate().getSocketFactory());
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        m.setFrom(new InternetAddress(REFERENT));
        m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(INTAKE));
        m.setSubject("Demande de données FED", "UTF-8");
        m.setText(new String(fx.resource("demande-rouen.txt"), StandardCharsets.UTF_8), "UTF-8");
        m.saveChanges();
        try (Transport t = session.getTransport("smtps")) {
            t.connect();
            t.sendMessage(m, m.getAllRecipients());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> intakeMessage(messageId) != null);
    }

    private MimeMessage intakeMessage(String messageId) throws Exception {
        for (MimeMessage m : mail.getReceivedMessagesForDomain("caf-rouen.example")) {
            if (messageId.equals(m.getMessageID())) {
                return m;
            }
        }
        return null;
    }

    private MimeMessage awaitMessageTo(String address, String requestId) {
        MimeMessage[] found = new MimeMessage[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (MimeMessage m : mail.getReceivedMessagesForDomain(address.substring(address.indexOf('@') + 1))) {
                String subject = m.getSubject();
                if (subject != null && subject.contains(requestId)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private com.fasterxml.jackson.databind.JsonNode health() throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + fx.gateway.httpPort() + "/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return Gateway.json().readTree(response.body());
    }
}
