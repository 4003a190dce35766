package fedgate.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.state.RequestRepository.HistoryEntry;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The full story of one request (what {@code fedgate audit export} prints): the request's own history and its
 * ledger events, merged in time order, as JSON and as French text for an auditor. A history entry that has its
 * ledger event (same step, within {@link #SAME_STEP}) is shown once, as the ledger event (the chained record).
 */
public final class RequestStory {

    /** Time zone of the French text (the convention's parties are in Rouen). */
    public static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final Duration SAME_STEP = Duration.ofSeconds(5);

    private static final DateTimeFormatter FR_TIME = DateTimeFormatter.ofPattern("dd/MM/uuuu HH:mm:ss").withZone(PARIS);
    private static final DateTimeFormatter FR_DATE = DateTimeFormatter.ofPattern("dd/MM/uuuu");
    private static final Map<RequestStatus, String> STATUS_EVENT = new EnumMap<>(Map.ofEntries(
            Map.entry(RequestStatus.RECEIVED, EventTypes.REQUEST_RECEIVED),
            Map.entry(RequestStatus.VALIDATED, EventTypes.REQUEST_VALIDATED),
            Map.entry(RequestStatus.REJECTED, EventTypes.REQUEST_REJECTED),
            Map.entry(RequestStatus.ASSESSED, EventTypes.REQUEST_ASSESSED),
            Map.entry(RequestStatus.APPROVED, EventTypes.FEUILLET2_DECIDED),
            Map.entry(RequestStatus.DECLINED, EventTypes.FEUILLET2_DECIDED),
            Map.entry(RequestStatus.EXTRACTED, EventTypes.EXTRACT_PRODUCED),
            Map.entry(RequestStatus.DELIVERED, EventTypes.DELIVERY_SENT),
            Map.entry(RequestStatus.RETRIEVED, EventTypes.DELIVERY_RETRIEVED),
            Map.entry(RequestStatus.CLOSED, EventTypes.REQUEST_CLOSED),
            Map.entry(RequestStatus.FAILED, EventTypes.REQUEST_FAILED)));

    /**
     * One step of the story.
     *
     * @param source {@code ledger} (hash-chained event, with {@code seq} and {@code hash}) or {@code history}
     * @param text   the step in French
     */
    public record Entry(Instant at, String source, Long seq, String type, String actor, JsonNode details, String hash,
                        String text) {
    }

    private final String requestId;
    private final StoredRequest request;
    private final List<Entry> entries;

    private RequestStory(String requestId, StoredRequest request, List<Entry> entries) {
        this.requestId = requestId;
        this.request = request;
        this.entries = List.copyOf(entries);
    }

    /** Merges a request's history (may be empty) and its ledger events; {@code request} may be null. */
    public static RequestStory of(String requestId, StoredRequest request, List<HistoryEntry> history,
                                  List<LedgerEvent> events) {
        List<Entry> out = new ArrayList<>();
        for (LedgerEvent e : events) {
            JsonNode d = e.details();
            out.add(new Entry(e.at(), "ledger", e.seq(), e.type(), e.actor(), d, e.hash(),
                    eventText(requestId, e.type(), d, request) + " — par " + e.actor() + " [registre n° " + e.seq() + "]"));
        }
        Set<LedgerEvent> used = new HashSet<>();
        for (HistoryEntry h : history) {
            String type = STATUS_EVENT.get(h.status());
            boolean duplicate = h.detail() != null && h.detail().startsWith("duplicate");
            LedgerEvent twin = duplicate ? null : events.stream()
                    .filter(e -> !used.contains(e) && e.type().equals(type)
                            && Duration.between(e.at(), h.at()).abs().compareTo(SAME_STEP) <= 0)
                    .findFirst().orElse(null);
            if (twin != null) {
                used.add(twin);
                continue;
            }
            ObjectNode d = JsonNodeFactory.instance.objectNode();
            d.put("status", h.status().name());
            if (h.detail() != null) {
                d.put("detail", h.detail());
            }
            out.add(new Entry(h.at(), "history", null, "status." + h.status().name().toLowerCase(Locale.ROOT),
                    h.actor(), d, null, historyText(requestId, h, duplicate, request) + " — par " + h.actor()
                    + " [historique]"));
        }
        // stable: equal times keep ledger order, then history order
        out.sort(Comparator.comparing(Entry::at));
        return new RequestStory(requestId, request, out);
    }

    public String requestId() {
        return requestId;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** {@code true} when neither the request table nor the ledger knows this id. */
    public boolean isEmpty() {
        return request == null && entries.isEmpty();
    }

    /** Pretty-printed JSON: the request's summary and every step, with its French text. */
    public String toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("requestId", requestId);
        if (request == null) {
            root.putNull("request");
        } else {
            ObjectNode r = root.putObject("request");
            r.put("partnerId", request.partnerId());
            r.put("channel", request.channel());
            r.put("receivedAt", LedgerEvent.formatTime(request.receivedAt()));
            r.put("sha256", request.sha256());
            r.put("sizeBytes", request.sizeBytes());
            r.put("status", request.status().name());
        }
        ArrayNode list = root.putArray("events");
        for (Entry e : entries) {
            ObjectNode n = list.addObject();
            n.put("at", LedgerEvent.formatTime(e.at()));
            n.put("source", e.source());
            if (e.seq() != null) {
                n.put("seq", e.seq());
            }
            n.put("type", e.type());
            n.put("actor", e.actor());
            n.set("details", e.details());
            if (e.hash() != null) {
                n.put("hash", e.hash());
            }
            n.put("text", e.text());
        }
        try {
            return CanonicalJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The story in French, one line per step, times in Europe/Paris. */
    public String toFrenchText() {
        StringBuilder b = new StringBuilder();
        b.append("Historique de la demande ").append(requestId).append('\n');
        if (request != null) {
            b.append("Partenaire : ").append(request.partnerId() == null ? "non identifié" : request.partnerId())
                    .append(" — reçue le ").append(FR_TIME.format(request.receivedAt())).append(" par ")
                    .append(channel(request.channel())).append(" — SHA-256 ").append(request.sha256())
                    .append(" — état actuel : ").append(status(request.status())).append('\n');
        } else {
            b.append("Demande absente de la base des demandes : seuls les événements du registre sont connus.\n");
        }
        b.append("Heures de Paris. [registre n° N] : événement du registre d'audit chaîné ; [historique] : "
                + "historique de la demande.\n\n");
        if (entries.isEmpty()) {
            b.append("Aucun événement.\n");
        }
        for (Entry e : entries) {
            b.append(FR_TIME.format(e.at())).append(" — ").append(e.text()).append('\n');
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------------------------ French

    private static String eventText(String id, String type, JsonNode d, StoredRequest request) {
        return switch (type) {
            case EventTypes.REQUEST_RECEIVED -> {
                String ch = text(d, "channel", request == null ? null : request.channel());
                String sha = text(d, "sha256", request == null ? null : request.sha256());
                yield "Demande " + id + " reçue" + (ch == null ? "" : " par " + channel(ch))
                        + (sha == null ? "" : " (SHA-256 " + sha + ")");
            }
            case EventTypes.REQUEST_VALIDATED -> "Demande " + id + " validée";
            case EventTypes.REQUEST_REJECTED -> "Demande " + id + " rejetée" + reasons(d.path("reasons"), request);
            case EventTypes.REQUEST_ASSESSED -> "Faisabilité de la demande " + id + " évaluée";
            case EventTypes.FEUILLET2_DECIDED -> {
                StringBuilder s = new StringBuilder("Feuillet 2 : avis ")
                        .append(d.path("favorable").asBoolean(false) ? "favorable" : "défavorable");
                append(s, " — motif : ", text(d, "motif", null));
                append(s, " — indicateurs disponibles : ", list(d.path("indicators")));
                append(s, " — délais de livraison : ", text(d, "delay", null));
                yield s.toString();
            }
            case EventTypes.DIFFUSION_APPROVED -> "Diffusion externe approuvée par le Bureau d'Études (Art. 4)";
            case EventTypes.EXTRACT_PRODUCED -> {
                StringBuilder s = new StringBuilder("Extraction produite");
                if (d.has("cells")) {
                    s.append(" (").append(d.path("cells").asLong()).append(" cellules, ")
                            .append(d.path("suppressed").asLong()).append(" soumises au secret statistique)");
                }
                yield s.toString();
            }
            case EventTypes.DELIVERY_SENT -> {
                StringBuilder s = new StringBuilder("Données livrées");
                append(s, " à ", text(d, "recipient", null));
                String ch = text(d, "channel", null);
                append(s, " par ", ch == null ? null : channel(ch));
                if (d.path("files").isArray()) {
                    s.append(" (").append(d.path("files").size()).append(" fichier(s) chiffré(s)");
                    append(s, ", clé du destinataire ", text(d, "recipientKeyFingerprint", null));
                    s.append(')');
                }
                append(s, " — conditions d'usage version ", text(d, "usageTermsVersion", null));
                yield s.toString();
            }
            case EventTypes.DELIVERY_RETRIEVED -> {
                StringBuilder s = new StringBuilder("Livraison retirée");
                append(s, " par ", text(d, "by", null));
                String ch = text(d, "channel", null);
                append(s, " (", ch == null ? null : channel(ch) + ")");
                yield s.toString();
            }
            case EventTypes.REMINDER_SENT -> {
                StringBuilder s = new StringBuilder("Relance");
                append(s, " n° ", text(d, "number", null));
                s.append(" envoyée");
                append(s, " à ", text(d, "to", null));
                String due = date(text(d, "dueDate", null));
                s.append(" : exemplaire de l'étude attendu (Art. 3)");
                append(s, ", échéance le ", due);
                yield s.toString();
            }
            case EventTypes.STUDY_RECEIVED -> {
                StringBuilder s = new StringBuilder("Exemplaire de l'étude reçu (Art. 3)");
                String ch = text(d, "channel", null);
                append(s, " par ", ch == null ? null : channel(ch));
                append(s, " — fichier ", text(d, "fileName", null));
                append(s, " (SHA-256 ", text(d, "sha256", null) == null ? null : text(d, "sha256", null) + ")");
                yield s.toString();
            }
            case EventTypes.STUDY_REJECTED -> {
                StringBuilder s = new StringBuilder("Document reçu comme exemplaire de l'étude, refusé");
                String ch = text(d, "channel", null);
                append(s, " (", ch == null ? null : channel(ch) + ")");
                append(s, " — fichier ", text(d, "fileName", null));
                append(s, " : ", text(d, "reason", null));
                yield s.toString();
            }
            case EventTypes.REQUEST_CLOSED -> "Demande " + id + " close";
            case EventTypes.REQUEST_FAILED -> "Échec du traitement" + (d.hasNonNull("reason")
                    ? " : " + d.path("reason").asText() : "");
            case EventTypes.CONFIG_CHANGED -> "Configuration modifiée" + (d.hasNonNull("key")
                    ? " : " + d.path("key").asText() : "");
            case EventTypes.LEDGER_HEAD_SIGNED -> "Tête du registre signée par la CAF (événement n° "
                    + d.path("signedSeq").asText() + ", clé " + d.path("signer").asText() + ")";
            default -> "Événement « " + type + " »";
        };
    }

    private static String historyText(String id, HistoryEntry h, boolean duplicate, StoredRequest request) {
        if (duplicate) {
            return "Doublon de la demande " + id + " reçu et ignoré (déjà traitée)";
        }
        return switch (h.status()) {
            case RECEIVED -> "Demande " + id + " reçue" + (request == null ? ""
                    : " par " + channel(request.channel()) + " (SHA-256 " + request.sha256() + ")");
            case REJECTED -> "Demande " + id + " rejetée" + (request == null ? "" : reasons(null, request));
            default -> status(h.status()) + " (demande " + id + ")";
        };
    }

    private static String reasons(JsonNode fromEvent, StoredRequest request) {
        JsonNode reasons = fromEvent;
        if ((reasons == null || !reasons.isArray()) && request != null && request.reasonsJson() != null) {
            try {
                reasons = CanonicalJson.parse(request.reasonsJson());
            } catch (IllegalArgumentException e) {
                reasons = null;
            }
        }
        if (reasons == null || !reasons.isArray() || reasons.isEmpty()) {
            return "";
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode r : reasons) {
            if (r.isTextual()) {
                texts.add(r.asText());
            } else if (r.path("blocking").asBoolean(true)) {
                texts.add(r.path("text").asText(r.path("code").asText("")));
            }
        }
        return texts.isEmpty() ? "" : " : " + String.join(" ; ", texts);
    }

    static String channel(String channel) {
        return switch (channel.toUpperCase(Locale.ROOT)) {
            case "MAIL" -> "courriel";
            case "SFTP" -> "dépôt SFTP";
            case "BROKER" -> "messagerie (broker)";
            case "HTTP", "API" -> "API HTTP";
            default -> channel;
        };
    }

    static String status(RequestStatus s) {
        return switch (s) {
            case RECEIVED -> "Demande reçue";
            case VALIDATED -> "Demande validée";
            case REJECTED -> "Demande rejetée";
            case ASSESSED -> "Faisabilité évaluée";
            case APPROVED -> "Avis favorable (feuillet 2)";
            case DECLINED -> "Avis défavorable (feuillet 2)";
            case EXTRACTED -> "Extraction produite";
            case DELIVERED -> "Données livrées";
            case RETRIEVED -> "Données retirées par le partenaire";
            case CLOSED -> "Demande close (exemplaire de l'étude reçu)";
            case FAILED -> "Échec du traitement";
        };
    }

    private static String text(JsonNode d, String field, String fallback) {
        JsonNode v = d.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? fallback : v.asText();
    }

    private static String list(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            return null;
        }
        List<String> items = new ArrayList<>();
        array.forEach(n -> items.add(n.asText()));
        return String.join(", ", items);
    }

    /** An ISO date ({@code 2027-03-01}) as {@code 01/03/2027}; other text unchanged. */
    private static String date(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return FR_DATE.format(java.time.LocalDate.parse(iso.length() > 10 ? iso.substring(0, 10) : iso));
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    private static void append(StringBuilder s, String prefix, String value) {
        if (value != null && !value.isBlank()) {
            s.append(prefix).append(value);
        }
    }
}
