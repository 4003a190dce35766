package fedgate.app;

import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} on a running gateway (embedded default): refused without credentials and with wrong or
 * confused ones, served to the operator's Basic credentials and to the metrics token ({@code secrets/metrics-token})
 * as a Bearer token, in the Prometheus text format 0.0.4, counting the one request mailed in by its status and
 * showing the dead-letter depth.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsAccessIT {

    /** A sample line: name, optional labels, value (Prometheus text exposition format 0.0.4). */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\\\\n]*\")(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\\\\n]*\")*\\})? "
                    + "(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    private GatewayFixture fx;
    private String token;
    private StoredRequest request;

    @BeforeAll
    void start() throws Exception {
        Path home = Files.createTempDirectory("fedgate-metrics-");
        fx = new GatewayFixture(home).start();
        token = Files.readString(home.resolve("secrets/metrics-token")).trim();
        // one request, by mail, to its first resting place (assessed, waiting for the Bureau's decision)
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
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    // ------------------------------------------------------------------ refused

    @Test
    void metricsWithoutCredentialsIsRefused() throws Exception {
        HttpResponse<String> r = get(null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("fedgate_");
    }

    @Test
    void metricsWithWrongOperatorPasswordIsRefused() throws Exception {
        assertRefused(basic(HttpApi.OPERATOR, fx.gateway.adminPassword() + "x"));
        assertRefused(basic(HttpApi.OPERATOR, ""));
    }

    @Test
    void metricsWithTheOperatorPasswordUnderAnotherUserNameIsRefused() throws Exception {
        assertRefused(basic("admin", fx.gateway.adminPassword()));
        assertRefused(basic("metrics", fx.gateway.adminPassword()));
    }

    @Test
    void metricsWithWrongOrTruncatedBearerTokenIsRefused() throws Exception {
        assertRefused("Bearer " + token.substring(0, token.length() - 1));
        assertRefused("Bearer " + token + "x");
        assertRefused("Bearer ");
        assertRefused("Bearer " + UUID.randomUUID());
    }

    @Test
    void credentialConfusionBetweenTokenAndOperatorPasswordIsRefused() throws Exception {
        assertRefused("Bearer " + fx.gateway.adminPassword()); // the operator's password is not a token
        assertRefused(basic(HttpApi.OPERATOR, token));          // the token is not the operator's password
        assertRefused(basic("metrics", token));
    }

    // ------------------------------------------------------------------ served

    @Test
    void operatorBasicCredentialsGetThePrometheusText() throws Exception {
        HttpResponse<String> r = get(basic(HttpApi.OPERATOR, fx.gateway.adminPassword()));
        assertThat(r.statusCode()).isEqualTo(200);
        assertPrometheusText(r);
    }

    @Test
    void metricsTokenAsBearerGetsThePrometheusText() throws Exception {
        HttpResponse<String> r = get("Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertPrometheusText(r);
        assertThat(get("bearer " + token).statusCode()).as("the scheme is case-insensitive").isEqualTo(200);
    }

    private void assertPrometheusText(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        String body = r.body();
        Set<String> typed = new HashSet<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("# HELP ")) {
                continue;
            }
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                assertThat(typed.add(t.group(1))).as("one TYPE per family: %s", line).isTrue();
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            assertThat(s.matches()).as("a sample line in the text format: '%s'", line).isTrue();
            String family = s.group(1).replaceAll("_(bucket|sum|count)$", "");
            assertThat(typed).as("TYPE declared before %s", line).contains(family);
        }
        // the one request, counted by its status (the state store is the truth: only it, nothing else)
        assertThat(request.status()).isEqualTo(RequestStatus.ASSESSED);
        assertThat(body).contains("fedgate_requests{status=\"ASSESSED\"} 1\n");
        assertThat(body).doesNotContain("fedgate_requests{status=\"VALIDATED\"}");
        // the dead-letter depth: the embedded broker answers, nothing dead-lettered
        assertThat(body).contains("# TYPE fedgate_dead_letter_messages gauge\n", "\nfedgate_dead_letter_messages 0\n");
        assertThat(body).contains("fedgate_dependency_up{component=\"broker\"} 1");
    }

    // ------------------------------------------------------------------ helpers

    private void assertRefused(String authorization) throws Exception {
        HttpResponse<String> r = get(authorization);
        assertThat(r.statusCode()).as("Authorization: %s…", authorization.substring(0, Math.min(8, authorization.length())))
                .isEqualTo(401);
        assertThat(r.body()).doesNotContain("fedgate_");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.gateway.httpPort() + "/metrics"))
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
