package fedgate.crypto;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The plaintext side of a Symmetrically Encrypted Integrity Protected Data packet, version 1 (RFC 4880 §5.13):
 * what is written here is framed, MDC-hashed, AES-CFB-encrypted and written to {@code target}, preceded by the
 * {@code prelude} (the PKESK packet).
 *
 * <p>Layout: the packet body ({@code 0x01} · CFB(random block · 2 repeated bytes · data · {@code D3 14} · SHA-1))
 * is cut into {@value #CHUNK}-byte buffers; every buffer but the last is one partial body ({@code 0xF4} =
 * 2<sup>20</sup>), the last has a definite length (a message that fits one buffer is a plain, non-partial packet).
 * A buffer is handed over only once it is full and more bytes follow, so the last one is never empty (it holds
 * at least the MDC packet).
 *
 * <p>Threads: the caller's thread copies into the buffer and hashes the MDC (SHA-1); with {@code pipeline}, a
 * worker thread encrypts each buffer in place ({@link OpenPgpCfb}), writes the framing and the buffer to
 * {@code target}, and gives the buffer back. {@value #DEPTH} buffers circulate (constant memory, 4 MiB).
 * Without pipeline the caller's thread does everything.
 *
 * <p>Errors on the worker surface on the caller's next hand-over or in {@link #finish()}. {@link #abort()} stops
 * the worker; the output is then incomplete and must be discarded.
 */
final class SeipdOutput extends OutputStream {

    static final int CHUNK = 1 << 20;
    private static final int PARTIAL_CHUNK_HEADER = 0xE0 | 20;
    private static final int DEPTH = 4;
    private static final int TAG_SEIPD = 0xC0 | 18;

    private record Chunk(byte[] buffer, int length, boolean last) {
    }

    private final Sealer sealer;
    private final MessageDigest mdc;
    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<byte[]> free;
    private final Thread worker;
    private volatile Throwable failure;
    private volatile boolean aborted;
    private int allocated;
    private byte[] current;
    private int position;
    private boolean finished;

    /**
     * @param target     where the message goes (binary, or an armoring stream); not closed
     * @param prelude    bytes written before the SEIPD packet (the PKESK)
     * @param sessionKey AES-256 key
     */
    SeipdOutput(OutputStream target, byte[] prelude, byte[] sessionKey, SecureRandom random, boolean pipeline) {
        try {
            mdc = MessageDigest.getInstance("SHA-1");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        sealer = new Sealer(target, prelude, new OpenPgpCfb(sessionKey));
        current = new byte[CHUNK];
        allocated = 1;
        current[position++] = 1; // SEIPD version, not encrypted, not in the MDC
        byte[] prefix = new byte[16 + 2];
        random.nextBytes(prefix);
        prefix[16] = prefix[14];
        prefix[17] = prefix[15];
        mdc.update(prefix);
        System.arraycopy(prefix, 0, current, position, prefix.length);
        position += prefix.length;
        if (pipeline) {
            full = new ArrayBlockingQueue<>(DEPTH);
            free = new ArrayBlockingQueue<>(DEPTH);
            worker = new Thread(this::drain, "pgp-encrypt");
            worker.setDaemon(true);
            worker.start();
        } else {
            full = null;
            free = null;
            worker = null;
        }
    }

    @Override
    public void write(int b) throws IOException {
        if (position == CHUNK) {
            handOver(false);
        }
        current[position++] = (byte) b;
        mdc.update((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        mdc.update(b, off, len);
        put(b, off, len);
    }

    /** Copies into the buffers without hashing. */
    private void put(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (position == CHUNK) {
                handOver(false);
            }
            int n = Math.min(len, CHUNK - position);
            System.arraycopy(b, off, current, position, n);
            position += n;
            off += n;
            len -= n;
        }
    }

    /** Appends the MDC packet, seals the last buffer and waits until everything is written to the target. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        write(new byte[] {(byte) 0xD3, 0x14}, 0, 2);
        put(mdc.digest(), 0, 20);
        handOver(true);
        finished = true;
        if (worker != null) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
                throw new InterruptedIOException("interrupted while waiting for " + worker.getName());
            }
        }
        checkFailure();
    }

    /** Stops the worker; the target is left with an incomplete message. */
    void abort() {
        aborted = true;
        finished = true;
        if (worker != null) {
            worker.interrupt();
        }
    }

    private void handOver(boolean last) throws IOException {
        checkFailure();
        Chunk chunk = new Chunk(current, position, last);
        if (worker == null) {
            sealer.seal(chunk.buffer(), chunk.length(), chunk.last());
            position = 0; // reuse the same buffer
            return;
        }
        try {
            full.put(chunk);
            if (last) {
                current = null;
                return;
            }
            byte[] next = allocated < DEPTH ? null : free.take();
            if (next == null) {
                next = new byte[CHUNK];
                allocated++;
            }
            current = next;
            position = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing data to " + worker.getName());
        }
        checkFailure();
    }

    private void drain() {
        try {
            while (true) {
                Chunk chunk = full.take();
                if (failure == null && !aborted) {
                    try {
                        sealer.seal(chunk.buffer(), chunk.length(), chunk.last());
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                if (chunk.last()) {
                    return;
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

    private void checkFailure() throws IOException {
        Throwable t = failure;
        if (t != null) {
            String stage = worker != null ? worker.getName() : "encryption";
            if (t instanceof IOException io) {
                throw new IOException(stage + " failed: " + io.getMessage(), io);
            }
            throw new IOException(stage + " failed", t);
        }
    }

    /** Encrypts a buffer in place and writes it with its packet framing. Runs on one thread. */
    private static final class Sealer {
        private final OutputStream target;
        private final OpenPgpCfb cfb;
        private final byte[] header = new byte[6];
        private byte[] prelude;

        Sealer(OutputStream target, byte[] prelude, OpenPgpCfb cfb) {
            this.target = target;
            this.prelude = prelude;
            this.cfb = cfb;
        }

        void seal(byte[] buffer, int length, boolean last) throws IOException {
            boolean first = prelude != null;
            int skip = first ? 1 : 0; // the version octet is not encrypted
            cfb.encrypt(buffer, skip, length - skip);
            int n = 0;
            if (first) {
                header[n++] = (byte) TAG_SEIPD;
            }
            if (last) {
                n = putLength(header, n, length);
            } else {
                header[n++] = (byte) PARTIAL_CHUNK_HEADER;
            }
            if (first) {
                byte[] head = new byte[prelude.length + n];
                System.arraycopy(prelude, 0, head, 0, prelude.length);
                System.arraycopy(header, 0, head, prelude.length, n);
                target.write(head);
                prelude = null;
            } else {
                target.write(header, 0, n);
            }
            target.write(buffer, 0, length);
            if (last) {
                target.flush();
            }
        }
    }

    /** New-format definite body length (RFC 4880 §4.2.2.1–3) at {@code b[off]}; returns the offset after it. */
    static int putLength(byte[] b, int off, long length) {
        if (length < 192) {
            b[off++] = (byte) length;
        } else if (length < 8384) {
            b[off++] = (byte) (((length - 192) >> 8) + 192);
            b[off++] = (byte) (length - 192);
        } else {
            b[off++] = (byte) 0xFF;
            b[off++] = (byte) (length >>> 24);
            b[off++] = (byte) (length >>> 16);
            b[off++] = (byte) (length >>> 8);
            b[off++] = (byte) length;
        }
        return off;
    }
}
