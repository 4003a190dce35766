package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/obligations} (the study obligations, Art. 3), {@code POST /api/socle/run[?year=YYYY]} (the yearly
 * socle by hand, Art. 1.2.1) and the {@code obligation} section of {@code GET /api/requests/{id}}. Under {@code /api}:
 * the Bureau d'Études' operator only.
 */
final class ObligationApi implements HttpApi.ApiHandler {

    private static final Pattern YEAR = Pattern.compile("year=(\\d{4})");

    private final ObligationEndpoints obligations;
    private final SocleEndpoints socle;
    private final ObjectMapper json;

    ObligationApi(ObligationEndpoints obligations, SocleEndpoints socle, ObjectMapper json) {
        this.obligations = obligations;
        this.socle = socle;
        this.json = json;
    }

    void register(HttpApi http) {
        http.addHandler(this);
        http.addRequestSection("obligation", obligations::view);
    }

    @Override
    public boolean handle(HttpExchange ex, String path) throws IOException {
        if ("/api/obligations".equals(path)) {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, json.createObjectNode().put("error", "method not allowed"));
            } else {
                send(ex, 200, obligations.list());
            }
            return true;
        }
        if ("/api/socle/run".equals(path)) {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, json.createObjectNode().put("error", "method not allowed"));
                return true;
            }
            String query = ex.getRequestURI().getRawQuery();
            Integer year = null;
            if (query != null && !query.isEmpty()) {
                Matcher m = YEAR.matcher(query);
                if (!m.matches()) {
                    send(ex, 400, json.createObjectNode().put("error", "the only parameter is year=YYYY"));
                    return true;
                }
                year = Integer.parseInt(m.group(1));
            }
            send(ex, 200, SocleEndpoints.toJson(socle.runNow(year), json));
            return true;
        }
        return false;
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
