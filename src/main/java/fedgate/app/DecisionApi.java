package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.decision.Decision;
import fedgate.decision.PipelineService;
import fedgate.state.PipelineRepository.PipelineRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The Bureau d'Études' decisions over the HTTP API (Basic auth; the authenticated user is the actor recorded):
 * <ul>
 * <li>{@code POST /api/requests/{id}/decision} {@code {"favorable":true,"motif":"…","indicators":["ALLOC"],
 * "delay":"…","externalDiffusionApproved":true}} — 200, 400 (bad input), 404, 409 (not ASSESSED);</li>
 * <li>{@code POST /api/requests/{id}/external-diffusion} — Art. 4 approval of an approved request's external
 * diffusion that was waiting for it (then extracted);</li>
 * <li>{@code GET /api/requests/{id}} gets a {@code pipeline} section — feasibility draft, decision, feuillet 2 and
 * extract.</li>
 * </ul>
 */
public final class DecisionApi implements HttpApi.ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DecisionApi.class);
    private static final Set<String> FIELDS = Set.of("favorable", "motif", "indicators", "delay",
            "externalDiffusionApproved");

    private final PipelineEndpoints pipeline;
    private final ObjectMapper json;

    public DecisionApi(PipelineEndpoints pipeline, ObjectMapper json) {
        this.pipeline = pipeline;
        this.json = json;
    }

    private static final Pattern ACTION = Pattern.compile("/api/requests/(FED-\\d{4}-\\d{6})/(decision|external-diffusion)");
    private static final int MAX_BODY = 64 * 1024;

    /** A status and a JSON body. */
    record Reply(int status, JsonNode body) {
    }

    public void register(HttpApi http) {
        http.addHandler(this);
        http.addRequestSection("pipeline", id -> {
            try {
                return view(id);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public boolean handle(HttpExchange ex, String path) throws IOException {
        Matcher m = ACTION.matcher(path);
        if (!m.matches()) {
            return false;
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, new Reply(405, error("method not allowed")));
            return true;
        }
        byte[] raw = ex.getRequestBody().readNBytes(MAX_BODY + 1);
        if (raw.length > MAX_BODY) {
            send(ex, new Reply(413, error("body larger than " + MAX_BODY + " bytes")));
            return true;
        }
        JsonNode body = null;
        if (raw.length > 0) {
            try {
                body = json.readTree(raw);
            } catch (IOException e) {
                send(ex, new Reply(400, error("the body is not valid JSON")));
                return true;
            }
        }
        // the authenticated operator is the actor recorded with the decision
        String user = ex.getPrincipal().getUsername();
        send(ex, "decision".equals(m.group(2)) ? decide(m.group(1), user, body) : approveExternal(m.group(1), user));
        return true;
    }

    private void send(HttpExchange ex, Reply reply) throws IOException {
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(reply.body());
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    Reply decide(String id, String user, JsonNode body) {
        Decision d;
        try {
            d = parse(body, pipeline.service());
            PipelineService.Outcome o = pipeline.service().decide(id, d, user);
            return reply(id, o);
        } catch (Decision.InvalidDecision e) {
            return new Reply(400, error(e.getMessage()));
        }
    }

    Reply approveExternal(String id, String user) {
        return reply(id, pipeline.service().approveExternalDiffusion(id, user));
    }

    /** The {@code pipeline} section of {@code GET /api/requests/{id}}; null before assessment. */
    JsonNode view(String id) throws IOException {
        PipelineRecord r = pipeline.service().record(id).orElse(null);
        if (r == null) {
            return null;
        }
        ObjectNode n = json.createObjectNode();
        n.put("requestId", r.requestId());
        n.set("draft", r.draftJson() == null ? null : json.readTree(r.draftJson()));
        if (r.decidedAt() != null) {
            ObjectNode d = n.putObject("decision");
            d.put("favorable", r.favorable());
            d.put("motif", r.motif());
            d.set("indicators", r.decidedIndicatorsJson() == null ? null : json.readTree(r.decidedIndicatorsJson()));
            d.put("delay", r.deliveryDelay());
            d.put("decidedBy", r.decidedBy());
            d.put("decidedAt", r.decidedAt().toString());
            d.put("externalDiffusionApprovedBy", r.externalApprovedBy());
            d.put("externalDiffusionApprovedAt", r.externalApprovedAt() == null ? null
                    : r.externalApprovedAt().toString());
        }
        n.set("feuillet2", r.feuillet2Json() == null ? null : json.readTree(r.feuillet2Json()));
        n.put("feuillet2SentAt", r.feuillet2SentAt() == null ? null : r.feuillet2SentAt().toString());
        if (r.extractVersion() != null) {
            ObjectNode x = n.putObject("extract");
            x.put("version", r.extractVersion());
            x.put("dir", r.extractDir());
            x.put("extractedAt", r.extractedAt().toString());
        }
        n.put("failure", r.failureReason());
        return n;
    }

    private Reply reply(String id, PipelineService.Outcome o) {
        return switch (o.result()) {
            case NOT_FOUND -> new Reply(404, error("no such request"));
            case CONFLICT -> new Reply(409, error(o.message()));
            case DONE -> {
                try {
                    pipeline.queueDecided(id);
                } catch (RuntimeException e) {
                    // recorded; the decisions-resume route sends feuillet 2 within a minute or two
                    LOG.warn("{}: decision recorded but not queued yet ({}); it will be resumed", id, e.toString());
                }
                ObjectNode n = json.createObjectNode();
                n.put("requestId", id);
                n.put("status", o.message().split(" ", 2)[0]);
                n.put("message", o.message());
                yield new Reply(200, n);
            }
        };
    }

    /** The decision JSON, strictly: unknown fields and wrong types are named (a typo must not pass unnoticed). */
    static Decision parse(JsonNode body, PipelineService service) {
        if (body == null || !body.isObject()) {
            throw new Decision.InvalidDecision("expected a JSON object {\"favorable\":true|false,\"motif\":\"…\","
                    + "\"indicators\":[\"ALLOC\",…],\"delay\":\"…\",\"externalDiffusionApproved\":true|false}");
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                problems.add("unknown field '" + printable(f) + "' (expected " + String.join(", ", FIELDS.stream().sorted()
                        .toList()) + ")");
            }
        }
        Boolean favorable = bool(body, "favorable", problems);
        Boolean external = bool(body, "externalDiffusionApproved", problems);
        String motif = text(body, "motif", problems);
        String delay = text(body, "delay", problems);
        List<String> indicators = new ArrayList<>();
        JsonNode ind = body.get("indicators");
        if (ind != null && !ind.isNull()) {
            if (ind.isArray()) {
                ind.forEach(i -> {
                    if (i.isTextual()) {
                        indicators.add(i.asText());
                    } else {
                        problems.add("'indicators' must hold strings");
                    }
                });
            } else if (ind.isTextual()) {
                for (String s : ind.asText().split(",")) {
                    if (!s.isBlank()) {
                        indicators.add(s.strip());
                    }
                }
            } else {
                problems.add("'indicators' must be an array of catalogue codes");
            }
        }
        if (!problems.isEmpty()) {
            throw new Decision.InvalidDecision(String.join("; ", problems));
        }
        return Decision.checked(favorable, motif, indicators, delay, external, service.catalogue());
    }

    private static Boolean bool(JsonNode body, String field, List<String> problems) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            problems.add("'" + field + "' must be true or false");
            return null;
        }
        return n.asBoolean();
    }

    private static String text(JsonNode body, String field, List<String> problems) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            problems.add("'" + field + "' must be a string");
            return null;
        }
        return n.asText();
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return t.replaceAll("[^\\p{L}\\p{N}_ -]", "?");
    }

    private ObjectNode error(String message) {
        return json.createObjectNode().put("error", message);
    }
}
