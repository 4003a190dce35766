package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import fedgate.state.RequestRepository;
import fedgate.state.RequestRepository.StoredRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The operator's HTTP API. Only {@code GET /health} is anonymous; everything under {@code /api} needs HTTP
 * Basic authentication as the Bureau d'Études' operator account (TLS is expected in front in production).
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Pattern REQUEST_ID = Pattern.compile("FED-\\d{4}-\\d{6}");
    public static final String OPERATOR = "bureau";

    private final HttpServer server;
    private final RequestRepository requests;
    private final ObjectMapper json;
    private final Supplier<Map<String, Boolean>> health;
    private final List<ApiHandler> handlers = new CopyOnWriteArrayList<>();
    private final Map<String, Function<String, JsonNode>> requestSections = new LinkedHashMap<>();

    /** A further route under {@code /api} (authenticated like the others); returns false when the path is not its own. */
    public interface ApiHandler {
        boolean handle(HttpExchange ex, String path) throws IOException;
    }

    public HttpApi(String host, int port, String operatorPassword, RequestRepository requests, ObjectMapper json,
                   Supplier<Map<String, Boolean>> health) throws IOException {
        this.requests = requests;
        this.json = json;
        this.health = health;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "http-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", this::health);
        HttpContext api = server.createContext("/api/", this::api);
        byte[] expected = operatorPassword.getBytes(StandardCharsets.UTF_8);
        api.setAuthenticator(new BasicAuthenticator("fedgate") {
            @Override
            public Result authenticate(HttpExchange ex) {
                try {
                    return super.authenticate(ex);
                } catch (RuntimeException e) {
                    // a malformed Authorization header (bad base64, no colon) made the JDK drop the connection
                    ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"fedgate\"");
                    return new com.sun.net.httpserver.Authenticator.Retry(401);
                }
            }

            @Override
            public boolean checkCredentials(String user, String password) {
                // constant-time comparison; the password itself is never logged
                return OPERATOR.equals(user)
                        && MessageDigest.isEqual(expected, password.getBytes(StandardCharsets.UTF_8));
            }
        });
        // any other path: 404 without revealing anything (and no anonymous access beyond /health)
        server.createContext("/", ex -> send(ex, 404, error("not found")));
    }

    /** Adds a route under {@code /api}, tried before the built-in ones; call before {@link #start()}. */
    public void addHandler(ApiHandler handler) {
        handlers.add(handler);
    }

    /**
     * Adds a context outside {@code /api} with its own authenticator (e.g. {@code /metrics}); call before
     * {@link #start()}. Only {@code /health} stays anonymous: {@code auth} must not be null.
     */
    public void addContext(String path, com.sun.net.httpserver.HttpHandler handler,
                           com.sun.net.httpserver.Authenticator auth) {
        java.util.Objects.requireNonNull(auth, "only /health is anonymous");
        server.createContext(path, handler).setAuthenticator(auth);
    }

    /** Adds a section to {@code GET /api/requests/{id}}, computed from the request id; call before {@link #start()}. */
    public synchronized void addRequestSection(String name, Function<String, JsonNode> section) {
        requestSections.put(name, section);
    }

    public void start() {
        server.start();
        LOG.info("HTTP API listening on http://{}:{} (/health anonymous, /api/* Basic auth as '{}')",
                server.getAddress().getHostString(), server.getAddress().getPort(), OPERATOR);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
    }

    private void health(HttpExchange ex) throws IOException {
        if (!"/health".equals(ex.getRequestURI().getPath())) {
            send(ex, 404, error("not found"));
            return;
        }
        Map<String, Boolean> parts = health.get();
        boolean up = parts.values().stream().allMatch(Boolean::booleanValue);
        ObjectNode body = json.createObjectNode().put("status", up ? "UP" : "DOWN");
        ObjectNode components = body.putObject("components");
        parts.forEach((k, v) -> components.put(k, v ? "UP" : "DOWN"));
        send(ex, up ? 200 : 503, body);
    }

    private void api(HttpExchange ex) throws IOException {
        try {
            for (ApiHandler h : handlers) {
                if (h.handle(ex, ex.getRequestURI().getPath())) {
                    return;
                }
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, error("method not allowed"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            if ("/api/requests".equals(path)) {
                ArrayNode list = json.createArrayNode();
                requests.list(1000).forEach(r -> list.add(summary(r)));
                send(ex, 200, list);
                return;
            }
            if (path.startsWith("/api/requests/")) {
                String rest = path.substring("/api/requests/".length());
                String id = rest.endsWith("/raw") ? rest.substring(0, rest.length() - 4) : rest;
                if (!REQUEST_ID.matcher(id).matches()) {
                    send(ex, 404, error("no such request"));
                    return;
                }
                Optional<StoredRequest> r = requests.find(id);
                if (r.isEmpty()) {
                    send(ex, 404, error("no such request"));
                    return;
                }
                if (rest.endsWith("/raw")) {
                    sendBytes(ex, requests.raw(id));
                    return;
                }
                send(ex, 200, detail(r.get()));
                return;
            }
            send(ex, 404, error("not found"));
        } catch (RuntimeException e) {
            LOG.error("HTTP API failure on {}", ex.getRequestURI().getPath(), e);
            send(ex, 500, error("internal error"));
        }
    }

    private ObjectNode summary(StoredRequest r) {
        ObjectNode n = json.createObjectNode();
        n.put("id", r.id());
        n.put("partnerId", r.partnerId());
        n.put("channel", r.channel());
        n.put("sourceRef", r.sourceRef());
        n.put("receivedAt", r.receivedAt().toString());
        n.put("sha256", r.sha256());
        n.put("status", r.status().name());
        n.set("reasons", readTree(r.reasonsJson()));
        return n;
    }

    private ObjectNode detail(StoredRequest r) {
        ObjectNode n = summary(r);
        n.put("fileName", r.fileName());
        n.put("principal", r.principal());
        n.put("sizeBytes", r.sizeBytes());
        n.set("feuillet1", r.feuillet1Json() == null ? null : readTree(r.feuillet1Json()));
        n.set("acknowledgement", r.ackJson() == null ? null : readTree(r.ackJson()));
        ArrayNode history = n.putArray("history");
        for (RequestRepository.HistoryEntry h : requests.history(r.id())) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("at", h.at().toString());
            e.put("status", h.status().name());
            e.put("actor", h.actor());
            e.put("detail", h.detail());
            history.add(json.valueToTree(e));
        }
        synchronized (this) {
            requestSections.forEach((name, section) -> n.set(name, section.apply(r.id())));
        }
        return n;
    }

    private JsonNode readTree(String s) {
        try {
            return json.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    private ObjectNode error(String message) {
        return json.createObjectNode().put("error", message);
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

    private void sendBytes(HttpExchange ex, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        // the raw input is hostile until proven otherwise: never let a browser render it
        ex.getResponseHeaders().set("Content-Disposition", "attachment");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
