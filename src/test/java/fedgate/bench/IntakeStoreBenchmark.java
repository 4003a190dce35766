package fedgate.bench;

import fedgate.crypto.Sha256;
import fedgate.ledger.AuditLedger;
import fedgate.state.Database;
import fedgate.state.RequestRepository;
import fedgate.state.RequestStatus;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state store's share of intake (issue 7), not a test: on a fresh H2 file database as the gateway opens it
 * ({@code WRITE_DELAY=0}, pooled connections), with T threads (the intake consumers, 8 by default):
 * <ol>
 *   <li>ledger appends alone: one event per transaction ({@link AuditLedger#append}), serialised by the
 *       {@code ledger_head} row lock — the ceiling of anything that records an event;</li>
 *   <li>intake's one transaction per new request ({@link RequestRepository#insertDecided}): request row with a
 *       ~500-byte body, RECEIVED and VALIDATED history entries and their two ledger events, one commit.</li>
 * </ol>
 * Rates are transactions per second. {@code java -cp … fedgate.bench.IntakeStoreBenchmark 5000 8}
 */
public final class IntakeStoreBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path dir = Files.createTempDirectory("fedgate-store-bench-");
        DataSource ds = Database.migrate(Database.h2(dir));
        AuditLedger ledger = new AuditLedger(ds, Clock.systemUTC());
        RequestRepository requests = new RequestRepository(ds, ledger);

        run("warm-up", Math.min(n, 1000), threads, i -> ledger.append("bench", null, "bench.warmup", Map.of("i", i)));
        double appends = run("ledger append (1 event / tx)", n, threads,
                i -> ledger.append("bench", null, "bench.append", Map.of("i", i)));
        double inserts = run("intake insertDecided (1 tx: row + 2 history + 2 events)", n, threads,
                i -> intakeTransaction(requests, i));
        System.out.printf("%nH2 (WRITE_DELAY=0), %d threads, load average %s: ledger appends %.0f tx/s; "
                + "intake transactions %.0f tx/s (%.0f ledger events/s)%n", threads,
                Files.readString(Path.of("/proc/loadavg")).trim(), appends, inserts, 2 * inserts);
        if (ds instanceof AutoCloseable c) {
            try (var conn = ds.getConnection()) {
                conn.createStatement().execute("SHUTDOWN");
            }
            c.close();
        }
        TempHome.delete(dir);
    }

    /** Intake's transaction for a new request ({@code i} makes its ~500-byte content unique). */
    static void intakeTransaction(RequestRepository requests, int i) {
        byte[] raw = ("x".repeat(502) + i).getBytes(StandardCharsets.US_ASCII);
        requests.insertDecided(new RequestRepository.NewRequest("BROKER", "ID:" + i, "ville-rouen", null,
                Instant.now(), Sha256.hex(raw), raw), "broker:ville-rouen", new RequestRepository.Verdict("ville-rouen",
                RequestStatus.VALIDATED, "[]", "{\"study\":\"bench\"}", id -> "{\"requestId\":\"" + id + "\"}",
                "gateway", "validated", true));
    }

    interface Work {
        void run(int i) throws Exception;
    }

    /** {@code n} calls of {@code work} on {@code threads} threads; prints and returns the rate. */
    static double run(String name, int n, int threads, Work work) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < n; ) {
                        work.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        double rate = n / ((System.nanoTime() - start) / 1e9);
        System.out.printf("%-58s %7d tx %9.0f tx/s%n", name, n, rate);
        return rate;
    }
}
