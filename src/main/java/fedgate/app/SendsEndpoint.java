package fedgate.app;

import fedgate.crypto.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import fedgate.delivery.DeliveryChannel;
import fedgate.delivery.DeliveryException;
import fedgate.delivery.DeliveryFileName;
import fedgate.delivery.DeliveryId;
import fedgate.delivery.DeliveryOrder;
import fedgate.partner.PartnerRegistry;
import fedgate.state.DeliveryRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Bureau's ad-hoc sends over the HTTP API (what {@code fedgate send} calls), through the same delivery stage as
 * extracts: {@code POST /api/sends?partner=ID&channel=sftp|email&name=FILE} with the file's bytes as the body stores
 * the file under {@code data/sends/<ADHOC-…>/<name>} and puts an ad-hoc order on {@code fed.deliver};
 * {@code GET /api/deliveries/{id}} shows where a delivery stands. The reference is drawn here, once: retries of the
 * order reuse it, so a send is delivered once.
 */
final class SendsEndpoint implements HttpApi.ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SendsEndpoint.class);

    private final PartnerRegistry partners;
    private final DeliveryRepository deliveries;
    private final Path sendsRoot;
    private final long maxBytes;
    private final Consumer<String> enqueue;
    private final ObjectMapper json;
    private final Clock clock;

    SendsEndpoint(PartnerRegistry partners, DeliveryRepository deliveries, Path sendsRoot, long maxBytes,
                  Consumer<String> enqueue, ObjectMapper json, Clock clock) {
        this.partners = partners;
        this.deliveries = deliveries;
        this.sendsRoot = sendsRoot;
        this.maxBytes = maxBytes;
        this.enqueue = enqueue;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public boolean handle(HttpExchange ex, String path) throws IOException {
        if ("/api/sends".equals(path)) {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, error("method not allowed"));
            } else {
                post(ex);
            }
            return true;
        }
        if (path.startsWith("/api/deliveries/")) {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, error("method not allowed"));
                return true;
            }
            String id = path.substring("/api/deliveries/".length());
            try {
                DeliveryId.parse(id);
            } catch (DeliveryException e) {
                send(ex, 404, error("no such delivery"));
                return true;
            }
            var d = deliveries.find(id);
            if (d.isEmpty()) {
                send(ex, 404, error("no such delivery"));
            } else {
                send(ex, 200, DeliveryStage.delivery(d.get(), deliveries, json));
            }
            return true;
        }
        return false;
    }

    private void post(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        String partner = q.get("partner");
        if (partner == null || partners.find(partner).isEmpty()) {
            send(ex, 400, error("unknown partner"));
            return;
        }
        String channel = q.getOrDefault("channel", "sftp");
        if (!"sftp".equals(channel) && !"email".equals(channel)) {
            send(ex, 400, error("channel must be sftp or email"));
            return;
        }
        String name = q.get("name");
        try {
            DeliveryFileName.check(name);
        } catch (DeliveryException e) {
            send(ex, 400, error(e.reason()));
            return;
        }
        String reference = DeliveryId.newAdHocReference(clock.instant());
        Path dir = Files.createDirectories(sendsRoot.resolve(reference));
        Path tmp = dir.resolve("." + name + ".part");
        MessageDigest md = sha256();
        long size = 0;
        try (InputStream in = ex.getRequestBody();
             OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                size += n;
                if (size > maxBytes) {
                    break;
                }
                md.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        if (size > maxBytes || size == 0) {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(dir);
            send(ex, size == 0 ? 400 : 413, error(size == 0 ? "empty file" : "file larger than " + maxBytes + " bytes"));
            return;
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        DeliveryOrder order;
        try {
            order = DeliveryOrder.adHoc(reference, 1, partner, DeliveryChannel.fromCode(channel));
        } catch (DeliveryException e) {
            throw new IllegalStateException(e);
        }
        enqueue.accept(order.toJson());
        String sha = HexFormat.of().formatHex(md.digest());
        LOG.info("ad-hoc send {} queued for {} by {} ({} bytes, sha256 {})", order.id(), partner, channel, size, sha);
        ObjectNode body = json.createObjectNode();
        body.put("deliveryId", order.id().value());
        body.put("reference", reference);
        body.put("partnerId", partner);
        body.put("channel", channel);
        body.put("file", name);
        body.put("sizeBytes", size);
        body.put("sha256", sha);
        body.put("status", "QUEUED");
        send(ex, 202, body);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static MessageDigest sha256() {
        return Sha256.digest();
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
}
