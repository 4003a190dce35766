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
 * {@code prelude} (the PKESK packet). {@link #sha256()} and {@link #count()} describe the bytes written.
 *
 * <p>Layout: the packet body ({@code 0x01} · CFB(random block · 2 repeated bytes · data · {@code D3 14} · SHA-1))
 * is cut into {@value #CHUNK}-byte buffers; every buffer but the last is one partial body ({@code 0xF4} =
 * 2<sup>20</sup>), the last has a definite length (a message that fits one buffer is a plain, non-partial packet).
 * A buffer is handed over only once it is full and more bytes follow, so the last one is never empty (it holds
 * at least the MDC packet).
 *
 * <p>Threads, balanced for two cores: the caller's thread copies into the buffer, hashes the MDC (SHA-1) and
 * writes the encrypted buffers to {@code target}; with {@code pipeline}, a worker thread encrypts each buffer in
 * place ({@link OpenPgpCfb}) and hashes the output (SHA-256), then gives it back. {@value #DEPTH} buffers
 * circulate, in order (constant memory, 4 MiB). Without pipeline the caller's thread does everything.
 *
 * <p>Errors on the worker surface on the caller's next hand-over or in {@link #finish()}; a buffer the worker
 * did not seal is never written. {@link #abort()} stops the worker; the output is then incomplete and must be
 * discarded.
 */
final class SeipdOutput extends OutputStream {

    static final int CHUNK = 1 << 20;
    private static final int PARTIAL_CHUNK_HEADER = 0xE0 | 20;
    private static final int DEPTH = 4;
    private static final int TAG_SEIPD = 0xC0 | 18;

    /** A buffer on its way: {@code header} (framing, and the prelude before the first) is set once it is sealed. */
    private static final class Chunk {
        final byte[] buffer;
        final int length;
        final boolean last;
        byte[] header;

        Chunk(byte[] buffer, int length, boolean last) {
            this.buffer = buffer;
            this.length = length;
            this.last = last;
        }
    }

    private final OutputStream target;
    private final Sealer sealer;
    private final MessageDigest mdc;
    private final BlockingQueue<Chunk> toSeal;
    private final BlockingQueue<Chunk> sealed;
    private final Thread worker;
    private volatile Throwable failure;
    private volatile boolean aborted;
    private int allocated;
    private int outstanding;
    private byte[] current;
    private int position;
    private long count;
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
        this.target = target;
        sealer = new Sealer(prelude, new OpenPgpCfb(sessionKey));
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
            toSeal = new ArrayBlockingQueue<>(DEPTH);
            sealed = new ArrayBlockingQueue<>(DEPTH);
            worker = new Thread(this::drain, "pgp-encrypt");
            worker.setDaemon(true);
            worker.start();
        } else {
            toSeal = null;
            sealed = null;
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

    /** Appends the MDC packet, seals the last buffer and writes everything to the target. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        write(new byte[] {(byte) 0xD3, 0x14}, 0, 2);
        put(mdc.digest(), 0, 20);
        handOver(true);
        while (outstanding > 0) {
            writeOut(takeSealed());
        }
        finished = true;
        target.flush();
    }

    /** SHA-256 of the bytes written, after {@link #finish()}. */
    byte[] sha256() {
        return sealer.sha256.digest();
    }

    /** Bytes written. */
    long count() {
        return count;
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
        current = null;
        if (worker == null) {
            sealer.seal(chunk);
            writeOut(chunk);
            if (!last) {
                current = chunk.buffer; // reuse the same buffer
            }
        } else {
            try {
                toSeal.put(chunk);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while handing data to " + worker.getName());
            }
            outstanding++;
            if (last) {
                return;
            }
            if (allocated < DEPTH) {
                current = new byte[CHUNK];
                allocated++;
            } else {
                Chunk done = takeSealed();
                writeOut(done);
                current = done.buffer;
            }
        }
        position = 0;
    }

    private Chunk takeSealed() throws IOException {
        try {
            Chunk chunk = sealed.take();
            outstanding--;
            checkFailure();
            return chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + worker.getName());
        }
    }

    private void writeOut(Chunk chunk) throws IOException {
        if (chunk.header == null) {
            throw new IOException("buffer not sealed"); // never write plaintext
        }
        target.write(chunk.header);
        target.write(chunk.buffer, 0, chunk.length);
        count += chunk.header.length + chunk.length;
    }

    private void drain() {
        try {
            while (true) {
                Chunk chunk = toSeal.take();
                if (failure == null && !aborted) {
                    try {
                        sealer.seal(chunk);
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                sealed.put(chunk); // keep handing back after a failure so the producer never blocks
                if (chunk.last) {
                    return;
                }
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

    /** Encrypts a buffer in place, sets its framing and hashes both, in order. Runs on one thread. */
    private static final class Sealer {
        private final OpenPgpCfb cfb;
        private final MessageDigest sha256 = Sha256.digest();
        private byte[] prelude;

        Sealer(byte[] prelude, OpenPgpCfb cfb) {
            this.prelude = prelude;
            this.cfb = cfb;
        }

        void seal(Chunk chunk) {
            boolean first = prelude != null;
            int skip = first ? 1 : 0; // the version octet is not encrypted
            cfb.encrypt(chunk.buffer, skip, chunk.length - skip);
            byte[] header = new byte[(first ? prelude.length + 1 : 0) + 5];
            int n = 0;
            if (first) {
                System.arraycopy(prelude, 0, header, 0, prelude.length);
                n = prelude.length;
                header[n++] = (byte) TAG_SEIPD;
                prelude = null;
            }
            if (chunk.last) {
                n = putLength(header, n, chunk.length);
            } else {
                header[n++] = (byte) PARTIAL_CHUNK_HEADER;
            }
            header = n == header.length ? header : java.util.Arrays.copyOf(header, n);
            sha256.update(header);
            sha256.update(chunk.buffer, 0, chunk.length);
            chunk.header = header;
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
