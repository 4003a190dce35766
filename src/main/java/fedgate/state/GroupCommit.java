package fedgate.state;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: concurrent writers hand their item to whichever of them leads; the leader takes the database
 * connection, then every item pending at that moment (up to {@code maxBatch}, oldest first), writes them all in one
 * transaction and commits once, then each writer gets its own result. No thread of its own: a writer waits on the
 * leader lock and, when it gets it and finds its item still pending, leads the next batch (the items that queued up
 * while the previous one was being written).
 * <p>
 * Each item is written exactly as it would be alone, in the order the items were handed in, so the database (and the
 * audit ledger's hash chain) ends as if the transactions had run one after another. If anything in a batch fails, the
 * whole transaction is rolled back and every item of it comes back {@link Outcome#alone()}: its writer runs it again
 * in a transaction of its own, so one bad item fails alone and the others commit.
 *
 * @param <T> an item to write
 * @param <R> what writing one item returns
 */
final class GroupCommit<T, R> {

    /** Writes one item inside the batch's transaction (auto-commit off); must not commit or roll back. */
    interface Step<T, R> {
        R write(Connection c, T item) throws Exception;
    }

    /** The result of one item: its value, or {@code alone} when its batch failed and it must be written alone. */
    record Outcome<R>(R value, boolean alone) {
    }

    private static final class Pending<T, R> {
        final T item;
        Outcome<R> outcome; // written and read under the leader lock

        Pending(T item) {
            this.item = item;
        }
    }

    private final DataSource dataSource;
    private final int maxBatch;
    private final Step<T, R> step;
    private final ReentrantLock leader = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();
    private volatile int largest;

    GroupCommit(DataSource dataSource, int maxBatch, Step<T, R> step) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.dataSource = dataSource;
        this.maxBatch = maxBatch;
        this.step = step;
    }

    /**
     * Writes {@code item} in the next batch and returns once that batch committed (its value) or failed
     * ({@code alone}). A failure to reach the database (no connection, commit refused) also comes back as
     * {@code alone}: the writer's own attempt then reports it.
     */
    Outcome<R> submit(T item) {
        Pending<T, R> p = new Pending<>(item);
        queue.add(p);
        while (true) {
            leader.lock();
            try {
                if (p.outcome != null) {
                    return p.outcome;
                }
                lead();
            } finally {
                leader.unlock();
            }
        }
    }

    /** Under the leader lock: one batch of the pending items, the connection taken before the items are. */
    private void lead() {
        List<Pending<T, R>> batch = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            // items that queued while this thread waited for the connection join the batch
            for (Pending<T, R> next; batch.size() < maxBatch && (next = queue.poll()) != null; ) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                return;
            }
            c.setAutoCommit(false);
            List<R> values = new ArrayList<>(batch.size());
            try {
                for (Pending<T, R> pending : batch) {
                    values.add(step.write(c, pending.item));
                }
                c.commit();
            } catch (Exception | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).outcome = new Outcome<>(values.get(i), false);
            }
            batches.incrementAndGet();
            items.addAndGet(batch.size());
            largest = Math.max(largest, batch.size());
        } catch (Exception | Error e) {
            failedBatches.incrementAndGet();
            if (batch.isEmpty()) { // no connection: the pending items are answered, not left waiting
                for (Pending<T, R> next; batch.size() < maxBatch && (next = queue.poll()) != null; ) {
                    batch.add(next);
                }
            }
            for (Pending<T, R> pending : batch) {
                if (pending.outcome == null) {
                    pending.outcome = new Outcome<>(null, true);
                }
            }
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** Items handed in and not yet taken into a batch. */
    int pending() {
        return queue.size();
    }

    /** Committed batches, items committed in them, failed batches and the largest committed batch. */
    Stats stats() {
        return new Stats(batches.get(), items.get(), failedBatches.get(), largest);
    }

    record Stats(long batches, long items, long failedBatches, int largest) {
    }
}
