package fedgate.state;

import fedgate.crypto.Sha256;
import fedgate.ledger.AuditLedger;
import fedgate.ledger.EventTypes;
import fedgate.ledger.LedgerEvent;
import fedgate.ledger.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit of {@link RequestRepository#insertDecided}: concurrent intakes are written in one transaction, a bad
 * item fails alone, the same content twice in one batch is stored once. The batch is made deterministic by holding the
 * database (the H2 data source lends one connection at a time): the callers queue up behind the held connection and
 * are all taken into the batch that starts when it is released.
 */
class RequestGroupCommitTest {

    @TempDir
    Path dir;

    private DataSource ds;
    private AuditLedger ledger;
    private RequestRepository requests;
    private ExecutorService threads;

    @BeforeEach
    void open() {
        ds = Database.migrate(Database.h2(dir));
        ledger = new AuditLedger(ds, Clock.systemUTC());
        requests = new RequestRepository(ds, ledger, 64);
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() throws Exception {
        threads.shutdownNow();
        ((PooledH2) ds).close();
    }

    @Test
    void concurrentIntakesShareOneTransactionAndAreAllRecorded() throws Exception {
        List<Future<Optional<String>>> calls = heldBatch(List.of(text(1), text(2), text(3), text(4), text(5), text(6)),
                -1);
        List<String> ids = new ArrayList<>();
        for (Future<Optional<String>> f : calls) {
            ids.add(f.get(30, TimeUnit.SECONDS).orElseThrow());
        }

        assertThat(ids).doesNotHaveDuplicates().hasSize(6);
        assertThat(requests.groupCommitStats()).isEqualTo(new RequestRepository.GroupCommitStats(1, 6, 0, 6));
        for (int i = 0; i < 6; i++) {
            RequestRepository.StoredRequest r = requests.find(ids.get(i)).orElseThrow();
            assertThat(r.status()).isEqualTo(RequestStatus.VALIDATED);
            assertThat(r.sha256()).isEqualTo(Sha256.hex(text(i + 1).getBytes(StandardCharsets.UTF_8)));
            assertThat(r.ackJson()).isEqualTo("{\"requestId\":\"" + ids.get(i) + "\"}");
            assertThat(r.forwardedAt()).isNotNull();
            assertThat(requests.history(ids.get(i))).extracting(RequestRepository.HistoryEntry::status)
                    .containsExactly(RequestStatus.RECEIVED, RequestStatus.VALIDATED);
        }
        // the ledger as if the six had been written one after another, in the order they were handed in
        List<LedgerEvent> events = ledger.events(1, 100);
        assertThat(events).hasSize(12);
        for (int i = 0; i < 6; i++) {
            assertThat(events.get(2 * i).requestId()).isEqualTo(ids.get(i));
            assertThat(events.get(2 * i).type()).isEqualTo(EventTypes.REQUEST_RECEIVED);
            assertThat(events.get(2 * i + 1).requestId()).isEqualTo(ids.get(i));
            assertThat(events.get(2 * i + 1).type()).isEqualTo(EventTypes.REQUEST_VALIDATED);
        }
        Verification v = ledger.verify();
        assertThat(v.ok()).as(v.summary()).isTrue();
        assertThat(v.count()).isEqualTo(12);
    }

    @Test
    void aFailingItemFailsAloneAndTheOthersCommit() throws Exception {
        List<Future<Optional<String>>> calls = heldBatch(List.of(text(1), text(2), text(3), text(4), text(5)), 2);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (i == 2) {
                Future<Optional<String>> bad = calls.get(i);
                assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(
                        IllegalStateException.class).hasRootCauseMessage("poison");
            } else {
                ids.add(calls.get(i).get(30, TimeUnit.SECONDS).orElseThrow());
            }
        }

        assertThat(ids).doesNotHaveDuplicates().hasSize(4);
        RequestRepository.GroupCommitStats stats = requests.groupCommitStats();
        assertThat(stats.failedBatches()).isEqualTo(1); // the batch of five, then each one alone
        assertThat(stats.items()).isZero();
        for (String id : ids) {
            assertThat(requests.find(id).orElseThrow().status()).isEqualTo(RequestStatus.VALIDATED);
        }
        assertThat(requests.findIdBySha256(Sha256.hex(text(3).getBytes(StandardCharsets.UTF_8)))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM fed_request")).isEqualTo(4);
        assertThat(count("SELECT COUNT(*) FROM fed_request_history")).isEqualTo(8);
        Verification v = ledger.verify();
        assertThat(v.ok()).as(v.summary()).isTrue();
        assertThat(v.count()).isEqualTo(8);
    }

    @Test
    void theSameContentTwiceInOneBatchIsStoredOnce() throws Exception {
        List<Future<Optional<String>>> calls = heldBatch(List.of(text(7), text(8), text(7)), -1);
        Optional<String> first = calls.get(0).get(30, TimeUnit.SECONDS);
        Optional<String> other = calls.get(1).get(30, TimeUnit.SECONDS);
        Optional<String> again = calls.get(2).get(30, TimeUnit.SECONDS);

        assertThat(first).isPresent();
        assertThat(other).isPresent();
        assertThat(again).as("the second copy: a duplicate of the first").isEmpty();
        assertThat(requests.groupCommitStats()).isEqualTo(new RequestRepository.GroupCommitStats(1, 3, 0, 3));
        assertThat(requests.findIdBySha256(Sha256.hex(text(7).getBytes(StandardCharsets.UTF_8)))).isEqualTo(first);
        assertThat(count("SELECT COUNT(*) FROM fed_request")).isEqualTo(2);
        Verification v = ledger.verify();
        assertThat(v.ok()).as(v.summary()).isTrue();
        assertThat(v.count()).isEqualTo(4);
    }

    @Test
    void withoutContentionEachCallIsItsOwnBatch() {
        Optional<String> a = insert(text(1), false);
        Optional<String> b = insert(text(2), false);
        Optional<String> dup = insert(text(1), false);

        assertThat(a).isPresent();
        assertThat(b).isPresent();
        assertThat(dup).isEmpty();
        RequestRepository.GroupCommitStats stats = requests.groupCommitStats();
        assertThat(stats.failedBatches()).isZero();
        assertThat(stats.largest()).isEqualTo(1);
        assertThat(ledger.verify().ok()).isTrue();
    }

    /**
     * Starts one caller per text while the test holds the database, waits until all are queued for the next batch,
     * then releases the database. {@code poisoned}: the index of the caller whose acknowledgement cannot be written.
     */
    private List<Future<Optional<String>>> heldBatch(List<String> texts, int poisoned) throws Exception {
        List<Future<Optional<String>>> calls = new ArrayList<>();
        try (Connection held = ds.getConnection()) {
            for (int i = 0; i < texts.size(); i++) {
                String t = texts.get(i);
                boolean poison = i == poisoned;
                calls.add(threads.submit(() -> insert(t, poison)));
                // one at a time, so that the queue (and so the batch and the ledger) keeps this order
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (requests.groupCommitPending() < i + 1) {
                    assertThat(System.nanoTime()).as("caller %d queued", i).isLessThan(deadline);
                    Thread.sleep(5);
                }
            }
            assertThat(held.isClosed()).isFalse();
        }
        return calls;
    }

    private Optional<String> insert(String text, boolean poison) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return requests.insertDecided(new RequestRepository.NewRequest("BROKER", "corr-" + text.length(),
                        "ville-rouen", null, now, Sha256.hex(raw), raw), "broker:ville-rouen",
                new RequestRepository.Verdict("ville-rouen", RequestStatus.VALIDATED, "[]", null, id -> {
                    if (poison) {
                        throw new IllegalStateException("poison");
                    }
                    return "{\"requestId\":\"" + id + "\"}";
                }, "gateway", "validated", true));
    }

    private static String text(int i) {
        return "{\"demande\": " + i + ", \"etude\": \"étude " + i + "\"}";
    }

    private long count(String sql) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
