package fedgate.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.ledger.AuditLedger;
import fedgate.ledger.EventTypes;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Requests, their raw bytes and their history. Every statement is prepared: nothing taken from input
 * reaches SQL text.
 */
public final class RequestRepository {

    /** What the API and the pipeline see of a request (the raw bytes are read separately). */
    public record StoredRequest(String id, String partnerId, String channel, String sourceRef, String principal,
                                String fileName, Instant receivedAt, String sha256, long sizeBytes,
                                RequestStatus status, String reasonsJson, String feuillet1Json, String ackJson,
                                Instant ackSentAt, Instant forwardedAt) {
    }

    public record HistoryEntry(Instant at, RequestStatus status, String actor, String detail) {
    }

    /** A new input, before its id is known. */
    public record NewRequest(String channel, String sourceRef, String principal, String fileName, Instant receivedAt,
                             String sha256, byte[] raw) {
    }

    private static final String COLUMNS = "id, partner_id, channel, source_ref, principal, file_name, received_at, "
            + "sha256, size_bytes, status, reasons, feuillet1, ack_json, ack_sent_at, forwarded_at";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final AuditLedger ledger;
    private final GroupCommit<Decided, Optional<String>> groupCommit;

    /**
     * @param ledger every history entry is also an event of the hash-chained audit ledger, appended in the
     *               same transaction as the state change it records
     */
    public RequestRepository(DataSource dataSource, AuditLedger ledger) {
        this(dataSource, ledger, 1);
    }

    /**
     * @param groupCommitMaxBatch above 1, concurrent {@link #insertDecided} calls share one transaction and one
     *                            commit, up to that many at a time (group commit); 1: each its own transaction
     */
    public RequestRepository(DataSource dataSource, AuditLedger ledger, int groupCommitMaxBatch) {
        this.dataSource = dataSource;
        this.ledger = ledger;
        this.groupCommit = groupCommitMaxBatch > 1 ? new GroupCommit<Decided, Optional<String>>(dataSource,
                groupCommitMaxBatch, (c, d) -> writeDecided(c, d.in(), d.receivedActor(), d.verdict()),
                // the ledger head read and written once per batch, not once per event
                (c, body) -> ledger.withHeadHeld(c, () -> {
                    body.run();
                    return null;
                })) : null;
    }

    /**
     * Stores a new input as RECEIVED under a fresh id, or returns empty if the same content (SHA-256) is
     * already stored — the unique index decides, so two instances racing on one input store it once.
     */
    public Optional<String> insertReceived(NewRequest in, String actor) {
        // a unique violation is either the same content stored concurrently (a duplicate) or two instances
        // opening the same year's counter at once (retry)
        for (int attempt = 0; ; attempt++) {
            Optional<String> id = tryInsertReceived(in, actor);
            if (id.isPresent() || findIdBySha256(in.sha256()).isPresent()) {
                return id;
            }
            if (attempt == 2) {
                throw new StateException("cannot allocate a request id", null);
            }
        }
    }

    private Optional<String> tryInsertReceived(NewRequest in, String actor) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (findIdBySha256(c, in.sha256()).isPresent()) {
                    c.rollback();
                    return Optional.empty();
                }
                int year = in.receivedAt().atOffset(ZoneOffset.UTC).getYear();
                String id = nextId(c, year);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_request (id, channel, source_ref, "
                        + "principal, file_name, received_at, sha256, size_bytes, raw, status, reasons, updated_at) "
                        + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    ps.setString(1, id);
                    bindInput(ps, 2, in);
                    ps.setString(10, RequestStatus.RECEIVED.name());
                    ps.setString(11, "[]");
                    ps.setTimestamp(12, Timestamp.from(in.receivedAt()));
                    ps.executeUpdate();
                }
                history(c, id, RequestStatus.RECEIVED, actor, "received by " + in.channel(),
                        EventTypes.REQUEST_RECEIVED, Map.of("channel", in.channel(), "sha256", in.sha256(),
                                "sizeBytes", in.raw().length));
                c.commit();
                return Optional.of(id);
            } catch (SQLException e) {
                Transactions.rollbackAfter(c, e);
                if (isUniqueViolation(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StateException("cannot store received request", e);
        }
    }

    /** The verdict on a new input, known before its id: only the acknowledgement names the id. */
    public record Verdict(String partnerId, RequestStatus status, String reasonsJson, String feuillet1Json,
                          java.util.function.Function<String, String> ackJsonForId, String actor, String detail,
                          boolean forwarded) {
    }

    /**
     * Stores a new input together with its verdict in one transaction — the row, its RECEIVED and its verdict
     * history entries and ledger events — or returns empty if the same content (SHA-256) is already stored.
     * {@code forwarded} records the forward to the next stage as done (for an input whose forward commits with
     * the consumption of the input itself). One commit instead of one per step; a failure stores nothing.
     * With group commit on, concurrent calls are written together in one transaction (see {@link GroupCommit}), each
     * exactly as alone and in the order they came; the call returns once that transaction committed. A second input
     * with the same content in the same batch finds the first one's row and comes back empty, as it would one
     * transaction later; if the batch fails, this call's input is written again in a transaction of its own.
     */
    public Optional<String> insertDecided(NewRequest in, String receivedActor, Verdict verdict) {
        for (int attempt = 0; ; attempt++) {
            Optional<String> id;
            if (attempt == 0 && groupCommit != null) {
                // in the next group commit; if its batch failed, alone in a transaction of its own
                GroupCommit.Outcome<Optional<String>> o = groupCommit.submit(new Decided(in, receivedActor, verdict));
                id = o.alone() ? tryInsertDecided(in, receivedActor, verdict) : o.value();
            } else {
                id = tryInsertDecided(in, receivedActor, verdict);
            }
            if (id.isPresent() || findIdBySha256(in.sha256()).isPresent()) {
                return id;
            }
            if (attempt == 2) {
                throw new StateException("cannot allocate a request id", null);
            }
        }
    }

    /** One {@link #insertDecided} waiting for its group commit. */
    private record Decided(NewRequest in, String receivedActor, Verdict verdict) {
    }

    /** Group commits of {@link #insertDecided} so far (tests, diagnosis); zeros when they are off. */
    public GroupCommitStats groupCommitStats() {
        if (groupCommit == null) {
            return new GroupCommitStats(0, 0, 0, 0);
        }
        GroupCommit.Stats s = groupCommit.stats();
        return new GroupCommitStats(s.batches(), s.items(), s.failedBatches(), s.largest());
    }

    /** Committed batches, the items committed in them, failed batches (retried item by item), the largest batch. */
    public record GroupCommitStats(long batches, long items, long failedBatches, int largest) {
    }

    /** Calls of {@link #insertDecided} waiting to be taken into a batch (tests). */
    int groupCommitPending() {
        return groupCommit == null ? 0 : groupCommit.pending();
    }

    private Optional<String> tryInsertDecided(NewRequest in, String receivedActor, Verdict v) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<String> id = writeDecided(c, in, receivedActor, v);
                if (id.isEmpty()) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return id;
            } catch (SQLException | IOException | RuntimeException e) {
                Transactions.rollbackAfter(c, e);
                if (e instanceof SQLException sql && isUniqueViolation(sql)) {
                    return Optional.empty();
                }
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new StateException("cannot store received request", e);
        }
    }

    /**
     * The writes of {@link #insertDecided} inside the caller's transaction: nothing written, and empty, when the same
     * content is already stored (committed, or written earlier in the same transaction by a group commit).
     */
    private Optional<String> writeDecided(Connection c, NewRequest in, String receivedActor, Verdict v)
            throws SQLException, IOException {
        if (findIdBySha256(c, in.sha256()).isPresent()) {
            return Optional.empty();
        }
        int year = in.receivedAt().atOffset(ZoneOffset.UTC).getYear();
        String id = nextId(c, year);
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_request (id, partner_id, channel, "
                + "source_ref, principal, file_name, received_at, sha256, size_bytes, raw, status, reasons, "
                + "feuillet1, ack_json, forwarded_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, v.partnerId());
            bindInput(ps, 3, in);
            ps.setString(11, v.status().name());
            ps.setString(12, v.reasonsJson());
            ps.setString(13, v.feuillet1Json());
            ps.setString(14, v.ackJsonForId().apply(id));
            ps.setTimestamp(15, v.forwarded() ? now : null);
            ps.setTimestamp(16, now);
            ps.executeUpdate();
        }
        history(c, id, RequestStatus.RECEIVED, receivedActor, "received by " + in.channel(),
                EventTypes.REQUEST_RECEIVED, Map.of("channel", in.channel(), "sha256", in.sha256(),
                        "sizeBytes", in.raw().length));
        history(c, id, v.status(), v.actor(), v.detail(), eventType(v.status()),
                v.status() == RequestStatus.REJECTED ? Map.of("reasons", JSON.readTree(v.reasonsJson()))
                        : Map.of());
        return Optional.of(id);
    }

    /**
     * An internal request the gateway makes itself (the yearly socle, Art. 1.2.1), inside the caller's transaction:
     * stored VALIDATED at once for {@code partnerId} with its canonical feuillet 1, marked forwarded (the intake's
     * crash recovery never queues it: the caller moves it on), with its {@code request.received} and
     * {@code request.validated} ledger events. Returns the new id; a unique violation (same content) is thrown.
     */
    public String insertInternal(Connection c, NewRequest in, String partnerId, String feuillet1Json, String actor,
                                 String detail) throws SQLException {
        int year = in.receivedAt().atOffset(ZoneOffset.UTC).getYear();
        String id = nextId(c, year);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_request (id, partner_id, channel, source_ref, "
                + "principal, file_name, received_at, sha256, size_bytes, raw, status, reasons, feuillet1, "
                + "forwarded_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, partnerId);
            bindInput(ps, 3, in);
            ps.setString(11, RequestStatus.VALIDATED.name());
            ps.setString(12, "[]");
            ps.setString(13, feuillet1Json);
            ps.setTimestamp(14, Timestamp.from(in.receivedAt()));
            ps.setTimestamp(15, Timestamp.from(in.receivedAt()));
            ps.executeUpdate();
        }
        history(c, id, RequestStatus.RECEIVED, actor, "created by " + in.channel() + ": " + detail,
                EventTypes.REQUEST_RECEIVED, Map.of("channel", in.channel(), "sha256", in.sha256(),
                        "sizeBytes", in.raw().length));
        history(c, id, RequestStatus.VALIDATED, actor, "validated: " + detail, EventTypes.REQUEST_VALIDATED, Map.of());
        return id;
    }

    /**
     * Binds the input's columns, in the order every insert of {@code fed_request} lists them: channel, source_ref,
     * principal, file_name, received_at, sha256, size_bytes, raw — parameters {@code first} to {@code first + 7}.
     */
    private static void bindInput(PreparedStatement ps, int first, NewRequest in) throws SQLException {
        ps.setString(first, in.channel());
        ps.setString(first + 1, truncate(in.sourceRef(), 1000));
        ps.setString(first + 2, truncate(in.principal(), 320));
        ps.setString(first + 3, truncate(in.fileName(), 1000));
        ps.setTimestamp(first + 4, Timestamp.from(in.receivedAt()));
        ps.setString(first + 5, in.sha256());
        ps.setLong(first + 6, in.raw().length);
        ps.setBytes(first + 7, in.raw());
    }

    public Optional<String> findIdBySha256(String sha256) {
        try (Connection c = dataSource.getConnection()) {
            return findIdBySha256(c, sha256);
        } catch (SQLException e) {
            throw new StateException("lookup by hash failed", e);
        }
    }

    public Optional<String> findIdBySourceRef(String channel, String sourceRef) {
        if (sourceRef == null || sourceRef.isBlank()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT id FROM fed_request WHERE channel = ? AND source_ref = ? ORDER BY received_at")) {
            ps.setString(1, channel);
            ps.setString(2, truncate(sourceRef, 1000));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StateException("lookup by source failed", e);
        }
    }

    /** Records the outcome of parsing and validation. */
    public void complete(String id, String partnerId, RequestStatus status, String reasonsJson, String feuillet1Json,
                         String ackJson, String actor, String detail) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_request SET partner_id = ?, status = ?, "
                    + "reasons = ?, feuillet1 = ?, ack_json = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, partnerId);
                ps.setString(2, status.name());
                ps.setString(3, reasonsJson);
                ps.setString(4, feuillet1Json);
                ps.setString(5, ackJson);
                ps.setTimestamp(6, Timestamp.from(Instant.now()));
                ps.setString(7, id);
                if (ps.executeUpdate() != 1) {
                    throw new StateException("no request " + id, null);
                }
                history(c, id, status, actor, detail, eventType(status), status == RequestStatus.REJECTED
                        ? Map.of("reasons", JSON.readTree(reasonsJson)) : Map.of());
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                Transactions.rollbackAfter(c, e);
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new StateException("cannot update request " + id, e);
        }
    }

    public void markAckSent(String id) {
        touch(id, "ack_sent_at");
    }

    public void markForwarded(String id) {
        touch(id, "forwarded_at");
    }

    private void touch(String id, String column) {
        // column is one of two constants above, never input
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE fed_request SET " + column + " = ? WHERE id = ?")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now()));
            ps.setString(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StateException("cannot update request " + id, e);
        }
    }

    /** A history entry (and its ledger event of type {@code eventType}) that does not change the status. */
    public void addHistory(String id, RequestStatus status, String actor, String detail, String eventType) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                history(c, id, status, actor, detail, eventType, Map.of());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Transactions.rollbackAfter(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new StateException("cannot add history to " + id, e);
        }
    }

    public Optional<StoredRequest> find(String id) {
        return query("SELECT " + COLUMNS + " FROM fed_request WHERE id = ?", id).stream().findFirst();
    }

    public List<StoredRequest> list(int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT " + COLUMNS + " FROM fed_request ORDER BY received_at DESC, id DESC")) {
            ps.setMaxRows(limit);
            return read(ps);
        } catch (SQLException e) {
            throw new StateException("cannot list requests", e);
        }
    }

    /** Requests whose status is {@code status} and whose {@code forwarded_at} is still empty (crash recovery). */
    public List<StoredRequest> notForwarded(RequestStatus status) {
        return query("SELECT " + COLUMNS + " FROM fed_request WHERE status = ? AND forwarded_at IS NULL "
                + "ORDER BY received_at", status.name());
    }

    /** Requests received but never completed: a crash between storing and validating. */
    public List<StoredRequest> withStatus(RequestStatus status) {
        return query("SELECT " + COLUMNS + " FROM fed_request WHERE status = ? ORDER BY received_at", status.name());
    }

    public byte[] raw(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT raw FROM fed_request WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StateException("no request " + id, null);
                }
                return rs.getBytes(1);
            }
        } catch (SQLException e) {
            throw new StateException("cannot read raw bytes of " + id, e);
        }
    }

    public List<HistoryEntry> history(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT at, status, actor, detail FROM fed_request_history WHERE request_id = ? ORDER BY seq")) {
            ps.setString(1, id);
            List<HistoryEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HistoryEntry(rs.getTimestamp(1).toInstant(), RequestStatus.valueOf(rs.getString(2)),
                            rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StateException("cannot read history of " + id, e);
        }
    }

    private List<StoredRequest> query(String sql, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            return read(ps);
        } catch (SQLException e) {
            throw new StateException("query failed", e);
        }
    }

    private static List<StoredRequest> read(PreparedStatement ps) throws SQLException {
        List<StoredRequest> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredRequest(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant(), rs.getString(8),
                        rs.getLong(9), RequestStatus.valueOf(rs.getString(10)), rs.getString(11), rs.getString(12),
                        rs.getString(13), instant(rs.getTimestamp(14)), instant(rs.getTimestamp(15))));
            }
        }
        return out;
    }

    private static Optional<String> findIdBySha256(Connection c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM fed_request WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static String nextId(Connection c, int year) throws SQLException {
        int next;
        try (PreparedStatement up = c.prepareStatement(
                "UPDATE fed_request_sequence SET last_value = last_value + 1 WHERE seq_year = ?")) {
            up.setInt(1, year);
            if (up.executeUpdate() == 0) {
                try (PreparedStatement ins = c.prepareStatement(
                        "INSERT INTO fed_request_sequence (seq_year, last_value) VALUES (?, 1)")) {
                    ins.setInt(1, year);
                    ins.executeUpdate();
                }
            }
        }
        try (PreparedStatement q = c.prepareStatement("SELECT last_value FROM fed_request_sequence WHERE seq_year = ?")) {
            q.setInt(1, year);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                next = rs.getInt(1);
            }
        }
        if (next > 999_999) {
            throw new StateException("request counter exhausted for " + year, null);
        }
        String digits = Integer.toString(next); // as String.format("FED-%d-%06d"), which cost more than the query
        return "FED-" + year + "-" + "000000".substring(digits.length()) + digits;
    }

    /**
     * A stage's transition of a request to {@code status}, inside the caller's transaction (auto-commit off):
     * status, history entry and ledger event ({@code eventType}, {@code details}) commit or roll back with the
     * caller's own changes.
     */
    public void transition(Connection c, String requestId, RequestStatus status, String actor, String detail,
                           String eventType, Map<String, ?> details, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE fed_request SET status = ?, updated_at = ? WHERE id = ?")) {
            ps.setString(1, status.name());
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, requestId);
            if (ps.executeUpdate() != 1) {
                throw new StateException("no request " + requestId, null);
            }
        }
        history(c, requestId, status, actor, detail, eventType, details);
    }

    /** {@link #transition} in a transaction of its own, with the default event type of the status. */
    public void transition(String requestId, RequestStatus status, String actor, String detail,
                           Map<String, ?> details) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                transition(c, requestId, status, actor, detail, eventType(status), details, Instant.now());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Transactions.rollbackAfter(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new StateException("cannot move " + requestId + " to " + status, e);
        }
    }

    /** The ledger event type of a transition to {@code status}: {@code request.validated} … */
    public static String eventType(RequestStatus status) {
        return "request." + status.name().toLowerCase(Locale.ROOT);
    }

    private void history(Connection c, String id, RequestStatus status, String actor, String detail,
                         String eventType, Map<String, ?> details) throws SQLException {
        Map<String, Object> event = new LinkedHashMap<>(details);
        event.put("status", status.name());
        if (detail != null) {
            event.put("detail", detail);
        }
        ledger.appendInTransaction(c, actor, id, eventType, event);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_request_history "
                + "(request_id, at, status, actor, detail) VALUES (?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setString(3, status.name());
            ps.setString(4, truncate(actor, 320));
            ps.setString(5, detail);
            ps.executeUpdate();
        }
    }

    private static boolean isUniqueViolation(SQLException e) {
        // 23505: unique violation in both H2 and PostgreSQL
        return "23505".equals(e.getSQLState());
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** A state-store failure: transient for the pipeline (retried), never a reason shown to a partner. */
    public static final class StateException extends RuntimeException {
        public StateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
