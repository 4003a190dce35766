package fedgate.ledger;

import fedgate.state.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Concurrent appends (4 threads, two ledger objects on two data sources, as two gateway instances) keep one chain. */
class LedgerConcurrentAppendTest {

    @TempDir
    Path tmp;

    @Test
    void fourThreadsKeepAValidChain() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            AuditLedger other = new AuditLedger(Database.h2(tmp), Clock.systemUTC());
            int perThread = 40;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Long>>> results = new ArrayList<>();
            try {
                for (int t = 0; t < 4; t++) {
                    AuditLedger ledger = t % 2 == 0 ? db.ledger : other;
                    int thread = t;
                    results.add(pool.submit(() -> {
                        go.await();
                        List<Long> seqs = new ArrayList<>();
                        for (int i = 0; i < perThread; i++) {
                            seqs.add(ledger.append("thread-" + thread, null, "config.changed",
                                    Map.of("thread", thread, "i", i)).seq());
                        }
                        return seqs;
                    }));
                }
                go.countDown();
                List<Long> all = new ArrayList<>();
                for (Future<List<Long>> f : results) {
                    List<Long> seqs = f.get(60, TimeUnit.SECONDS);
                    assertThat(seqs).isSorted();
                    all.addAll(seqs);
                }
                assertThat(all).hasSize(4 * perThread).doesNotHaveDuplicates();
                assertThat(all).allMatch(s -> s >= 1 && s <= 4 * perThread);
            } finally {
                pool.shutdownNow();
            }
            Verification v = db.ledger.verify();
            assertThat(v.ok()).as(v.summary()).isTrue();
            assertThat(v.count()).isEqualTo(4 * perThread);
        }
    }

    /**
     * A state change and its event in one transaction: a second such transaction waits (for the head, and with the
     * embedded H2 data source for a connection: it lends one at a time), then follows.
     */
    @Test
    void appendInTransactionWaitsForTheHeadHeldByAnotherTransaction() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Long> b;
                try (Connection a = db.ds.getConnection()) {
                    a.setAutoCommit(false);
                    assertThat(db.ledger.appendInTransaction(a, "bureau", "FED-2027-000001",
                            EventTypes.FEUILLET2_DECIDED, Map.of("favorable", true)).seq()).isEqualTo(2);
                    b = pool.submit(() -> {
                        try (Connection c = db.ds.getConnection()) {
                            c.setAutoCommit(false);
                            long seq = db.ledger.appendInTransaction(c, "gateway", "FED-2027-000002",
                                    EventTypes.REQUEST_VALIDATED, Map.of()).seq();
                            c.commit();
                            return seq;
                        }
                    });
                    Thread.sleep(300);
                    assertThat(b).as("waiting while the first transaction is open").isNotDone();
                    a.commit();
                }
                assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(3);
            } finally {
                pool.shutdownNow();
            }
            assertThat(db.ledger.verify().ok()).isTrue();
        }
    }
}
