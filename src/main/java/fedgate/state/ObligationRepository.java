package fedgate.state;

import fedgate.ledger.AuditLedger;
import fedgate.ledger.EventTypes;
import fedgate.ledger.Obligation;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Study obligations (Art. 3) and the studies received (V5__obligations.sql). Each change that matters to an auditor
 * commits with its ledger event: {@code reminder.sent}, {@code study.received} + {@code request.closed},
 * {@code study.rejected}. Every statement is prepared: nothing taken from input reaches SQL text.
 */
public final class ObligationRepository {

    /** Ledger event of a document recognised as a study but refused (details: channel, fileName, sha256, code, reason). */
    public static final String STUDY_REJECTED = EventTypes.STUDY_REJECTED;

    /** A study as received (the raw bytes are read separately). */
    public record StoredStudy(long seq, String namedRequest, String partnerId, String channel, String sender,
                              String sourceRef, Instant receivedAt, String rawSha256, long rawSize, String documentName,
                              String documentSha256, Long documentSize, boolean accepted, String reasonCode,
                              String reasonText) {
    }

    /** A study to store: what was received and what it holds. */
    public record NewStudy(String namedRequest, String partnerId, String channel, String sender, String sourceRef,
                           Instant receivedAt, String rawSha256, byte[] raw, String documentName, String documentSha256,
                           Long documentSize) {
    }

    private static final String OBLIGATION_COLUMNS = "request_id, partner_id, delivery_id, due_date, status, opened_at, "
            + "reminders_sent, last_reminder_at, fulfilled_at, study_seq";
    private static final String STUDY_COLUMNS = "seq, named_request, partner_id, channel, sender, source_ref, "
            + "received_at, raw_sha256, raw_size, document_name, document_sha256, document_size, accepted, reason_code, "
            + "reason_text";

    private final DataSource dataSource;
    private final RequestRepository requests;
    private final AuditLedger ledger;

    public ObligationRepository(DataSource dataSource, RequestRepository requests, AuditLedger ledger) {
        this.dataSource = dataSource;
        this.requests = requests;
        this.ledger = ledger;
    }

    // ---------------------------------------------------------------- obligations

    /**
     * Inside the delivery's own transaction: opens the obligation of {@code requestId} unless it has one (only the
     * first delivery of a request opens it; later versions keep its due date). Returns whether it was opened.
     */
    public boolean openInTransaction(Connection c, String requestId, String partnerId, String deliveryId,
                                     LocalDate dueDate, Instant now) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM fed_obligation WHERE request_id = ?")) {
            q.setString(1, requestId);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    return false;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_obligation (request_id, partner_id, delivery_id, "
                + "due_date, status, opened_at, reminders_sent) VALUES (?,?,?,?,?,?,0)")) {
            ps.setString(1, requestId);
            ps.setString(2, partnerId);
            ps.setString(3, deliveryId);
            ps.setObject(4, dueDate);
            ps.setString(5, Obligation.Status.OPEN.name());
            ps.setTimestamp(6, Timestamp.from(now));
            ps.executeUpdate();
        }
        return true;
    }

    /**
     * The hook of the delivery stage: the first delivery of a request opens its obligation, due on the usage terms'
     * {@code studyDueDate} (in the {@code delivery.sent} details); the yearly socle opens none
     * ({@link Obligation#NO_STUDY_CHANNELS}).
     */
    public DeliveryRepository.DeliveredHook openOnDelivery() {
        return (c, requestId, deliveryId, details, now) -> {
            Object due = details.get("studyDueDate");
            Object partner = details.get("recipient");
            if (due == null || partner == null) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT channel FROM fed_request WHERE id = ?")) {
                ps.setString(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || Obligation.NO_STUDY_CHANNELS.contains(rs.getString(1))) {
                        return;
                    }
                }
            }
            openInTransaction(c, requestId, partner.toString(), deliveryId, LocalDate.parse(due.toString()), now);
        };
    }

    public Optional<Obligation> find(String requestId) {
        return queryObligations("SELECT " + OBLIGATION_COLUMNS + " FROM fed_obligation WHERE request_id = ?", requestId)
                .stream().findFirst();
    }

    public List<Obligation> withStatus(Obligation.Status status) {
        return queryObligations("SELECT " + OBLIGATION_COLUMNS + " FROM fed_obligation WHERE status = ? "
                + "ORDER BY due_date, request_id", status.name());
    }

    public List<Obligation> all() {
        return queryObligations("SELECT " + OBLIGATION_COLUMNS + " FROM fed_obligation ORDER BY due_date, request_id",
                null);
    }

    /**
     * Reminder number {@code number} was mailed to {@code to}: counted, with its {@code reminder.sent} ledger event,
     * in one transaction. False (nothing written) when another instance recorded that reminder first, or the
     * obligation is no longer open.
     */
    public boolean reminderSent(String requestId, int number, String to, LocalDate dueDate, String actor, Instant now) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_obligation SET reminders_sent = ?, "
                    + "last_reminder_at = ? WHERE request_id = ? AND reminders_sent = ? AND status = ?")) {
                ps.setInt(1, number);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setString(3, requestId);
                ps.setInt(4, number - 1);
                ps.setString(5, Obligation.Status.OPEN.name());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("number", number);
            details.put("to", to);
            details.put("dueDate", dueDate.toString());
            requests.transition(c, requestId, currentStatus(c, requestId), actor,
                    "reminder " + number + " sent to " + to + ": copy of the study due " + dueDate + " (Art. 3)",
                    EventTypes.REMINDER_SENT, details, now);
            return true;
        }, "reminder of " + requestId);
    }

    // ---------------------------------------------------------------- studies

    public Optional<StoredStudy> findStudyByRawSha256(String sha256) {
        return queryStudies("SELECT " + STUDY_COLUMNS + " FROM fed_study WHERE raw_sha256 = ?", sha256).stream()
                .findFirst();
    }

    public List<StoredStudy> studies(String requestId) {
        return queryStudies("SELECT " + STUDY_COLUMNS + " FROM fed_study WHERE named_request = ? ORDER BY seq",
                requestId);
    }

    public byte[] studyRaw(long seq) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT raw FROM fed_study WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new RequestRepository.StateException("no study " + seq, null);
                }
                return rs.getBytes(1);
            }
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read study " + seq, e);
        }
    }

    /**
     * The study fulfils the open obligation of its request: stored, the obligation FULFILLED, the request CLOSED, with
     * the {@code study.received} and {@code request.closed} ledger events — one transaction. Empty (nothing written)
     * when the obligation is not open any more (another copy won the race): the caller refuses this one.
     */
    public Optional<Long> storeAccepted(NewStudy s, String actor, Instant now) {
        Long[] seq = new Long[1];
        boolean done = inTransaction(c -> {
            long id = insertStudy(c, s, true, null, null);
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_obligation SET status = ?, fulfilled_at = ?, "
                    + "study_seq = ? WHERE request_id = ? AND status = ?")) {
                ps.setString(1, Obligation.Status.FULFILLED.name());
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setLong(3, id);
                ps.setString(4, s.namedRequest());
                ps.setString(5, Obligation.Status.OPEN.name());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("channel", s.channel());
            details.put("fileName", s.documentName());
            details.put("sha256", s.documentSha256());
            details.put("sizeBytes", s.documentSize());
            details.put("rawSha256", s.rawSha256());
            details.put("studySeq", id);
            requests.transition(c, s.namedRequest(), currentStatus(c, s.namedRequest()), actor,
                    "copy of the study received by " + s.channel() + ": " + s.documentName() + " (sha256 "
                            + s.documentSha256() + ")", EventTypes.STUDY_RECEIVED, details, now);
            requests.transition(c, s.namedRequest(), RequestStatus.CLOSED, actor,
                    "closed: the copy of the study was received (Art. 3)", EventTypes.REQUEST_CLOSED, Map.of(), now);
            seq[0] = id;
            return true;
        }, "study of " + s.namedRequest());
        return done ? Optional.of(seq[0]) : Optional.empty();
    }

    /**
     * A refused study: kept with its French reason, and a {@code study.rejected} ledger event (on the named request
     * when it exists, so that its story tells it).
     */
    public long storeRejected(NewStudy s, String code, String reasonFr, boolean requestExists, String actor) {
        long[] seq = new long[1];
        inTransaction(c -> {
            seq[0] = insertStudy(c, s, false, code, reasonFr);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("channel", s.channel());
            details.put("fileName", s.documentName());
            details.put("sha256", s.documentSha256());
            details.put("rawSha256", s.rawSha256());
            details.put("namedRequest", s.namedRequest());
            details.put("code", code);
            details.put("reason", reasonFr);
            details.put("studySeq", seq[0]);
            ledger.appendInTransaction(c, actor, requestExists ? s.namedRequest() : null, STUDY_REJECTED, details);
            return true;
        }, "rejected study");
        return seq[0];
    }

    private static long insertStudy(Connection c, NewStudy s, boolean accepted, String code, String reason)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_study (named_request, partner_id, channel, "
                + "sender, source_ref, received_at, raw_sha256, raw_size, raw, document_name, document_sha256, "
                + "document_size, accepted, reason_code, reason_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, s.namedRequest());
            ps.setString(2, s.partnerId());
            ps.setString(3, s.channel());
            ps.setString(4, truncate(s.sender(), 320));
            ps.setString(5, truncate(s.sourceRef(), 1000));
            ps.setTimestamp(6, Timestamp.from(s.receivedAt()));
            ps.setString(7, s.rawSha256());
            ps.setLong(8, s.raw().length);
            ps.setBytes(9, s.raw());
            ps.setString(10, truncate(s.documentName(), 255));
            ps.setString(11, s.documentSha256());
            if (s.documentSize() == null) {
                ps.setNull(12, Types.BIGINT);
            } else {
                ps.setLong(12, s.documentSize());
            }
            ps.setBoolean(13, accepted);
            ps.setString(14, code);
            ps.setString(15, truncate(reason, 2000));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static RequestStatus currentStatus(Connection c, String requestId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status FROM fed_request WHERE id = ? FOR UPDATE")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new RequestRepository.StateException("no request " + requestId, null);
                }
                return RequestStatus.valueOf(rs.getString(1));
            }
        }
    }

    private interface Work {
        boolean run(Connection c) throws SQLException;
    }

    private boolean inTransaction(Work w, String what) {
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
            throw new RequestRepository.StateException("cannot record " + what, e);
        }
    }

    private List<Obligation> queryObligations(String sql, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setString(1, param);
            }
            List<Obligation> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long study = rs.getLong(10);
                    Long studySeq = rs.wasNull() ? null : study;
                    out.add(new Obligation(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4, LocalDate.class), Obligation.Status.valueOf(rs.getString(5)),
                            instant(rs.getTimestamp(6)), rs.getInt(7), instant(rs.getTimestamp(8)),
                            instant(rs.getTimestamp(9)), studySeq));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read obligations", e);
        }
    }

    private List<StoredStudy> queryStudies(String sql, String param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            List<StoredStudy> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long size = rs.getLong(12);
                    Long docSize = rs.wasNull() ? null : size;
                    out.add(new StoredStudy(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), instant(rs.getTimestamp(7)), rs.getString(8),
                            rs.getLong(9), rs.getString(10), rs.getString(11), docSize, rs.getBoolean(13),
                            rs.getString(14), rs.getString(15)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read studies", e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
