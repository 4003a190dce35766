package fedgate.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.crypto.DetachedSigner;
import fedgate.crypto.SigningKey;
import fedgate.state.RequestRepository;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The tamper-evident audit ledger (DESIGN.md "Receipts and the usage-rights ledger"; docs/ledger.md).
 *
 * <p>Events are appended, never updated: each one stores the SHA-256 of the previous event ({@code prev_hash}) and
 * its own ({@code hash}, over {@link LedgerEvent#canonicalForm()}). Appends are serialized by locking the one row
 * of {@code ledger_head} ({@code SELECT … FOR UPDATE}) in the appending transaction, so threads and gateway
 * instances sharing one PostgreSQL database build one chain. {@link #verify} recomputes the chain; {@link #signHead}
 * signs its head with the CAF key, which anchors it against a rewrite by anyone who can write the database.
 *
 * <p>Every statement is prepared; nothing taken from input reaches SQL text. Logs never show event details.
 */
public final class AuditLedger {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLedger.class);

    /** The actor of events the gateway writes on its own (head signatures, timers). */
    public static final String SYSTEM_ACTOR = "fedgate";

    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_ACTOR = 320;
    private static final int APPEND_ATTEMPTS = 8;
    /** How far from its position {@link #verify} looks for the true place of an event whose hash fails. */
    private static final int REORDER_WINDOW = 1000;

    private static final String EVENT_COLUMNS = "seq, at, actor, request_id, event_type, details, prev_hash, hash";
    private static final String SIGNED_COLUMNS = "seq, hash, signed_at, signer_fingerprint, signature";

    private final DataSource dataSource;
    private final Clock clock;

    /** The chain's last event: {@code seq} 0 and the genesis hash for an empty ledger. */
    public record Head(long seq, String hash) {
    }

    public AuditLedger(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ------------------------------------------------------------------------------------------------ append

    /**
     * Appends an event in a transaction of its own (retried when the head lock is not obtained in time).
     *
     * @param actor     who did it: a user, a partner id, a mail address, or {@link #SYSTEM_ACTOR}
     * @param requestId the request concerned, or {@code null}
     * @param type      {@code [a-z0-9._-]}, e.g. {@link EventTypes#DELIVERY_SENT}
     * @param details   a JSON object (stored as canonical JSON); {@code null} for {@code {}}
     */
    public LedgerEvent append(String actor, String requestId, String type, JsonNode details) {
        return appendDetails(actor, requestId, type, details);
    }

    /** As {@link #append(String, String, String, JsonNode)} with the details as a map (values: JSON-mappable). */
    public LedgerEvent append(String actor, String requestId, String type, Map<String, ?> details) {
        return appendDetails(actor, requestId, type, details);
    }

    /**
     * Appends an event inside the caller's transaction, so that a state change and its event commit (or roll back)
     * together. {@code connection} must have auto-commit off; the head stays locked until the caller commits or
     * rolls back, so keep the transaction short. A lock timeout surfaces as a {@link LedgerException} (retry the
     * whole transaction).
     */
    public LedgerEvent appendInTransaction(Connection connection, String actor, String requestId, String type,
                                           JsonNode details) {
        return appendInTransactionDetails(connection, actor, requestId, type, details);
    }

    /** As {@link #appendInTransaction(Connection, String, String, String, JsonNode)} with the details as a map. */
    public LedgerEvent appendInTransaction(Connection connection, String actor, String requestId, String type,
                                           Map<String, ?> details) {
        return appendInTransactionDetails(connection, actor, requestId, type, details);
    }

    private LedgerEvent appendDetails(String actor, String requestId, String type, Object details) {
        Prepared p = prepare(actor, requestId, type, details);
        return inTransaction("append a ledger event", c -> insert(c, lockHead(c), now(), p));
    }

    private LedgerEvent appendInTransactionDetails(Connection c, String actor, String requestId, String type,
                                                   Object details) {
        Prepared p = prepare(actor, requestId, type, details);
        try {
            if (c.getAutoCommit()) {
                throw new IllegalStateException("appendInTransaction needs a connection with auto-commit off");
            }
            HeldHead h = held.get();
            if (h != null && h.connection == c) {
                if (h.head == null) {
                    h.head = lockHead(c);
                }
                LedgerEvent event = insertEvent(c, h.head, now(), p);
                h.head = new Head(event.seq(), event.hash());
                h.changed = true;
                return event;
            }
            return insert(c, lockHead(c), now(), p);
        } catch (SQLException e) {
            throw new LedgerException("cannot append a ledger event", e);
        }
    }

    /** Work inside a transaction, see {@link #withHeadHeld}. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run() throws Exception;
    }

    /** The head as the transaction of {@link #withHeadHeld} has it so far (null: not read yet). */
    private static final class HeldHead {
        final Connection connection;
        Head head;
        boolean changed;

        HeldHead(Connection connection) {
            this.connection = connection;
        }
    }

    private final ThreadLocal<HeldHead> held = new ThreadLocal<>();

    /**
     * Runs {@code work} in the caller's transaction ({@code connection}, auto-commit off) with the head read and
     * locked once, at the first append: the events {@code work} appends by {@link #appendInTransaction} on that
     * connection, from this thread, chain on the head kept in memory, and the {@code ledger_head} row is written
     * once, when {@code work} returns. The same events and the same head as one append after another, with one head
     * read and one head update instead of one of each per event (a group commit of many state changes). If
     * {@code work} throws, nothing is written for the head: the caller rolls the transaction back.
     */
    public <T> T withHeadHeld(Connection connection, TransactionWork<T> work) throws Exception {
        if (held.get() != null) {
            return work.run();
        }
        HeldHead h = new HeldHead(connection);
        held.set(h);
        try {
            T result = work.run();
            if (h.changed) {
                writeHead(connection, h.head);
            }
            return result;
        } finally {
            held.remove();
        }
    }

    private record Prepared(String actor, String requestId, String type, String details) {
    }

    private static Prepared prepare(String actor, String requestId, String type, Object details) {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("an event needs an actor");
        }
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("invalid event type (expected [a-z0-9._-], at most 64 characters)");
        }
        if (requestId != null && !REQUEST_ID.matcher(requestId).matches()) {
            throw new IllegalArgumentException("invalid request id");
        }
        String canonical = CanonicalJson.write(details);
        if (!canonical.startsWith("{")) {
            throw new IllegalArgumentException("event details must be a JSON object");
        }
        return new Prepared(cleanActor(actor), requestId, type, canonical);
    }

    /** Control characters become '?' and the length is capped: an actor may come from a mail header. */
    private static String cleanActor(String actor) {
        StringBuilder b = new StringBuilder(Math.min(actor.length(), MAX_ACTOR));
        actor.strip().codePoints().limit(MAX_ACTOR)
                .forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
        String s = b.toString();
        return s.length() <= MAX_ACTOR ? s : s.substring(0, MAX_ACTOR);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Head lockHead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT last_seq, last_hash FROM ledger_head WHERE head_id = 1 FOR UPDATE")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new LedgerException("the ledger_head row is missing: the ledger was tampered with", null);
                }
                return new Head(rs.getLong(1), rs.getString(2));
            }
        }
    }

    private static LedgerEvent insert(Connection c, Head head, Instant at, Prepared p) throws SQLException {
        LedgerEvent event = insertEvent(c, head, at, p);
        writeHead(c, new Head(event.seq(), event.hash()));
        return event;
    }

    private static void writeHead(Connection c, Head head) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ledger_head SET last_seq = ?, last_hash = ? WHERE head_id = 1")) {
            ps.setLong(1, head.seq());
            ps.setString(2, head.hash());
            ps.executeUpdate();
        }
    }

    /** The event row only; the caller moves the head. */
    private static LedgerEvent insertEvent(Connection c, Head head, Instant at, Prepared p) throws SQLException {
        long seq = head.seq() + 1;
        String hash = LedgerEvent.computeHash(seq, at, p.actor(), p.requestId(), p.type(), p.details(), head.hash());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_event (" + EVENT_COLUMNS
                + ") VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setLong(1, seq);
            ps.setObject(2, at.atOffset(ZoneOffset.UTC));
            ps.setString(3, p.actor());
            ps.setString(4, p.requestId());
            ps.setString(5, p.type());
            ps.setString(6, p.details());
            ps.setString(7, head.hash());
            ps.setString(8, hash);
            ps.executeUpdate();
        }
        LOG.debug("ledger event #{} {} appended", seq, p.type());
        return new LedgerEvent(seq, at, p.actor(), p.requestId(), p.type(), p.details(), head.hash(), hash);
    }

    // ------------------------------------------------------------------------------------------------ read

    public Head head() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT last_seq, last_hash FROM ledger_head WHERE head_id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new LedgerException("the ledger_head row is missing: the ledger was tampered with", null);
            }
            return new Head(rs.getLong(1), rs.getString(2));
        } catch (SQLException e) {
            throw new LedgerException("cannot read the ledger head", e);
        }
    }

    /** The events of one request, in chain order. */
    public List<LedgerEvent> events(String requestId) {
        return readEvents("SELECT " + EVENT_COLUMNS + " FROM ledger_event WHERE request_id = ? ORDER BY seq",
                ps -> ps.setString(1, requestId));
    }

    /** At most {@code limit} events from {@code fromSeq} on, in chain order (paging). */
    public List<LedgerEvent> events(long fromSeq, int limit) {
        return readEvents("SELECT " + EVENT_COLUMNS + " FROM ledger_event WHERE seq >= ? ORDER BY seq", ps -> {
            ps.setLong(1, fromSeq);
            ps.setMaxRows(limit);
        });
    }

    /** Every signed head, oldest first. */
    public List<SignedHead> signedHeads() {
        try (Connection c = dataSource.getConnection()) {
            return signedHeads(c, Long.MAX_VALUE);
        } catch (SQLException e) {
            throw new LedgerException("cannot read the signed heads", e);
        }
    }

    public Optional<SignedHead> latestSignedHead() {
        try (Connection c = dataSource.getConnection()) {
            return latestSignedHead(c);
        } catch (SQLException e) {
            throw new LedgerException("cannot read the signed heads", e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<LedgerEvent> readEvents(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<LedgerEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(event(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new LedgerException("cannot read ledger events", e);
        }
    }

    private static LedgerEvent event(ResultSet rs) throws SQLException {
        return new LedgerEvent(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8));
    }

    private static List<SignedHead> signedHeads(Connection c, long maxSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + SIGNED_COLUMNS + " FROM ledger_signed_head WHERE seq <= ? ORDER BY seq")) {
            ps.setLong(1, maxSeq);
            List<SignedHead> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(signedHead(rs));
                }
            }
            return out;
        }
    }

    private static Optional<SignedHead> latestSignedHead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + SIGNED_COLUMNS + " FROM ledger_signed_head ORDER BY seq DESC FETCH FIRST 1 ROWS ONLY");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(signedHead(rs)) : Optional.empty();
        }
    }

    private static SignedHead signedHead(ResultSet rs) throws SQLException {
        return new SignedHead(rs.getLong(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                rs.getString(4), rs.getString(5));
    }

    // ------------------------------------------------------------------------------------------------ signing

    /** Signs the current head with the CAF key, as {@link #SYSTEM_ACTOR}. */
    public SignedHead signHead(SigningKey key) {
        return signHead(key, SYSTEM_ACTOR);
    }

    /**
     * Signs the current head (the last event) with the CAF key: stores the signed head and appends a
     * {@code ledger.head.signed} event carrying it, in one transaction (the head stays locked meanwhile).
     */
    public SignedHead signHead(SigningKey key, String actor) {
        Objects.requireNonNull(key, "key");
        Prepared check = prepare(actor, null, EventTypes.LEDGER_HEAD_SIGNED, null);
        SignedHead signed = inTransaction("sign the ledger head", c -> sign(c, lockHead(c), key, check.actor()));
        LOG.info("ledger head #{} signed by {} ({})", signed.seq(), signed.signerFingerprint(), signed.hash());
        return signed;
    }

    /**
     * For a periodic timer (e.g. every hour with {@code minInterval} = 24 h): signs the head when no head was
     * signed for {@code minInterval} and events were appended since the last signature. Decided under the head
     * lock, so several gateway instances firing together sign once.
     *
     * @return the new signed head, or empty when none was due
     */
    public Optional<SignedHead> signHeadIfDue(SigningKey key, Duration minInterval) {
        Objects.requireNonNull(key, "key");
        Optional<SignedHead> signed = inTransaction("sign the ledger head", c -> {
            Head head = lockHead(c);
            Optional<SignedHead> latest = latestSignedHead(c);
            boolean due = latest.isEmpty()
                    ? head.seq() > 0
                    // seq + 1 is the ledger.head.signed event of the latest signature: nothing new after it
                    : head.seq() > latest.get().seq() + 1
                    && !now().isBefore(latest.get().signedAt().plus(minInterval));
            return due ? Optional.of(sign(c, head, key, SYSTEM_ACTOR)) : Optional.<SignedHead>empty();
        });
        signed.ifPresent(s -> LOG.info("ledger head #{} signed by {} ({})", s.seq(), s.signerFingerprint(), s.hash()));
        return signed;
    }

    private SignedHead sign(Connection c, Head head, SigningKey key, String actor) throws SQLException {
        Instant at = now();
        String text = SignedHead.canonicalText(head.seq(), head.hash(), at);
        String signature;
        try {
            signature = new DetachedSigner(key).sign(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sign the ledger head", e);
        }
        SignedHead signed = new SignedHead(head.seq(), head.hash(), at, key.fingerprint(), signature);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_signed_head (" + SIGNED_COLUMNS
                + ") VALUES (?,?,?,?,?)")) {
            ps.setLong(1, signed.seq());
            ps.setString(2, signed.hash());
            ps.setObject(3, at.atOffset(ZoneOffset.UTC));
            ps.setString(4, signed.signerFingerprint());
            ps.setString(5, signature);
            ps.executeUpdate();
        }
        insert(c, head, at, prepare(actor, null, EventTypes.LEDGER_HEAD_SIGNED, signedHeadDetails(signed)));
        return signed;
    }

    private static ObjectNode signedHeadDetails(SignedHead s) {
        ObjectNode d = CanonicalJson.object();
        d.put("signedSeq", s.seq());
        d.put("signedHash", s.hash());
        d.put("signedAt", LedgerEvent.formatTime(s.signedAt()));
        d.put("signer", s.signerFingerprint());
        d.put("signature", s.signature());
        return d;
    }

    private static SignedHead signedHeadOf(LedgerEvent e) {
        JsonNode d = e.details();
        return new SignedHead(d.path("signedSeq").asLong(-1), d.path("signedHash").asText(""),
                Instant.parse(d.path("signedAt").asText("1970-01-01T00:00:00Z")), d.path("signer").asText(""),
                d.path("signature").asText(""));
    }

    // ------------------------------------------------------------------------------------------------ verify

    /** {@link #verify(PGPPublicKeyRing)} without checking the OpenPGP signatures of the signed heads. */
    public Verification verify() {
        return verify(null);
    }

    /**
     * Recomputes the whole chain and names the first event altered, missing, reordered, added beside the ledger or
     * cut off the tail; checks that every signed head is still on the chain and, when {@code cafCertificate} is
     * given, that its signature is the CAF's (with the key as it was when the head was signed).
     */
    public Verification verify(PGPPublicKeyRing cafCertificate) {
        Verification v;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                v = verify(c, cafCertificate);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new LedgerException("cannot read the ledger", e);
        }
        if (v.ok()) {
            LOG.info("{}", v.summary());
        } else {
            LOG.warn("{}", v.summary());
        }
        return v;
    }

    private Verification verify(Connection c, PGPPublicKeyRing caf) throws SQLException {
        // one statement, one consistent view: events and signatures committed after it are left for next time
        long headSeq;
        String headHash;
        long maxEventSeq;
        long maxSignedSeq;
        try (PreparedStatement ps = c.prepareStatement("SELECT h.last_seq, h.last_hash, "
                + "(SELECT MAX(e.seq) FROM ledger_event e), (SELECT MAX(s.seq) FROM ledger_signed_head s) "
                + "FROM ledger_head h WHERE h.head_id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Verification.broken(0, 1, "the ledger_head row is missing (deleted)", null, 0);
            }
            headSeq = rs.getLong(1);
            headHash = rs.getString(2);
            maxEventSeq = rs.getLong(3);
            long s = rs.getLong(4);
            maxSignedSeq = rs.wasNull() ? -1 : s;
        }
        List<SignedHead> signedRows = maxSignedSeq < 0 ? List.of() : signedHeads(c, maxSignedSeq);
        Set<Long> signedSeqs = new HashSet<>();
        signedRows.forEach(s -> signedSeqs.add(s.seq()));
        Map<Long, String> hashAt = new HashMap<>();
        hashAt.put(0L, LedgerEvent.GENESIS_HASH);
        Map<Long, SignedHead> signedInChain = new LinkedHashMap<>();
        Map<Long, Long> signedEventSeq = new HashMap<>();

        long expected = 1;
        String prev = LedgerEvent.GENESIS_HASH;
        long count = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + EVENT_COLUMNS + " FROM ledger_event WHERE seq <= ? ORDER BY seq")) {
            ps.setLong(1, headSeq);
            ps.setFetchSize(500);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LedgerEvent e = event(rs);
                    if (e.seq() != expected) {
                        return Verification.broken(count, expected, expected == 1
                                ? "event #1 is missing (the chain starts at #" + e.seq() + ")"
                                : "event #" + expected + " is missing (the chain jumps from #" + (expected - 1)
                                + " to #" + e.seq() + ")", prev, 0);
                    }
                    if (!e.hashMatches()) {
                        long home = trueSeq(e, Math.max(maxEventSeq, headSeq));
                        return Verification.broken(count, e.seq(), home > 0
                                ? "events reordered: position #" + e.seq() + " holds event #" + home
                                + " (intact, but hashed for position #" + home + ")"
                                : "event #" + e.seq() + " altered: its content no longer matches its hash", prev, 0);
                    }
                    if (!e.prevHash().equals(prev)) {
                        return hashExists(c, e.prevHash())
                                ? Verification.broken(count, e.seq(), "events reordered: event #" + e.seq()
                                + " does not follow event #" + (e.seq() - 1), prev, 0)
                                : Verification.broken(count, e.seq() - 1, "event #" + (e.seq() - 1) + " replaced: event #"
                                + e.seq() + " links to a hash that is no longer in the ledger", prev, 0);
                    }
                    if (signedSeqs.contains(e.seq())) {
                        hashAt.put(e.seq(), e.hash());
                    }
                    if (EventTypes.LEDGER_HEAD_SIGNED.equals(e.type())) {
                        SignedHead s = signedHeadOf(e);
                        signedInChain.put(s.seq(), s);
                        signedEventSeq.put(s.seq(), e.seq());
                    }
                    prev = e.hash();
                    expected++;
                    count++;
                }
            }
        }
        long last = expected - 1;
        if (maxEventSeq > headSeq) {
            return Verification.broken(count, headSeq + 1, "event #" + (headSeq + 1)
                    + " lies beyond the ledger head #" + headSeq + " (written outside the ledger)", prev, 0);
        }
        if (last < headSeq) {
            return Verification.broken(count, last + 1, "tail truncated: the ledger head records " + headSeq
                    + " event(s) but the chain ends at #" + last, prev, 0);
        }
        if (!headHash.equals(prev)) {
            return Verification.broken(count, headSeq, "the ledger head hash is not the hash of event #" + headSeq,
                    prev, 0);
        }
        int signatures = 0;
        for (SignedHead row : signedRows) {
            String when = LedgerEvent.formatTime(row.signedAt());
            if (row.seq() >= last) {
                // the signed head and its ledger.head.signed event (seq + 1) must both be on the chain
                return Verification.broken(count, last + 1, "tail truncated: head #" + row.seq() + " was signed at "
                        + when + " but the chain ends at #" + last, prev, signatures);
            }
            if (!row.hash().equals(hashAt.get(row.seq()))) {
                return Verification.broken(count, row.seq(), "event #" + row.seq() + " no longer matches the head "
                        + "signed at " + when + ": the chain was rewritten at or before #" + row.seq(), prev, signatures);
            }
            SignedHead recorded = signedInChain.remove(row.seq());
            if (recorded == null || !recorded.equals(row)) {
                return Verification.broken(count, row.seq(), "the signed head #" + row.seq() + " (" + when
                        + ") does not match a ledger.head.signed event of the chain", prev, signatures);
            }
            if (caf != null) {
                String problem = signatureProblem(row, caf);
                if (problem != null) {
                    return Verification.broken(count, row.seq(), "the signature of head #" + row.seq() + " (signed at "
                            + when + ") is not valid: " + problem, prev, signatures);
                }
                signatures++;
            }
        }
        if (!signedInChain.isEmpty()) {
            long seq = signedInChain.keySet().iterator().next();
            return Verification.broken(count, signedEventSeq.get(seq), "the signed head #" + seq + " recorded by event #"
                    + signedEventSeq.get(seq) + " is missing from ledger_signed_head (deleted)", prev, signatures);
        }
        return new Verification(true, count, null, null, prev, signatures);
    }

    /** The position an event was hashed for, near where it is found; 0 when none (then it was altered). */
    private static long trueSeq(LedgerEvent e, long maxSeq) {
        long from = Math.max(1, e.seq() - REORDER_WINDOW);
        long to = Math.min(maxSeq, e.seq() + REORDER_WINDOW);
        for (long s = from; s <= to; s++) {
            if (s != e.seq() && LedgerEvent.computeHash(s, e.at(), e.actor(), e.requestId(), e.type(), e.detailsJson(),
                    e.prevHash()).equals(e.hash())) {
                return s;
            }
        }
        return 0;
    }

    private static boolean hashExists(Connection c, String hash) throws SQLException {
        if (LedgerEvent.GENESIS_HASH.equals(hash)) {
            return true;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM ledger_event WHERE hash = ?")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String signatureProblem(SignedHead head, PGPPublicKeyRing caf) {
        try {
            DetachedSigner.Verification v = DetachedSigner.verify(
                    new ByteArrayInputStream(head.canonicalText().getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayInputStream(head.signature().getBytes(StandardCharsets.US_ASCII)), caf,
                    Clock.fixed(head.signedAt(), ZoneOffset.UTC));
            return v.valid() ? null : v.reason();
        } catch (IOException e) {
            return "unreadable signature";
        }
    }

    // ------------------------------------------------------------------------------------------------ export

    /**
     * The full story of one request, in time order: its ledger events (every history entry of the request
     * table is written to the ledger in the same transaction, so the ledger alone tells it).
     */
    public RequestStory export(String requestId) {
        RequestRepository requests = new RequestRepository(dataSource, this);
        return RequestStory.of(requestId, requests.find(requestId).orElse(null), List.of(), events(requestId));
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in a transaction of its own, retried when the head lock was not obtained in time. */
    private <T> T inTransaction(String what, Work<T> work) {
        SQLException lastError = null;
        for (int attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback); // the server gone: the failure says why, not the rollback
                    }
                    throw e;
                }
            } catch (SQLException e) {
                if (!isTransient(e)) {
                    throw new LedgerException("cannot " + what, e);
                }
                lastError = e;
                LOG.debug("ledger busy ({}), attempt {} of {}", e.getSQLState(), attempt, APPEND_ATTEMPTS);
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new LedgerException("interrupted while waiting to " + what, e);
                }
            }
        }
        throw new LedgerException("cannot " + what + ": the ledger stayed locked", lastError);
    }

    /** Lock timeout, deadlock, serialization failure or a seq taken concurrently: nothing was committed. */
    private static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.equals("HYT00") || state.equals("40001") || state.equals("40P01")
                || state.equals("55P03") || state.equals("23505") || state.equals("90131"));
    }
}
