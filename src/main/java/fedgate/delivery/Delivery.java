package fedgate.delivery;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A packaged delivery: a directory holding {@code <name>.pgp} for each file, {@code manifest.json} and
 * {@code manifest.json.asc}.
 *
 * @param reused true when the directory already held this complete delivery (a retry): nothing was re-encrypted,
 *               the bytes are those of the first attempt
 */
public record Delivery(DeliveryId id, Path directory, DeliveryManifest manifest, boolean reused) {

    public Path manifestFile() {
        return directory.resolve(DeliveryFileName.MANIFEST);
    }

    public Path signatureFile() {
        return directory.resolve(DeliveryFileName.SIGNATURE);
    }

    public List<Path> encryptedFiles() {
        return manifest.files().stream().map(f -> directory.resolve(f.encryptedName())).toList();
    }

    /**
     * The order in which a channel must transfer the files: the encrypted files, then the signature, then the
     * manifest last — a partner (or its script) that sees {@code manifest.json} knows the delivery is complete.
     */
    public List<Path> filesInTransferOrder() {
        List<Path> all = new ArrayList<>(encryptedFiles());
        all.add(signatureFile());
        all.add(manifestFile());
        return List.copyOf(all);
    }

    /** Total size of what is transferred (encrypted files only; the manifest and signature are a few KiB). */
    public long encryptedBytes() {
        return manifest.files().stream().mapToLong(DeliveryManifest.FileEntry::encryptedSize).sum();
    }
}
