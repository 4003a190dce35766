package fedgate.bench;

import fedgate.ledger.AuditLedger;
import fedgate.state.Database;
import fedgate.state.RequestRepository;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL connection pool, measured (not a test): intake's transaction per new request
 * ({@link RequestRepository#insertDecided}: request row, two history entries, two ledger events, one commit) with T
 * threads on a PostgreSQL server, in the same run through a connection opened for each transaction (a bare
 * {@code PGSimpleDataSource}, as the gateway did before its pool) and through the gateway's pool
 * ({@link Database#fromUrl}). The unpooled baseline runs before and after the pooled run; the ratio is taken against
 * the faster of the two. Server from {@code FEDGATE_TEST_PG_URL}, {@code _USER}, {@code _PASSWORD} (as the tests:
 * {@code source .ci/postgres} starts one); a fresh schema, dropped at the end.
 * {@code java -cp … fedgate.bench.PostgresPoolBenchmark 2000 8}
 */
public final class PostgresPoolBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String base = System.getenv("FEDGATE_TEST_PG_URL");
        if (base == null || base.isBlank()) {
            System.err.println("FEDGATE_TEST_PG_URL is unset: start a server with `source .ci/postgres`");
            System.exit(2);
        }
        String user = System.getenv().getOrDefault("FEDGATE_TEST_PG_USER", "fedgate_test");
        String password = System.getenv().getOrDefault("FEDGATE_TEST_PG_PASSWORD", "");
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(base, user, password)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try {
            PGSimpleDataSource bare = new PGSimpleDataSource();
            bare.setUrl(url);
            bare.setUser(user);
            bare.setPassword(password);
            Database.migrate(bare);
            DataSource pool = Database.fromUrl(url, user, password, Database.DEFAULT_POOL_SIZE);
            try {
                AtomicInteger seq = new AtomicInteger();
                run("warm-up (pool)", Math.min(n, 500), threads, pool, seq);
                double before = run("a connection per transaction", n, threads, bare, seq);
                double pooled = run("pooled (fedgate.db.pool-size " + Database.DEFAULT_POOL_SIZE + ")", n, threads,
                        pool, seq);
                double after = run("a connection per transaction, again", n, threads, bare, seq);
                System.out.printf("%nPostgreSQL, %d threads, load average %s: pooled / per-transaction connection "
                        + "(the faster run): %.2f%n", threads,
                        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim(),
                        pooled / Math.max(before, after));
            } finally {
                Database.close(pool);
            }
        } finally {
            try (Connection c = DriverManager.getConnection(base, user, password)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static double run(String name, int n, int threads, DataSource ds, AtomicInteger seq) throws Exception {
        RequestRepository requests = new RequestRepository(ds, new AuditLedger(ds, Clock.systemUTC()));
        return IntakeStoreBenchmark.run(name, n, threads,
                i -> IntakeStoreBenchmark.intakeTransaction(requests, seq.incrementAndGet()));
    }
}
