package fedgate.app.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts the bytes read from each {@code /outbox} file handle and reports it to a {@link DownloadListener}. */
final class DownloadRecorder implements SftpEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadRecorder.class);

    private final DownloadListener listener;
    private final Clock clock;
    private final Map<Handle, AtomicLong> reads = new ConcurrentHashMap<>();

    DownloadRecorder(DownloadListener listener, Clock clock) {
        this.listener = listener;
        this.clock = clock;
    }

    @Override
    public void open(ServerSession session, String remoteHandle, Handle localHandle) {
        if (localHandle instanceof FileHandle file && !file.getOpenOptions().contains(StandardOpenOption.WRITE)
                && DropBoxFileSystemAccessor.isUnder(localHandle.getFile(), DropBoxFileSystemAccessor.OUTBOX)) {
            reads.put(localHandle, new AtomicLong());
        }
    }

    @Override
    public void read(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                     int dataOffset, int dataLen, int readLen, Throwable thrown) {
        AtomicLong counter = reads.get(localHandle);
        if (counter != null && thrown == null && readLen > 0) {
            counter.addAndGet(readLen);
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown)
            throws IOException {
        AtomicLong counter = reads.remove(localHandle);
        if (counter == null) {
            return;
        }
        Path file = localHandle.getFile();
        long size = Files.exists(file) ? Files.size(file) : -1;
        var download = new DownloadListener.Download(session.getUsername(),
                file.toAbsolutePath().normalize().toString(), counter.get(), size, clock.instant());
        LOG.info("SFTP download by {}: {} ({} of {} bytes)", download.account(), download.path(),
                download.bytesRead(), size);
        try {
            listener.downloaded(download);
        } catch (RuntimeException e) { // a failing receipt must not break the partner's session
            LOG.error("download listener failed for {} {}", download.account(), download.path(), e);
        }
    }

    @Override
    public void exiting(ServerSession session, Handle handle) {
        reads.remove(handle); // session ended without closing the file: not a completed download
    }
}
