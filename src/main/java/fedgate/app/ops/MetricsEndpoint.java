package fedgate.app.ops;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics}: not anonymous (only {@code /health} is). A Prometheus server authenticates with the metrics
 * token ({@code Authorization: Bearer …}, Prometheus' {@code authorization.credentials_file}); an operator may use
 * the Bureau's Basic credentials instead. The token is {@code FEDGATE_METRICS_TOKEN} or
 * {@code $FEDGATE_HOME/secrets/metrics-token} (generated on first start, mode 0600).
 */
public final class MetricsEndpoint implements HttpHandler {

    private final Metrics metrics;

    public MetricsEndpoint(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"/metrics".equals(ex.getRequestURI().getPath())) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Bearer metrics token, or Basic as the operator; constant-time comparisons, nothing logged. */
    public static Authenticator authenticator(String operator, String operatorPassword, String token) {
        byte[] expectedToken = token.getBytes(StandardCharsets.UTF_8);
        byte[] expectedPassword = operatorPassword.getBytes(StandardCharsets.UTF_8);
        BasicAuthenticator basic = new BasicAuthenticator("fedgate") {
            @Override
            public boolean checkCredentials(String user, String password) {
                return operator.equals(user)
                        && MessageDigest.isEqual(expectedPassword, password.getBytes(StandardCharsets.UTF_8));
            }
        };
        return new Authenticator() {
            @Override
            public Result authenticate(HttpExchange ex) {
                String h = ex.getRequestHeaders().getFirst("Authorization");
                if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    byte[] given = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
                    return MessageDigest.isEqual(expectedToken, given)
                            ? new Success(new HttpPrincipal("metrics", "fedgate")) : new Failure(401);
                }
                return basic.authenticate(ex);
            }
        };
    }
}
