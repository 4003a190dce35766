package fedgate.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import fedgate.app.ops.RequestIdMdc;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator reads in the log, captured (logback, root logger) from the gateway's start to its stop around one
 * request mailed in and taken through intake and assessment: every line that names the request carries its id in the
 * MDC ({@code requestId}, printed by the pattern), so {@code grep FED-…} and the MDC agree; and no secret appears
 * anywhere — not the operator's password, the broker's passwords, the intake mailbox's password, the metrics token
 * nor the CAF's OpenPGP passphrase — even though each was used (logins, HTTP calls with credentials, a signed
 * acknowledgement path).
 */
class NoSecretInLogsIT {

    @TempDir
    Path home;

    @Test
    void requestIdIsInTheMdcOfEveryLineAboutTheRequestAndNoSecretIsEverLogged() throws Exception {
        StoredRequest request;
        Map<String, String> secrets = new LinkedHashMap<>();
        String text;
        List<ILoggingEvent> events;
        try (LogCapture log = new LogCapture(); GatewayFixture fx = new GatewayFixture(home)) {
            fx.start();
            String messageId = "<" + UUID.randomUUID() + "@ville-rouen.example>";
            MimeMessage m = new MimeMessage(fx.mailSession()) {
                @Override
                protected void updateMessageID() throws jakarta.mail.MessagingException {
                    setHeader("Message-ID", messageId);
                }
            };
            m.setFrom(new InternetAddress("referent@ville-rouen.example"));
            m.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress("fed@caf-rouen.example"));
            m.setSubject("Demande de données FED", "UTF-8");
            m.setText(new String(fx.resource("demande-rouen.txt"), StandardCharsets.UTF_8), "UTF-8");
            fx.sendMail(m);
            String id = fx.awaitRequestBySource("MAIL", messageId).id();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    fx.gateway.requests().find(id).orElseThrow().status() == RequestStatus.ASSESSED);
            request = fx.gateway.requests().find(id).orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.gateway.mail()
                    .messagesFor("referent@ville-rouen.example").size() == 1); // the acknowledgement went out

            // the credentials in use, each sent once more through the HTTP API (right and wrong)
            String token = secret("metrics-token");
            http(fx, "/metrics", "Bearer " + token);
            http(fx, "/metrics", "Basic " + b64(HttpApi.OPERATOR + ":" + fx.gateway.adminPassword()));
            http(fx, "/api/requests/" + id, "Basic " + b64(HttpApi.OPERATOR + ":" + fx.gateway.adminPassword()));
            http(fx, "/api/requests", "Basic " + b64(HttpApi.OPERATOR + ":wrong-" + fx.gateway.adminPassword()));

            secrets.put("admin password", fx.gateway.adminPassword());
            secrets.put("broker password of the gateway", secret("broker-fedgate"));
            secrets.put("broker password of ville-rouen", secret("broker-ville-rouen"));
            secrets.put("intake mailbox password", fx.gateway.mailPassword());
            secrets.put("metrics token", token);
            secrets.put("CAF OpenPGP passphrase", Files.readString(Path.of("certs-sample/pgp/caf-rouen.pass")).trim());
            fx.stop();
            text = log.text();
            events = log.events();
        }

        // the capture is real: it holds the request's intake (else every check below would pass on nothing)
        String id = request.id();
        assertThat(events).anyMatch(e -> e.getFormattedMessage().contains(id + " received by MAIL"));
        assertThat(events).anyMatch(e -> e.getFormattedMessage().contains(id + " queued for assessment"));

        // the request id in the MDC of every line that names the request, from the route threads
        List<ILoggingEvent> aboutRequest = events.stream()
                .filter(e -> e.getFormattedMessage().contains(id)).toList();
        assertThat(aboutRequest).hasSizeGreaterThanOrEqualTo(3);
        for (ILoggingEvent e : aboutRequest) {
            assertThat(e.getMDCPropertyMap().get(RequestIdMdc.KEY))
                    .as("MDC requestId of [%s] %s: %s", e.getThreadName(), e.getLoggerName(), e.getFormattedMessage())
                    .isEqualTo(id);
        }
        // and no other request's id on those lines' threads while they work on this one
        assertThat(events).filteredOn(e -> e.getMDCPropertyMap().containsKey(RequestIdMdc.KEY))
                .allMatch(e -> id.equals(e.getMDCPropertyMap().get(RequestIdMdc.KEY)));

        // no secret anywhere: message, arguments, MDC, exceptions
        secrets.forEach((what, value) -> {
            assertThat(value).as(what).hasSizeGreaterThanOrEqualTo(8);
            assertThat(text).as("the %s appears in the log", what).doesNotContain(value);
        });
    }

    private String secret(String name) throws Exception {
        return Files.readString(home.resolve("secrets").resolve(name)).trim();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void http(GatewayFixture fx, String path, String authorization) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + fx.gateway.httpPort() + path)).header("Authorization", authorization)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isIn(200, 401);
    }
}
