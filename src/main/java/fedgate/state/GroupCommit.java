package fedgate.state;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: concurrent writers hand their item to whichever of them leads; the leader takes the database
 * connection, then every item pending at that moment (up to {@code maxBatch}, oldest first), writes them all in one
 * transaction and commits once, then wakes each writer with its own result. No thread of its own: a writer that
 * finds no batch being written leads one; the others wait until their item is written, or until the leader of the
 * batch before hands them the next one (the items that queued up while it was being written). A writer never waits
 * for the leader lock to learn that its item is written (that would hold it behind the next batch).
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

    /** Runs the writes of a whole batch inside its transaction (e.g. with a lock taken once for all of them). */
    interface Around {
        void run(Connection c, Body body) throws Exception;

        interface Body {
            void run() throws Exception;
        }
    }

    /** The result of one item: its value, or {@code alone} when its batch failed and it must be written alone. */
    record Outcome<R>(R value, boolean alone) {
    }

    private static final class Pending<T, R> {
        final T item;
        final Thread writer;
        volatile Outcome<R> outcome;

        Pending(T item, Thread writer) {
            this.item = item;
            this.writer = writer;
        }
    }

    private static final long WAIT_NANOS = 20_000_000;

    private final DataSource dataSource;
    private final int maxBatch;
    private final Step<T, R> step;
    private final Around around;
    private final ReentrantLock leader = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();
    private volatile int largest;

    GroupCommit(DataSource dataSource, int maxBatch, Step<T, R> step) {
        this(dataSource, maxBatch, step, (c, body) -> body.run());
    }

    GroupCommit(DataSource dataSource, int maxBatch, Step<T, R> step, Around around) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.dataSource = dataSource;
        this.maxBatch = maxBatch;
        this.step = step;
        this.around = around;
    }

    /**
     * Writes {@code item} in the next batch and returns once that batch committed (its value) or failed
     * ({@code alone}). A failure to reach the database (no connection, commit refused) also comes back as
     * {@code alone}: the writer's own attempt then reports it.
     */
    Outcome<R> submit(T item) {
        Pending<T, R> p = new Pending<>(item, Thread.currentThread());
        queue.add(p);
        boolean interrupted = false;
        while (p.outcome == null) {
            if (leader.tryLock()) {
                try {
                    if (p.outcome == null) {
                        lead();
                    }
                } finally {
                    leader.unlock();
                }
                // the oldest waiting writer leads the next batch (the items queued during this one)
                Pending<T, R> next = queue.peek();
                if (next != null) {
                    LockSupport.unpark(next.writer);
                }
            } else {
                // woken when its item is written or when it is its turn to lead; the time-out is a safety net only
                LockSupport.parkNanos(this, WAIT_NANOS);
                // an interrupt does not abandon an item that may be in the transaction being written (nor spin)
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return p.outcome;
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
                around.run(c, () -> {
                    for (Pending<T, R> pending : batch) {
                        values.add(step.write(c, pending.item));
                    }
                });
                c.commit();
            } catch (Exception | Error e) {
                Transactions.rollbackAfter(c, e);
                throw e;
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).outcome = new Outcome<>(values.get(i), false);
                LockSupport.unpark(batch.get(i).writer);
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
                    LockSupport.unpark(pending.writer);
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
