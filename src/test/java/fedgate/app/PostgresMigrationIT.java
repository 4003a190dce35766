package fedgate.app;

import fedgate.app.cluster.DatabaseLeaseClusterService;
import fedgate.ledger.AuditLedger;
import fedgate.state.Database;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every Flyway migration V1…Vn runs on a real PostgreSQL server, and the lease election works there. */
class PostgresMigrationIT {

    @Test
    void everyMigrationRunsOnPostgresqlAndTheLedgerAppendsThere() throws Exception {
        try (TestPostgres pg = TestPostgres.require()) {
            DataSource ds = Database.migrate(pg.dataSource());
            List<String> applied = new ArrayList<>();
            try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
                while (rs.next()) {
                    assertThat(rs.getBoolean(2)).as("migration V" + rs.getString(1)).isTrue();
                    applied.add(rs.getString(1));
                }
            }
            assertThat(applied).containsExactlyElementsOf(migrationVersions());
            try (Connection c = ds.getConnection()) {
                assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            }
            // the hash-chained ledger appends and verifies on PostgreSQL
            AuditLedger ledger = new AuditLedger(ds, Clock.systemUTC());
            ledger.append("test", "FED-2026-000001", "request.received", java.util.Map.of("k", "v"));
            ledger.append("test", "FED-2026-000001", "request.validated", java.util.Map.of("k", "w"));
            assertThat(ledger.verify().ok()).as(ledger.verify().summary()).isTrue();
            assertThat(ledger.verify().count()).isEqualTo(2);
            // a second migrate is a no-op
            Database.migrate(pg.dataSource());
        }
    }

    @Test
    void connectionsToPostgresqlArePooledAndAConnectionTheServerDroppedIsNeverLent() throws Exception {
        try (TestPostgres pg = TestPostgres.require()) {
            DataSource ds = Database.migrate(Database.fromUrl(pg.url, pg.user, pg.password, 2));
            try {
                // 50 transactions, at most 2 server sessions (before the pool: 50 connections opened and closed)
                Set<Integer> pids = new HashSet<>();
                for (int i = 0; i < 50; i++) {
                    pids.add(backendPid(ds));
                }
                assertThat(pids).hasSizeBetween(1, 2);

                // a transaction its user left open is rolled back when the connection comes back to the pool
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    c.createStatement().execute("INSERT INTO fed_cluster_lease (namespace, holder, acquired_at, "
                            + "renewed_at, expires_at) VALUES ('left-open', 'test', 0, 0, 0)");
                }
                try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                        "SELECT count(*) FROM fed_cluster_lease WHERE namespace = 'left-open'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isZero();
                }

                // the server ends every session of the pool (as a restart does): the next transaction gets a live one
                try (Connection admin = DriverManager.getConnection(pg.url, pg.user, pg.password)) {
                    for (int pid : pids) {
                        admin.createStatement().execute("SELECT pg_terminate_backend(" + pid + ")");
                    }
                }
                Thread.sleep(1_000); // past HikariCP's 500 ms without a check
                int pid = backendPid(ds);
                assertThat(pids).doesNotContain(pid);
            } finally {
                Database.close(ds);
            }
        }
    }

    private static int backendPid(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void leaseElectionOnPostgresqlHasOneLeaderAndHandsOver() throws Exception {
        try (TestPostgres pg = TestPostgres.require()) {
            DataSource ds = Database.migrate(pg.dataSource());
            DefaultCamelContext context = new DefaultCamelContext();
            context.start();
            DatabaseLeaseClusterService a = new DatabaseLeaseClusterService(ds, "pg-a", Duration.ofSeconds(2),
                    Duration.ofMillis(200));
            DatabaseLeaseClusterService b = new DatabaseLeaseClusterService(ds, "pg-b", Duration.ofSeconds(2),
                    Duration.ofMillis(200));
            a.setCamelContext(context);
            b.setCamelContext(context);
            a.start();
            b.start();
            try {
                a.getView("ns").start();
                b.getView("ns").start();
                await().atMost(Duration.ofSeconds(5)).until(() -> a.isLeader("ns") ^ b.isLeader("ns"));
                Thread.sleep(800);
                assertThat(a.isLeader("ns") ^ b.isLeader("ns")).isTrue();
                DatabaseLeaseClusterService leader = a.isLeader("ns") ? a : b;
                DatabaseLeaseClusterService other = leader == a ? b : a;
                leader.stop();
                await().atMost(Duration.ofSeconds(2)).until(() -> other.isLeader("ns"));
            } finally {
                a.stop();
                b.stop();
                context.stop();
            }
        }
    }

    private static List<String> migrationVersions() throws IOException, URISyntaxException {
        Path dir = Path.of(PostgresMigrationIT.class.getResource("/db/migration").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__"))).sorted((x, y) -> Integer.compare(Integer.parseInt(x),
                            Integer.parseInt(y))).toList();
        }
    }
}
