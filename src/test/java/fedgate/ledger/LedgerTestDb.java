package fedgate.ledger;

import fedgate.crypto.Passphrase;
import fedgate.crypto.PgpKeys;
import fedgate.crypto.SigningKey;
import fedgate.state.Database;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** A real H2 file database in a temporary directory, migrated, with a ledger on a clock that moves 1.5 s a call. */
final class LedgerTestDb implements AutoCloseable {

    /** Inside the sample keys' validity (2026-11-28 .. 2029-11-27); sub-millisecond on purpose. */
    static final Instant START = Instant.parse("2027-06-01T08:00:00.123456789Z");
    static final Path CAF_PUB = Path.of("certs-sample/pgp/caf-rouen.pub.asc");
    static final Path CAF_SEC = Path.of("certs-sample/pgp/caf-rouen.sec.asc");
    static final Path CAF_PASS = Path.of("certs-sample/pgp/caf-rouen.pass");
    static final Path VILLE_PUB = Path.of("certs-sample/pgp/ville-rouen.pub.asc");

    final DataSource ds;
    final StepClock clock;
    final AuditLedger ledger;

    private LedgerTestDb(DataSource ds, StepClock clock) {
        this.ds = ds;
        this.clock = clock;
        this.ledger = new AuditLedger(ds, clock);
    }

    static LedgerTestDb open(Path dir) {
        return open(dir, START);
    }

    static LedgerTestDb open(Path dir, Instant start) {
        return new LedgerTestDb(Database.migrate(Database.h2(dir)), new StepClock(start, Duration.ofMillis(1500)));
    }

    /** {@code n} events of a plausible request story. */
    void appendSome(int n) {
        for (int i = 1; i <= n; i++) {
            ledger.append(i % 2 == 0 ? "bureau" : "gateway", "FED-2027-00000" + (i % 3 + 1), EventTypes.REQUEST_VALIDATED,
                    Map.of("step", i, "note", "événement " + i));
        }
    }

    int sql(String sql, Object... params) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    String queryString(String sql, Object... params) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Exchanges every column but seq between two rows, as an attacker with SQL access would. */
    void swapRows(long a, long b) throws SQLException {
        Object[] ra = row(a);
        Object[] rb = row(b);
        sql("UPDATE ledger_event SET hash = ? WHERE seq = ?", "f".repeat(64), a); // the hash index is unique
        update(b, ra);
        update(a, rb);
    }

    private Object[] row(long seq) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT at, actor, request_id, event_type, details, prev_hash, hash FROM ledger_event WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Object[] r = new Object[7];
                for (int i = 0; i < 7; i++) {
                    r[i] = rs.getObject(i + 1);
                }
                return r;
            }
        }
    }

    private void update(long seq, Object[] r) throws SQLException {
        Object[] params = new Object[8];
        System.arraycopy(r, 0, params, 0, 7);
        params[7] = seq;
        sql("UPDATE ledger_event SET at = ?, actor = ?, request_id = ?, event_type = ?, details = ?, prev_hash = ?, "
                + "hash = ? WHERE seq = ?", params);
    }

    static SigningKey cafSigningKey() throws Exception {
        char[] pass = Passphrase.from(null, CAF_PASS);
        try {
            return PgpKeys.signingKey(PgpKeys.readSecretKeyRing(CAF_SEC), pass, START);
        } finally {
            Passphrase.wipe(pass);
        }
    }

    static PGPPublicKeyRing cafCertificate() throws Exception {
        return PgpKeys.readPublicKeyRing(CAF_PUB);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    /** A clock that moves forward by {@code step} at every reading. */
    static final class StepClock extends Clock {
        private final AtomicReference<Instant> now;
        private final Duration step;

        StepClock(Instant start, Duration step) {
            this.now = new AtomicReference<>(start);
            this.step = step;
        }

        @Override
        public Instant instant() {
            return now.getAndUpdate(t -> t.plus(step));
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
