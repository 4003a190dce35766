package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.delivery.DeliveryChannel;
import fedgate.delivery.DeliveryKeys;
import fedgate.delivery.DeliveryService;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.DeliveryRepository;
import fedgate.state.RequestRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Builds the delivery stage from the configuration, and renders deliveries for the HTTP API. */
final class DeliveryStage {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStage.class);

    private DeliveryStage() {
    }

    static DeliveryService service(GatewayConfig config, PartnerRegistry partners, RequestRepository requests,
                                   DeliveryRepository deliveries, ObjectMapper json, Clock clock) {
        // key files are certificates: relative to the working directory, like the SFTP host key
        Path cafKey = Path.of(config.get("fedgate.pgp.caf-secret-key")).toAbsolutePath();
        DeliveryKeys keys = DeliveryKeys.load(cafKey, Path.of(config.get("fedgate.pgp.caf-passphrase-file")).toAbsolutePath(),
                Path.of(config.get("fedgate.pgp.partner-keys-dir")).toAbsolutePath(), clock.instant());
        LOG.info("delivery: CAF signing key {} ({})", keys.caf().fingerprint(), cafKey);
        Map<String, DeliveryChannel> channels = new LinkedHashMap<>();
        for (Partner p : partners.all()) {
            String value = config.get("fedgate.delivery.channel." + p.id(), "");
            if (!value.isEmpty()) {
                channels.put(p.id(), channel("fedgate.delivery.channel." + p.id(), value));
            }
        }
        Path data = config.dataDir();
        DeliveryService.Settings settings = new DeliveryService.Settings(data.resolve("deliveries"),
                config.path("fedgate.delivery.extracts-dir"), data.resolve("sends"),
                config.flag("fedgate.sftp.embedded") ? data.resolve("sftp") : null,
                channel("fedgate.delivery.channel", config.get("fedgate.delivery.channel")), channels,
                config.bytes("fedgate.delivery.email-max-bytes"), Integer.parseInt(config.get("fedgate.delivery.study-due-months")));
        return new DeliveryService(keys, partners, requests, deliveries, settings, json, clock);
    }

    private static DeliveryChannel channel(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("sftp") && !v.equals("email")) {
            throw new IllegalStateException(key + " must be sftp or email");
        }
        return DeliveryChannel.fromCode(v);
    }

    /** {@code GET /api/requests/{id}} → {@code deliveries}: each delivery with attempts, last error and receipts. */
    static JsonNode deliveriesOf(String requestId, DeliveryRepository deliveries, ObjectMapper json) {
        ArrayNode list = json.createArrayNode();
        deliveries.forRequest(requestId).forEach(d -> list.add(delivery(d, deliveries, json)));
        return list;
    }

    static ObjectNode delivery(DeliveryRepository.StoredDelivery d, DeliveryRepository deliveries, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("deliveryId", d.id());
        n.put("requestId", d.requestId());
        n.put("version", d.version());
        n.put("partnerId", d.partnerId());
        n.put("channel", d.channel());
        n.put("status", d.status().name());
        n.put("attempts", d.attempts());
        n.put("lastError", d.lastError());
        n.put("manifestSha256", d.manifestSha256());
        n.put("createdAt", text(d.createdAt()));
        n.put("deliveredAt", text(d.deliveredAt()));
        n.put("noticeSentAt", text(d.noticeSentAt()));
        n.put("retrievedAt", text(d.retrievedAt()));
        ArrayNode receipts = n.putArray("retrievals");
        for (DeliveryRepository.Retrieval r : deliveries.retrievals(d.id())) {
            receipts.addObject().put("account", r.account()).put("file", r.fileName()).put("at", r.at().toString())
                    .put("bytesRead", r.bytesRead()).put("fileSize", r.fileSize()).put("sha256", r.sha256())
                    .put("matchesManifest", r.matchesManifest());
        }
        return n;
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
