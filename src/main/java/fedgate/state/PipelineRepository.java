package fedgate.state;

import fedgate.ledger.EventTypes;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipeline's state after intake (table {@code fed_pipeline}, migration V3): feasibility draft, decision,
 * feuillet 2, extract. Every status change is a conditional update of {@code fed_request.status} (from the one
 * status it may leave) plus {@link RequestRepository#transition} (history row and hash-chained ledger event), in one
 * transaction: two deciders, or a redelivered message, cannot both move a request, and no change escapes the
 * ledger. Every statement is prepared; nothing from input reaches SQL text.
 */
public final class PipelineRepository {

    /** Everything the pipeline stored about one request; null fields are not reached yet. */
    public record PipelineRecord(String requestId, String draftJson, Instant assessedAt, Boolean favorable, String motif,
                                 String decidedIndicatorsJson, String deliveryDelay, String decidedBy,
                                 Instant decidedAt, String externalApprovedBy, Instant externalApprovedAt,
                                 String feuillet2Json, Instant feuillet2SentAt, Instant extractQueuedAt,
                                 Integer extractVersion, String extractDir, Instant extractedAt, String failureReason) {
    }

    /** A decision as stored. */
    public record StoredDecision(boolean favorable, String motif, List<String> indicators, String indicatorsJson,
                                 String deliveryDelay, boolean externalApproved) {
    }

    private static final String COLUMNS = "request_id, draft_json, assessed_at, favorable, motif, decided_indicators, "
            + "delivery_delay, decided_by, decided_at, external_approved_by, external_approved_at, feuillet2_json, "
            + "feuillet2_sent_at, extract_queued_at, extract_version, extract_dir, extracted_at, failure_reason";

    private final DataSource dataSource;
    private final RequestRepository requests;

    public PipelineRepository(DataSource dataSource, RequestRepository requests) {
        this.dataSource = dataSource;
        this.requests = requests;
    }

    public Optional<PipelineRecord> find(String requestId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM fed_pipeline WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int v = rs.getInt(15);
                Integer version = rs.wasNull() ? null : v;
                boolean f = rs.getBoolean(4);
                Boolean favorable = rs.wasNull() ? null : f;
                return Optional.of(new PipelineRecord(rs.getString(1), rs.getString(2), instant(rs.getTimestamp(3)),
                        favorable, rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        instant(rs.getTimestamp(9)), rs.getString(10), instant(rs.getTimestamp(11)), rs.getString(12),
                        instant(rs.getTimestamp(13)), instant(rs.getTimestamp(14)), version, rs.getString(16),
                        instant(rs.getTimestamp(17)), rs.getString(18)));
            }
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read the pipeline state of " + requestId, e);
        }
    }

    /** VALIDATED → ASSESSED with the feasibility draft; false when the request is no longer VALIDATED. */
    public boolean assessed(String id, String draftJson, String actor, String detail) {
        return inTransaction(id, c -> {
            if (!move(c, id, RequestStatus.VALIDATED, RequestStatus.ASSESSED)) {
                return false;
            }
            upsert(c, id);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE fed_pipeline SET draft_json = ?, assessed_at = ? WHERE request_id = ?")) {
                ps.setString(1, draftJson);
                ps.setTimestamp(2, now());
                ps.setString(3, id);
                ps.executeUpdate();
            }
            requests.transition(c, id, RequestStatus.ASSESSED, actor, detail, EventTypes.REQUEST_ASSESSED, Map.of(),
                    Instant.now());
            return true;
        });
    }

    /** ASSESSED → APPROVED or DECLINED; false when the request is not ASSESSED (decided already, or not yet). */
    public boolean decided(String id, StoredDecision d, String actor, String detail) {
        RequestStatus to = d.favorable() ? RequestStatus.APPROVED : RequestStatus.DECLINED;
        return inTransaction(id, c -> {
            if (!move(c, id, RequestStatus.ASSESSED, to)) {
                return false;
            }
            upsert(c, id);
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_pipeline SET favorable = ?, motif = ?, "
                    + "decided_indicators = ?, delivery_delay = ?, decided_by = ?, decided_at = ?, "
                    + "external_approved_by = ?, external_approved_at = ? WHERE request_id = ?")) {
                ps.setBoolean(1, d.favorable());
                ps.setString(2, d.motif());
                ps.setString(3, d.indicatorsJson());
                ps.setString(4, d.deliveryDelay());
                ps.setString(5, truncate(actor, 320));
                ps.setTimestamp(6, now());
                if (d.externalApproved()) {
                    ps.setString(7, truncate(actor, 320));
                    ps.setTimestamp(8, now());
                } else {
                    ps.setNull(7, Types.VARCHAR);
                    ps.setNull(8, Types.TIMESTAMP_WITH_TIMEZONE);
                }
                ps.setString(9, id);
                ps.executeUpdate();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("favorable", d.favorable());
            details.put("motif", d.motif());
            details.put("indicators", d.indicators());
            details.put("delay", d.deliveryDelay());
            requests.transition(c, id, to, actor, detail, EventTypes.FEUILLET2_DECIDED, details, Instant.now());
            if (d.externalApproved()) {
                requests.transition(c, id, to, actor, "external diffusion approved (Art. 4)",
                        EventTypes.DIFFUSION_APPROVED, Map.of(), Instant.now());
            }
            return true;
        });
    }

    /**
     * Art. 4: the Bureau's approval of an external diffusion, given after a favorable decision; feuillet 2 is
     * marked unsent so that the answer, now complete, goes again. False when the request is not APPROVED
     * favorably or the approval is already recorded.
     */
    public boolean externalDiffusionApproved(String id, String actor, String detail) {
        return inTransaction(id, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_pipeline SET external_approved_by = ?, "
                    + "external_approved_at = ?, feuillet2_sent_at = NULL WHERE request_id = ? AND favorable = TRUE "
                    + "AND external_approved_at IS NULL AND request_id IN "
                    + "(SELECT id FROM fed_request WHERE id = ? AND status = ?)")) {
                ps.setString(1, truncate(actor, 320));
                ps.setTimestamp(2, now());
                ps.setString(3, id);
                ps.setString(4, id);
                ps.setString(5, RequestStatus.APPROVED.name());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            requests.transition(c, id, RequestStatus.APPROVED, actor, detail, EventTypes.DIFFUSION_APPROVED, Map.of(),
                    Instant.now());
            return true;
        });
    }

    public void feuillet2Sent(String id, String feuillet2Json) {
        update(id, "UPDATE fed_pipeline SET feuillet2_json = ?, feuillet2_sent_at = ? WHERE request_id = ?",
                feuillet2Json);
    }

    public void extractQueued(String id) {
        update(id, "UPDATE fed_pipeline SET extract_queued_at = ? WHERE request_id = ?", null);
    }

    /** APPROVED → EXTRACTED with where the extract is; false when the request is not APPROVED. */
    public boolean extracted(String id, int version, String dir, long cells, long suppressed, String actor,
                             String detail) {
        return inTransaction(id, c -> {
            if (!move(c, id, RequestStatus.APPROVED, RequestStatus.EXTRACTED)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_pipeline SET extract_version = ?, "
                    + "extract_dir = ?, extracted_at = ? WHERE request_id = ?")) {
                ps.setInt(1, version);
                ps.setString(2, dir);
                ps.setTimestamp(3, now());
                ps.setString(4, id);
                ps.executeUpdate();
            }
            requests.transition(c, id, RequestStatus.EXTRACTED, actor, detail, EventTypes.EXTRACT_PRODUCED,
                    Map.of("cells", cells, "suppressed", suppressed, "version", version), Instant.now());
            return true;
        });
    }

    /** {@code from} → FAILED with the (French) reason; false when the request is not in {@code from}. */
    public boolean failed(String id, RequestStatus from, String reason, String actor) {
        return inTransaction(id, c -> {
            if (!move(c, id, from, RequestStatus.FAILED)) {
                return false;
            }
            upsert(c, id);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE fed_pipeline SET failure_reason = ? WHERE request_id = ?")) {
                ps.setString(1, reason);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            requests.transition(c, id, RequestStatus.FAILED, actor, reason, EventTypes.REQUEST_FAILED,
                    Map.of("reason", reason), Instant.now());
            return true;
        });
    }

    /**
     * Crash recovery: decided requests whose feuillet 2 was never sent (decided more than {@code olderThan} ago,
     * so a decision being handled right now is left alone).
     */
    public List<String> decidedNotNotified(Instant olderThan) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT p.request_id FROM fed_pipeline p JOIN fed_request r "
                     + "ON r.id = p.request_id WHERE p.decided_at IS NOT NULL AND p.decided_at < ? "
                     + "AND p.feuillet2_sent_at IS NULL AND r.status IN (?, ?) ORDER BY p.decided_at")) {
            ps.setTimestamp(1, Timestamp.from(olderThan));
            ps.setString(2, RequestStatus.APPROVED.name());
            ps.setString(3, RequestStatus.DECLINED.name());
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot list decisions to notify", e);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private interface Work {
        boolean run(Connection c) throws SQLException;
    }

    private boolean inTransaction(String id, Work w) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean done = w.run(c);
                if (done) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return done;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot update the pipeline state of " + id, e);
        }
    }

    private static boolean move(Connection c, String id, RequestStatus from, RequestStatus to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE fed_request SET status = ?, updated_at = ? WHERE id = ? AND status = ?")) {
            ps.setString(1, to.name());
            ps.setTimestamp(2, now());
            ps.setString(3, id);
            ps.setString(4, from.name());
            return ps.executeUpdate() == 1;
        }
    }

    private static void upsert(Connection c, String id) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM fed_pipeline WHERE request_id = ?")) {
            q.setString(1, id);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_pipeline (request_id) VALUES (?)")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    private void update(String id, String sql, String value) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (value != null) {
                ps.setString(i++, value);
            }
            ps.setTimestamp(i++, now());
            ps.setString(i, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot update the pipeline state of " + id, e);
        }
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
