package fedgate.app.cluster;

import fedgate.state.Database;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two instances on one state database (H2 here; PostgreSQL in ClusterProofIT): one leader, takeover, release. */
class DatabaseLeaseClusterServiceTest {

    private DataSource ds;
    private DefaultCamelContext context;
    private DatabaseLeaseClusterService a;
    private DatabaseLeaseClusterService b;

    @BeforeEach
    void setUp() throws Exception {
        ds = Database.migrate(Database.fromUrl("jdbc:h2:mem:lease-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "fedgate", ""));
        context = new DefaultCamelContext();
        context.start();
        a = service("instance-a");
        b = service("instance-b");
    }

    @AfterEach
    void tearDown() throws Exception {
        a.stop();
        b.stop();
        context.stop();
    }

    private DatabaseLeaseClusterService service(String id) {
        DatabaseLeaseClusterService s = new DatabaseLeaseClusterService(ds, id, Duration.ofSeconds(2),
                Duration.ofMillis(200));
        s.setCamelContext(context);
        s.start();
        return s;
    }

    @Test
    void exactlyOneLeaderAndTheOtherKnowsWho() throws Exception {
        CamelClusterView va = a.getView("ns");
        CamelClusterView vb = b.getView("ns");
        va.start();
        vb.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.isLeader("ns") ^ b.isLeader("ns"));
        Thread.sleep(1000); // several renewals: still one leader, the same
        assertThat(a.isLeader("ns") ^ b.isLeader("ns")).isTrue();
        CamelClusterView leader = a.isLeader("ns") ? va : vb;
        CamelClusterView follower = leader == va ? vb : va;
        await().atMost(Duration.ofSeconds(2)).until(() -> follower.getLeader().isPresent());
        assertThat(follower.getLeader().orElseThrow().getId()).isEqualTo(leader.getLocalMember().getId());
        assertThat(follower.getLeader().orElseThrow().isLocal()).isFalse();
        assertThat(leader.getLocalMember().isLeader()).isTrue();
        assertThat(follower.getLocalMember().isLeader()).isFalse();
    }

    @Test
    void gracefulStopReleasesTheLeaseAndTheOtherTakesOverAtOnce() throws Exception {
        a.getView("ns").start();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.isLeader("ns"));
        List<Boolean> bEvents = new CopyOnWriteArrayList<>();
        CamelClusterView vb = b.getView("ns");
        vb.addEventListener((CamelClusterEventListener.Leadership) (view, leader) ->
                bEvents.add(view.getLocalMember().isLeader()));
        vb.start();
        Thread.sleep(600);
        assertThat(b.isLeader("ns")).isFalse();
        long t0 = System.nanoTime();
        a.stop(); // releases
        await().atMost(Duration.ofSeconds(1)).until(() -> b.isLeader("ns"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(bEvents).contains(true);
    }

    @Test
    void crashedLeaderIsReplacedWhenItsLeaseExpires() throws Exception {
        a.getView("ns").start();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.isLeader("ns"));
        b.getView("ns").start();
        // a "crash": its renewals stop without releasing (the scheduler dies with the process)
        freezeRenewals(a);
        Thread.sleep(1000);
        assertThat(b.isLeader("ns")).as("lease still valid").isFalse();
        await().atMost(Duration.ofSeconds(4)).until(() -> b.isLeader("ns"));
    }

    @Test
    void leaderThatLosesTheDatabaseStepsDownBeforeItsLeaseCanExpire() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        DataSource flaky = flaky(ds, down);
        DatabaseLeaseClusterService c = new DatabaseLeaseClusterService(flaky, "instance-c", Duration.ofSeconds(2),
                Duration.ofMillis(200));
        c.setCamelContext(context);
        c.start();
        try {
            c.getView("ns").start();
            await().atMost(Duration.ofSeconds(5)).until(() -> c.isLeader("ns"));
            down.set(true);
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(3)).until(() -> !c.isLeader("ns"));
            // stepped down before the lease (2 s) could have run out for the others
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        } finally {
            c.stop();
        }
    }

    private static void freezeRenewals(DatabaseLeaseClusterService s) throws Exception {
        java.lang.reflect.Field f = DatabaseLeaseClusterService.class.getDeclaredField("scheduler");
        f.setAccessible(true);
        ((java.util.concurrent.ExecutorService) f.get(s)).shutdownNow();
    }

    /** A data source that can be switched off, as a database unreachable from one instance. */
    static DataSource flaky(DataSource real, java.util.concurrent.atomic.AtomicBoolean down) {
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        throw new java.sql.SQLException("connection refused (test)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
