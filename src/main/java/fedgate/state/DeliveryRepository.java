package fedgate.state;

import fedgate.ledger.EventTypes;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Deliveries and their retrieval receipts (V4__deliveries.sql), and the request status changes they cause
 * (DELIVERED, RETRIEVED, FAILED), each written with its history entry in the same transaction. Every statement
 * is prepared: nothing taken from input reaches SQL text.
 */
public final class DeliveryRepository {

    public record StoredDelivery(String id, String requestId, int version, String partnerId, String channel,
                                 DeliveryStatus status, String manifestSha256, int attempts, String lastError,
                                 Instant createdAt, Instant updatedAt, Instant deliveredAt, Instant noticeSentAt,
                                 Instant retrievedAt) {
    }

    /** One file the partner read from its outbox: what was read, and the SHA-256 of the file as stored. */
    public record Retrieval(String deliveryId, String account, String fileName, Instant at, long bytesRead,
                            long fileSize, String sha256, boolean matchesManifest) {
    }

    private static final String COLUMNS = "id, request_id, version, partner_id, channel, status, manifest_sha256, "
            + "attempts, last_error, created_at, updated_at, delivered_at, notice_sent_at, retrieved_at";
    private static final int MAX_ERROR = 2000;

    private final DataSource dataSource;

    private final RequestRepository requests;

    /** @param requests request transitions go through it, so each is also a ledger event in the same transaction */
    public DeliveryRepository(DataSource dataSource, RequestRepository requests) {
        this.requests = requests;
        this.dataSource = dataSource;
    }

    /**
     * Starts an attempt: creates the delivery (PENDING, 1 attempt) or counts one more attempt of a delivery that is
     * not yet DELIVERED. Returns the row as it is now; a DELIVERED or RETRIEVED one is returned unchanged.
     */
    public StoredDelivery begin(String id, String requestId, int version, String partnerId, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<StoredDelivery> existing = find(c, id, true);
                if (existing.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_delivery (id, request_id, version, "
                            + "partner_id, status, attempts, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)")) {
                        ps.setString(1, id);
                        ps.setString(2, requestId);
                        ps.setInt(3, version);
                        ps.setString(4, partnerId);
                        ps.setString(5, DeliveryStatus.PENDING.name());
                        ps.setInt(6, 1);
                        ps.setTimestamp(7, Timestamp.from(now));
                        ps.setTimestamp(8, Timestamp.from(now));
                        ps.executeUpdate();
                    }
                } else if (existing.get().status() == DeliveryStatus.PENDING || existing.get().status() == DeliveryStatus.FAILED) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE fed_delivery SET attempts = attempts + 1, "
                            + "status = ?, updated_at = ? WHERE id = ?")) {
                        ps.setString(1, DeliveryStatus.PENDING.name());
                        ps.setTimestamp(2, Timestamp.from(now));
                        ps.setString(3, id);
                        ps.executeUpdate();
                    }
                }
                StoredDelivery row = find(c, id, false).orElseThrow();
                c.commit();
                return row;
            } catch (SQLException | RuntimeException e) {
                Transactions.rollbackAfter(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot start delivery " + id, e);
        }
    }

    /** The channel the package was made for and the SHA-256 of its manifest, once packaged. */
    public void packaged(String id, String channel, String manifestSha256, Instant now) {
        update("UPDATE fed_delivery SET channel = ?, manifest_sha256 = ?, updated_at = ? WHERE id = ?",
                channel, manifestSha256, Timestamp.from(now), id);
    }

    /** An attempt failed but will be retried: the error is kept, the status stays PENDING. */
    public void attemptFailed(String id, String error, Instant now) {
        update("UPDATE fed_delivery SET last_error = ?, updated_at = ? WHERE id = ?", truncate(error), Timestamp.from(now), id);
    }

    /**
     * Transferred: the delivery DELIVERED and, for a request, the request DELIVERED with its history entry.
     */
    public void delivered(String id, String requestId, String actor, String detail, Instant now) {
        delivered(id, requestId, actor, detail, Map.of(), null, now);
    }

    /**
     * Something to do in the transaction that records a request's delivery (the study obligation of Art. 3 opens
     * with the delivery, or not at all).
     */
    public interface DeliveredHook {
        void delivered(Connection c, String requestId, String deliveryId, Map<String, ?> details, Instant now)
                throws SQLException;
    }

    /**
     * Transferred: the delivery DELIVERED and, for a request, the request DELIVERED with its {@code delivery.sent}
     * ledger event carrying {@code details} (recipient, channel, files, key, usage terms), and {@code hook} — all in
     * one transaction.
     */
    public void delivered(String id, String requestId, String actor, String detail, Map<String, ?> details,
                          DeliveredHook hook, Instant now) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_delivery SET status = ?, delivered_at = ?, "
                    + "last_error = NULL, updated_at = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, DeliveryStatus.DELIVERED.name());
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setString(4, id);
                ps.setString(5, DeliveryStatus.PENDING.name());
                if (ps.executeUpdate() == 1 && requestId != null) {
                    requestStatus(c, requestId, RequestStatus.DELIVERED, actor, detail, details, now);
                    if (hook != null) {
                        hook.delivered(c, requestId, id, details, now);
                    }
                }
            }
        }, id);
    }

    public void noticeSent(String id, Instant now) {
        update("UPDATE fed_delivery SET notice_sent_at = ?, updated_at = ? WHERE id = ?", Timestamp.from(now),
                Timestamp.from(now), id);
    }

    /**
     * Given up (refused, or out of attempts): the delivery FAILED with its reason and, when {@code requestId} is
     * given, the request FAILED with the reason in its history. A delivery that was made is never set back.
     */
    public void failed(String id, String requestId, String reason, String actor, Instant now) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_delivery SET status = ?, last_error = ?, "
                    + "updated_at = ? WHERE id = ? AND status IN (?, ?)")) {
                ps.setString(1, DeliveryStatus.FAILED.name());
                ps.setString(2, truncate(reason));
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setString(4, id);
                ps.setString(5, DeliveryStatus.PENDING.name());
                ps.setString(6, DeliveryStatus.FAILED.name());
                ps.executeUpdate();
            }
            if (requestId != null) {
                requestStatus(c, requestId, RequestStatus.FAILED, actor, reason, now);
            }
        }, id);
    }

    public void addRetrieval(Retrieval r) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO fed_delivery_retrieval (delivery_id, account, "
                     + "file_name, at, bytes_read, file_size, sha256, matches_manifest) VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.deliveryId());
            ps.setString(2, r.account());
            ps.setString(3, r.fileName());
            ps.setTimestamp(4, Timestamp.from(r.at()));
            ps.setLong(5, r.bytesRead());
            ps.setLong(6, r.fileSize());
            ps.setString(7, r.sha256());
            ps.setBoolean(8, r.matchesManifest());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot record a retrieval of " + r.deliveryId(), e);
        }
    }

    /**
     * Retrieved: a DELIVERED delivery becomes RETRIEVED and its request RETRIEVED with a history entry. Returns
     * false when the delivery was not DELIVERED (not yet, or already RETRIEVED).
     */
    public boolean retrieved(String id, String requestId, String actor, String detail, Instant now) {
        boolean[] changed = new boolean[1];
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE fed_delivery SET status = ?, retrieved_at = ?, "
                    + "updated_at = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, DeliveryStatus.RETRIEVED.name());
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setString(4, id);
                ps.setString(5, DeliveryStatus.DELIVERED.name());
                changed[0] = ps.executeUpdate() == 1;
            }
            if (changed[0] && requestId != null) {
                requestStatus(c, requestId, RequestStatus.RETRIEVED, actor, detail, now);
            }
        }, id);
        return changed[0];
    }

    /**
     * Sets a request's status with its history entry, as the stage that owns that transition does (used here for
     * the delivery stage's own transitions and by tests standing in for an earlier stage).
     */
    public void setRequestStatus(String requestId, RequestStatus status, String actor, String detail, Instant now) {
        inTransaction(c -> requestStatus(c, requestId, status, actor, detail, now), requestId);
    }

    public Optional<StoredDelivery> find(String id) {
        try (Connection c = dataSource.getConnection()) {
            return find(c, id, false);
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read delivery " + id, e);
        }
    }

    public List<StoredDelivery> forRequest(String requestId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                     + " FROM fed_delivery WHERE request_id = ? ORDER BY version, id")) {
            ps.setString(1, requestId);
            return read(ps);
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read deliveries of " + requestId, e);
        }
    }

    public List<Retrieval> retrievals(String deliveryId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT delivery_id, account, file_name, at, bytes_read, "
                     + "file_size, sha256, matches_manifest FROM fed_delivery_retrieval WHERE delivery_id = ? ORDER BY seq")) {
            ps.setString(1, deliveryId);
            List<Retrieval> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Retrieval(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            rs.getLong(5), rs.getLong(6), rs.getString(7), rs.getBoolean(8)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read retrievals of " + deliveryId, e);
        }
    }

    // ---------------------------------------------------------------- internals

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(Work work, String what) {
        Transactions.run(dataSource, "update " + what, c -> {
            work.run(c);
            return true;
        });
    }

    private void update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] == null) {
                    ps.setNull(i + 1, Types.VARCHAR);
                } else {
                    ps.setObject(i + 1, params[i]);
                }
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot update a delivery", e);
        }
    }

    private void requestStatus(Connection c, String requestId, RequestStatus status, String actor, String detail,
                               Instant now) throws SQLException {
        requestStatus(c, requestId, status, actor, detail, Map.of(), now);
    }

    private void requestStatus(Connection c, String requestId, RequestStatus status, String actor, String detail,
                               Map<String, ?> extra, Instant now) throws SQLException {
        String type = switch (status) {
            case DELIVERED -> EventTypes.DELIVERY_SENT;
            case RETRIEVED -> EventTypes.DELIVERY_RETRIEVED;
            default -> RequestRepository.eventType(status);
        };
        Map<String, Object> details = new LinkedHashMap<>(extra);
        if (status == RequestStatus.FAILED) {
            details.put("reason", detail);
        }
        requests.transition(c, requestId, status, actor, detail, type, details, now);
    }

    private static Optional<StoredDelivery> find(Connection c, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM fed_delivery WHERE id = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, id);
            List<StoredDelivery> rows = read(ps);
            return rows.stream().findFirst();
        }
    }

    private static List<StoredDelivery> read(PreparedStatement ps) throws SQLException {
        List<StoredDelivery> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredDelivery(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        rs.getString(5), DeliveryStatus.valueOf(rs.getString(6)), rs.getString(7), rs.getInt(8),
                        rs.getString(9), instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)),
                        instant(rs.getTimestamp(12)), instant(rs.getTimestamp(13)), instant(rs.getTimestamp(14))));
            }
        }
        return out;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= MAX_ERROR ? s : s.substring(0, MAX_ERROR);
    }
}
