package fedgate.crypto;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An output stream that hands fixed-size buffers to a worker thread, which writes them to {@code downstream}
 * and, on {@link #close()}, closes it. Used to spread the encryption pipeline over two cores (signature hash on
 * the caller's thread; MDC + AES on one stage; output hash and file write on another) with constant memory:
 * at most {@code depth + 1} buffers exist per stage.
 *
 * <p>Errors on the worker surface on the producer's next write or on close. {@link #abort()} stops the
 * worker without closing the downstream stream (no valid-looking truncated message is finished).
 */
final class PipeStage extends OutputStream {

    private record Chunk(byte[] buffer, int length) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final OutputStream downstream;
    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<byte[]> free;
    private final Thread worker;
    private volatile Throwable failure;
    private volatile boolean aborted;
    private byte[] current;
    private int position;
    private boolean closed;

    PipeStage(OutputStream downstream, int bufferSize, int depth, String name) {
        this.downstream = downstream;
        this.full = new ArrayBlockingQueue<>(depth + 1);
        this.free = new ArrayBlockingQueue<>(depth + 1);
        for (int i = 0; i < depth; i++) {
            free.add(new byte[bufferSize]);
        }
        this.current = new byte[bufferSize];
        this.worker = new Thread(this::drain, name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    private void drain() {
        try {
            while (true) {
                Chunk chunk = full.take();
                if (chunk == END) {
                    if (failure == null && !aborted) {
                        downstream.close();
                    }
                    return;
                }
                if (failure == null && !aborted) {
                    try {
                        downstream.write(chunk.buffer(), 0, chunk.length());
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                free.put(chunk.buffer()); // keep recycling after a failure so the producer never blocks
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (position == current.length) {
            flushCurrent();
        }
        current[position++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (position == current.length) {
                flushCurrent();
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(b, off, current, position, n);
            position += n;
            off += n;
            len -= n;
        }
    }

    private void flushCurrent() throws IOException {
        checkFailure();
        try {
            full.put(new Chunk(current, position));
            current = free.take();
            position = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing data to " + worker.getName());
        }
    }

    private void checkFailure() throws IOException {
        Throwable t = failure;
        if (t != null) {
            if (t instanceof IOException io) {
                throw new IOException(worker.getName() + " failed: " + io.getMessage(), io);
            }
            throw new IOException(worker.getName() + " failed", t);
        }
    }

    /** Sends the last buffer, waits for the worker to write it and close the downstream stream. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (position > 0) {
                full.put(new Chunk(current, position));
                position = 0;
            }
            full.put(END);
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new InterruptedIOException("interrupted while closing " + worker.getName());
        }
        checkFailure();
    }

    /** Stops the worker; the downstream stream is left unfinished (and not closed). */
    void abort() {
        aborted = true;
        closed = true;
        worker.interrupt();
    }
}
