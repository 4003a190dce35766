package fedgate.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the manifest says about statistical disclosure control, read from the extract's
 * {@code disclosure-report.json}: policy version, decision, audit, delivered cells per status.
 *
 * @param counts delivered cells per status code ({@code published}, {@code territory}, {@code frequency},
 *               {@code dominance}, {@code secondary})
 */
public record DisclosureSummary(String policyVersion, String catalogueVersion, String decision, boolean auditPassed,
                                String source, LocalDate snapshotDate, Map<String, Long> counts, long suppressedCells) {

    public DisclosureSummary {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /** Whether the report allows delivery (decision "delivered" and audit passed). */
    public boolean deliverable() {
        return "delivered".equals(decision) && auditPassed;
    }

    /** From the root of {@code disclosure-report.json} (see docs/extracts.md). */
    static DisclosureSummary fromReport(JsonNode root) throws DeliveryException {
        if (root == null || !root.isObject()) {
            throw invalid("le rapport n'est pas un objet JSON");
        }
        String policy = text(root, "policyVersion");
        if (policy == null) {
            throw invalid("version de la politique de secret absente");
        }
        String decision = text(root, "decision");
        JsonNode audit = root.path("audit");
        boolean passed = audit.path("passed").isBoolean() && audit.path("passed").booleanValue();
        Map<String, Long> counts = new LinkedHashMap<>();
        JsonNode c = root.path("counts");
        long suppressed = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToLong() || e.getValue().longValue() < 0 || !e.getKey().matches("[a-z]{1,30}")) {
                throw invalid("décompte des cases illisible");
            }
            counts.put(e.getKey(), e.getValue().longValue());
            if (!"published".equals(e.getKey())) {
                suppressed += e.getValue().longValue();
            }
        }
        LocalDate snapshot = null;
        String date = text(root.path("snapshot"), "date");
        if (date != null) {
            try {
                snapshot = LocalDate.parse(date);
            } catch (DateTimeParseException e) {
                throw invalid("date des données illisible");
            }
        }
        return new DisclosureSummary(policy, text(root, "catalogueVersion"), decision == null ? "unknown" : decision, passed,
                text(root, "source"), snapshot, counts, suppressed);
    }

    private static DeliveryException invalid(String what) {
        return new DeliveryException(DeliveryException.Code.MISSING_DISCLOSURE_REPORT,
                "Le rapport de secret statistique (disclosure-report.json) est illisible : " + what);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.textValue().isBlank() && v.textValue().length() <= 200 ? v.textValue() : null;
    }
}
