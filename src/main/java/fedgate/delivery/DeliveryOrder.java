package fedgate.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.partner.Partner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * One message of the {@code fed.deliver} queue: what to deliver. Either the extract of a request
 * ({@code {"requestId":"FED-…","extractDir":"…/data/extracts/FED-…/v1","version":1}}, optionally {@code "channel"}),
 * or a Bureau's ad-hoc send ({@code {"adHocReference":"ADHOC-…","partnerId":"ville-rouen","version":1,"channel":"sftp"}}).
 *
 * <p>Strict: unknown fields, wrong types and malformed ids are refused. {@code extractDir} is only compared with the
 * directory the gateway derives from the request id and version; it never chooses what is read.
 *
 * @param partnerId  the recipient of an ad-hoc send; null for a request (the request says who)
 * @param extractDir as announced by the extract stage, or null
 * @param channel    asked for by the sender, or null (the partner's configured channel)
 */
public record DeliveryOrder(DeliveryId id, String partnerId, String extractDir, DeliveryChannel channel) {

    private static final int MAX_BYTES = 16 * 1024;
    private static final Set<String> FIELDS = Set.of("requestId", "adHocReference", "partnerId", "extractDir", "version",
            "channel");
    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(5).maxStringLength(4096).build()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static DeliveryOrder forRequest(String requestId, int version, String extractDir, DeliveryChannel channel)
            throws DeliveryException {
        return new DeliveryOrder(DeliveryId.forRequest(requestId, version), null, extractDir, channel);
    }

    public static DeliveryOrder adHoc(String reference, int version, String partnerId, DeliveryChannel channel)
            throws DeliveryException {
        if (partnerId == null || !Partner.ID_PATTERN.matcher(partnerId).matches()) {
            throw invalid("identifiant de partenaire invalide");
        }
        return new DeliveryOrder(DeliveryId.adHoc(reference, version), partnerId, null, channel);
    }

    public static DeliveryOrder parse(String json) throws DeliveryException {
        if (json == null || json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid("message vide ou trop volumineux");
        }
        JsonNode root;
        try {
            root = READER.readTree(json);
        } catch (IOException e) {
            throw invalid("JSON illisible");
        }
        if (!(root instanceof ObjectNode)) {
            throw invalid("un objet JSON est attendu");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw invalid("champ inconnu « " + DeliveryFileName.printable(f) + " »");
            }
        }
        JsonNode version = root.path("version");
        if (!version.canConvertToInt() || !version.isIntegralNumber()) {
            throw invalid("version absente ou non entière");
        }
        DeliveryChannel channel = null;
        if (root.hasNonNull("channel")) {
            String code = text(root, "channel");
            if (!"sftp".equals(code) && !"email".equals(code)) {
                throw invalid("canal inconnu (sftp ou email)");
            }
            channel = DeliveryChannel.fromCode(code);
        }
        boolean request = root.hasNonNull("requestId");
        boolean adHoc = root.hasNonNull("adHocReference");
        if (request == adHoc) {
            throw invalid("il faut soit requestId, soit adHocReference");
        }
        if (request) {
            if (root.has("partnerId")) {
                throw invalid("le partenaire d'une demande vient de la demande");
            }
            String dir = root.hasNonNull("extractDir") ? text(root, "extractDir") : null;
            return forRequest(text(root, "requestId"), version.intValue(), dir, channel);
        }
        if (root.has("extractDir")) {
            throw invalid("un envoi ponctuel n'a pas d'extraction");
        }
        if (channel == null) {
            throw invalid("le canal d'un envoi ponctuel est obligatoire");
        }
        return adHoc(text(root, "adHocReference"), version.intValue(), text(root, "partnerId"), channel);
    }

    /** The message, as the delivery stage reads it back. */
    public String toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        if (id.adHoc()) {
            n.put("adHocReference", id.adHocReference());
            n.put("partnerId", partnerId);
        } else {
            n.put("requestId", id.requestId());
            if (extractDir != null) {
                n.put("extractDir", extractDir);
            }
        }
        n.put("version", id.version());
        if (channel != null) {
            n.put("channel", channel.code());
        }
        return n.toString();
    }

    private static String text(JsonNode root, String field) throws DeliveryException {
        JsonNode v = root.path(field);
        if (!v.isTextual()) {
            throw invalid("le champ " + field + " doit être une chaîne");
        }
        return v.textValue();
    }

    private static DeliveryException invalid(String what) {
        return new DeliveryException(DeliveryException.Code.INVALID_ORDER, "Ordre de livraison invalide : " + what);
    }
}
