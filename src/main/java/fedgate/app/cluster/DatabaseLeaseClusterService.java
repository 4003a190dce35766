package fedgate.app.cluster;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Camel leader election ({@code master:<namespace>:<endpoint>} routes) on a lease row of the shared state database
 * (table {@code fed_cluster_lease}, migration V6): the instance whose id is in the row and that renews it before it
 * expires is the leader of that namespace; when it dies, its lease runs out and another instance takes it.
 *
 * <p>Guarantees and limits (a lease, not a consensus protocol):
 * <ul>
 *   <li>Expiry is judged on the database's clock, so clock skew between instances does not matter.</li>
 *   <li>A leader that cannot renew (database unreachable) steps down by itself {@code safetyMargin} before its lease
 *       can have expired, measured on its own monotonic clock from <em>before</em> the renewal was sent.</li>
 *   <li>A leader frozen longer than the lease (a stop-the-world pause, a suspended VM) may still poll once after
 *       another took over. The pollers tolerate it: an input is recognised by its SHA-256 / Message-ID and
 *       processed once, and a mail is marked seen or a file removed only after it is stored.</li>
 *   <li>A graceful stop releases the lease at once: the next instance takes over within one renewal period.</li>
 * </ul>
 */
public final class DatabaseLeaseClusterService extends AbstractCamelClusterService<DatabaseLeaseClusterService.LeaseView> {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseLeaseClusterService.class);

    private final DataSource dataSource;
    private final String memberId;
    private final Duration lease;
    private final Duration renewEvery;
    private final Duration safetyMargin;
    private ScheduledExecutorService scheduler;

    /**
     * @param memberId   this instance's id, unique among the running instances (host, process, random part)
     * @param lease      how long a lease lasts without renewal: the longest takeover after a crash
     * @param renewEvery how often the leader renews and followers try to take over (well under {@code lease})
     */
    public DatabaseLeaseClusterService(DataSource dataSource, String memberId, Duration lease, Duration renewEvery) {
        super("fedgate-database-lease");
        this.dataSource = Objects.requireNonNull(dataSource);
        if (memberId == null || memberId.isBlank() || memberId.length() > 200) {
            throw new IllegalArgumentException("member id must be 1 to 200 characters");
        }
        if (renewEvery.multipliedBy(2).compareTo(lease) > 0) {
            throw new IllegalArgumentException("the lease must last at least twice the renewal period");
        }
        this.memberId = memberId;
        this.lease = lease;
        this.renewEvery = renewEvery;
        this.safetyMargin = renewEvery.dividedBy(2);
    }

    public String memberId() {
        return memberId;
    }

    @Override
    protected void doStart() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fedgate-cluster-lease");
            t.setDaemon(true);
            return t;
        });
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    protected LeaseView createView(String namespace) {
        if (namespace.length() > 100) {
            throw new IllegalArgumentException("namespace too long");
        }
        return new LeaseView(namespace);
    }

    /** The leadership of one namespace, renewed (or sought) every {@code renewEvery}. */
    public final class LeaseView extends AbstractCamelClusterView {

        private final Member local = new Member(memberId, true, () -> this.leader);
        private volatile boolean leader;
        private volatile String leaderId;
        private volatile long validUntilNanos;
        private volatile boolean lastTickFailed;
        private ScheduledFuture<?> task;

        LeaseView(String namespace) {
            super(DatabaseLeaseClusterService.this, namespace);
        }

        @Override
        protected void doStart() {
            task = scheduler.scheduleWithFixedDelay(this::tick, 0, renewEvery.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() {
            if (task != null) {
                task.cancel(false);
                task = null;
            }
            if (leader) {
                release();
            }
            setLeader(false, null);
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            String id = leaderId;
            if (id == null) {
                return Optional.empty();
            }
            return Optional.of(id.equals(memberId) ? local : new Member(id, false, () -> true));
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            List<CamelClusterMember> members = new ArrayList<>();
            members.add(local);
            String id = leaderId;
            if (id != null && !id.equals(memberId)) {
                members.add(new Member(id, false, () -> true));
            }
            return members;
        }

        public boolean isLeader() {
            return leader;
        }

        /** One round: renew or take the lease, or learn who holds it; step down when renewal is overdue. */
        void tick() {
            long sentAt = System.nanoTime();
            try {
                boolean won = acquireOrRenew(getNamespace());
                if (won) {
                    validUntilNanos = sentAt + lease.minus(safetyMargin).toNanos();
                }
                String holder = won ? memberId : currentHolder(getNamespace());
                if (lastTickFailed) {
                    LOG.info("cluster lease {}: database reachable again", getNamespace());
                    lastTickFailed = false;
                }
                setLeader(won, holder);
            } catch (SQLException | RuntimeException e) {
                if (!lastTickFailed) {
                    LOG.warn("cluster lease {}: cannot reach the database ({})", getNamespace(), e.getMessage());
                    lastTickFailed = true;
                }
                if (leader && System.nanoTime() - validUntilNanos >= 0) {
                    LOG.warn("cluster lease {}: not renewed in time, stepping down", getNamespace());
                    setLeader(false, null);
                }
            }
        }

        private synchronized void setLeader(boolean nowLeader, String holder) {
            boolean changed = nowLeader != leader || !Objects.equals(holder, leaderId);
            leader = nowLeader;
            leaderId = holder;
            if (changed) {
                LOG.info("cluster lease {}: leader is {}{}", getNamespace(), holder == null ? "nobody" : holder,
                        nowLeader ? " (this instance)" : "");
                fireLeadershipChangedEvent(getLeader());
            }
        }

        private void release() {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement st = c.prepareStatement(
                         "UPDATE fed_cluster_lease SET expires_at = 0 WHERE namespace = ? AND holder = ?")) {
                st.setString(1, getNamespace());
                st.setString(2, memberId);
                st.executeUpdate();
                LOG.info("cluster lease {}: released by {}", getNamespace(), memberId);
            } catch (SQLException e) {
                LOG.warn("cluster lease {}: could not release ({}); it expires by itself", getNamespace(),
                        e.getMessage());
            }
        }
    }

    /** Renews the lease if this instance holds it, takes it if it expired or does not exist. */
    boolean acquireOrRenew(String namespace) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long now = databaseNow(c);
            long expires = now + lease.toMillis();
            try (PreparedStatement st = c.prepareStatement("UPDATE fed_cluster_lease SET "
                    + "acquired_at = CASE WHEN holder = ? THEN acquired_at ELSE ? END, "
                    + "holder = ?, renewed_at = ?, expires_at = ? "
                    + "WHERE namespace = ? AND (holder = ? OR expires_at < ?)")) {
                st.setString(1, memberId);
                st.setLong(2, now);
                st.setString(3, memberId);
                st.setLong(4, now);
                st.setLong(5, expires);
                st.setString(6, namespace);
                st.setString(7, memberId);
                st.setLong(8, now);
                if (st.executeUpdate() == 1) {
                    return true;
                }
            }
            if (currentHolder(c, namespace) != null) {
                return false;
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO fed_cluster_lease "
                    + "(namespace, holder, acquired_at, renewed_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
                st.setString(1, namespace);
                st.setString(2, memberId);
                st.setLong(3, now);
                st.setLong(4, now);
                st.setLong(5, expires);
                st.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (isDuplicateKey(e)) { // another instance inserted first
                    return false;
                }
                throw e;
            }
        }
    }

    String currentHolder(String namespace) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return currentHolder(c, namespace);
        }
    }

    /** The holder of an unexpired lease, or null. */
    private static String currentHolder(Connection c, String namespace) throws SQLException {
        long now = databaseNow(c);
        try (PreparedStatement st = c.prepareStatement(
                "SELECT holder, expires_at FROM fed_cluster_lease WHERE namespace = ?")) {
            st.setString(1, namespace);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next() && rs.getLong(2) >= now) {
                    return rs.getString(1);
                }
                return null;
            }
        }
    }

    private static long databaseNow(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT CURRENT_TIMESTAMP");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            Timestamp t = rs.getTimestamp(1);
            return t.getTime();
        }
    }

    private static boolean isDuplicateKey(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.equals("23505") || state.startsWith("23"));
    }

    /** A member of the cluster as this instance sees it: itself, or the remote leader. */
    private record Member(String id, boolean local, java.util.function.BooleanSupplier leader)
            implements CamelClusterMember {
        @Override
        public boolean isLeader() {
            return leader.getAsBoolean();
        }

        @Override
        public boolean isLocal() {
            return local;
        }

        @Override
        public String getId() {
            return id;
        }
    }
}
