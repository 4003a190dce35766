package fedgate.app.embedded;

import java.time.Instant;

/**
 * Told of every file a partner read from its {@code /outbox} and closed: the delivery stage records a
 * retrieval receipt from it.
 */
@FunctionalInterface
public interface DownloadListener {

    void downloaded(Download download);

    /**
     * @param account   the SFTP account, i.e. the partner id
     * @param path      the file's path as the partner sees it, e.g. {@code /outbox/FED-2026-000001.zip.pgp}
     * @param bytesRead bytes sent to the client through this handle
     * @param fileSize  the file's size when it was closed
     * @param at        when the client closed the file
     */
    record Download(String account, String path, long bytesRead, long fileSize, Instant at) {
        /** The client read at least as many bytes as the file holds. */
        public boolean complete() {
            return bytesRead >= fileSize;
        }
    }
}
