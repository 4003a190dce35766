package fedgate.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.crypto.EncryptionResult;
import fedgate.crypto.PartnerKey;
import fedgate.crypto.PgpEncryptor;
import fedgate.crypto.PgpException;
import fedgate.crypto.PgpKeys;
import fedgate.crypto.SigningKey;
import fedgate.crypto.DetachedSigner;
import fedgate.ledger.UsageTerms;
import fedgate.partner.Partner;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Packages one delivery into a directory: each file signed by the CAF and encrypted to the partner
 * ({@code <name>.pgp}, streaming, via {@link PgpEncryptor}), then {@code manifest.json.asc} (detached armored
 * signature of the CAF) and {@code manifest.json} last. Every file is written under a hidden temporary name
 * ({@code .<name>.part}), flushed to disk and renamed when complete: a directory holding {@code manifest.json}
 * holds a complete delivery.
 *
 * <p>Idempotent on the delivery id ({@code DLV-<request>-v<version>}): when the directory already holds the
 * complete delivery with the same id and the same plain files, it is verified and returned as is
 * ({@link Delivery#reused()}), never re-encrypted (a new encryption would give other bytes, i.e. a second
 * delivery). Left-overs of an interrupted attempt (no manifest yet) are removed and the delivery is made again.
 * Other content for the same id is refused: new content is a new version.
 *
 * <p>Names in the output come from the source names only after {@link DeliveryFileName#check}; nothing else taken
 * from input builds a path. No Camel: channels (SFTP, mail) transfer {@link Delivery#filesInTransferOrder()}.
 */
public final class DeliveryPackager {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryPackager.class);
    public static final String DISCLOSURE_REPORT = "disclosure-report.json";
    static final String LOCK = ".delivery.lock";
    static final String PART = ".part";
    private static final long MAX_REPORT_BYTES = 16L << 20;
    private static final int MAX_FILES = 1000;
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final ObjectMapper REPORT_READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(50).build()).build());

    private final SigningKey caf;
    private final Clock clock;
    private final PgpEncryptor.Compression compression;

    /**
     * What to deliver to whom.
     *
     * @param recipient the partner's key, from {@link #recipientKey} (checked again at packaging time)
     * @param id        {@link DeliveryId#forRequest} or {@link DeliveryId#adHoc}
     * @param channel   how it will travel (recorded in the signed manifest)
     * @param terms     {@code UsageTerms.current().forDelivery(partner, purpose, diffusion, dueDate)}
     */
    public record Order(PartnerKey recipient, DeliveryId id, DeliveryChannel channel, UsageTerms.Applied terms) {
        public Order {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(terms, "terms");
        }
    }

    public DeliveryPackager(SigningKey caf, Clock clock) {
        this(caf, clock, PgpEncryptor.Compression.NONE);
    }

    private DeliveryPackager(SigningKey caf, Clock clock, PgpEncryptor.Compression compression) {
        this.caf = Objects.requireNonNull(caf, "caf");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.compression = Objects.requireNonNull(compression, "compression");
    }

    /** ZLIB inside the encryption (off by default, see docs/openpgp.md). */
    public DeliveryPackager withCompression(PgpEncryptor.Compression compression) {
        return new DeliveryPackager(caf, clock, compression);
    }

    /**
     * The partner's key for a delivery: the registry's pinned fingerprint, not expired nor revoked at {@code now}.
     * Refusals carry crypto's French reason, e.g. « La clé OpenPGP du partenaire ville-rouen a expiré le … ».
     */
    public static PartnerKey recipientKey(Partner partner, PGPPublicKeyRing ring, Instant now) throws DeliveryException {
        try {
            return PgpKeys.partnerKey(partner.id(), ring, partner.pgpFingerprint(), now);
        } catch (PgpException e) {
            throw keyRefused(e);
        }
    }

    /** {@code root/<partner id>/<delivery id>}: built from validated identifiers only. */
    public static Path directoryFor(Path root, String partnerId, DeliveryId id) {
        if (partnerId == null || !Partner.ID_PATTERN.matcher(partnerId).matches()) {
            throw new IllegalArgumentException("not a partner id");
        }
        return root.resolve(partnerId).resolve(id.value());
    }

    /**
     * Packages an extract directory ({@code extract.csv}, {@code extract.json}, {@code disclosure-report.json},
     * {@code disclosure-report.md}): every regular file in it (no links, no sub-directories), after checking that its
     * disclosure report allows delivery.
     */
    public Delivery packageExtract(Path extractDir, Order order, Path outDir) throws IOException, DeliveryException {
        if (!Files.isDirectory(extractDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new DeliveryException(DeliveryException.Code.NOT_A_FILE, "Le répertoire de l'extraction est introuvable");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(extractDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                DeliveryFileName.check(name);
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new DeliveryException(DeliveryException.Code.NOT_A_FILE, "L'extraction contient « " + name
                            + " », qui n'est pas un fichier ordinaire (lien ou répertoire) : livraison refusée");
                }
                files.add(p);
                if (files.size() > MAX_FILES) {
                    throw new DeliveryException(DeliveryException.Code.NO_FILES, "Trop de fichiers dans l'extraction");
                }
            }
        }
        files.sort(null);
        Path report = extractDir.resolve(DISCLOSURE_REPORT);
        if (!Files.isRegularFile(report, LinkOption.NOFOLLOW_LINKS)) {
            throw new DeliveryException(DeliveryException.Code.MISSING_DISCLOSURE_REPORT,
                    "L'extraction n'a pas de rapport de secret statistique (disclosure-report.json) : elle ne peut pas être livrée");
        }
        DisclosureSummary summary = readReport(report);
        if (!summary.deliverable()) {
            throw new DeliveryException(DeliveryException.Code.EXTRACT_REFUSED, "L'extraction a été refusée par le contrôle "
                    + "du secret statistique (audit non satisfait) : elle ne peut pas être livrée");
        }
        return pack(files, summary, order, outDir, true);
    }

    /** Packages any files (the Bureau's ad-hoc sends): each a regular file with a {@linkplain DeliveryFileName safe} name. */
    public Delivery packageFiles(List<Path> files, Order order, Path outDir) throws IOException, DeliveryException {
        return pack(files, null, order, outDir, false);
    }

    // ---------------------------------------------------------------- packaging

    private Delivery pack(List<Path> sources, DisclosureSummary disclosure, Order order, Path outDir, boolean noLinks)
            throws IOException, DeliveryException {
        Instant now = clock.instant();
        Map<String, Path> byName = sources(sources, noLinks);
        PartnerKey recipient = recheck(order.recipient(), now);
        if (!order.terms().recipientId().equals(recipient.partnerId())) {
            throw new DeliveryException(DeliveryException.Code.RECIPIENT_MISMATCH, "Les conditions d'usage désignent le partenaire "
                    + order.terms().recipientId() + " mais la livraison est chiffrée pour " + recipient.partnerId());
        }
        try {
            PgpKeys.checkedSigner("de la CAF", caf.certificate(), caf.fingerprint(), now);
        } catch (PgpException e) {
            throw keyRefused(e);
        }
        UsageTerms.Applied terms = order.terms();
        if (terms.sourceMention() == null) {
            terms = terms.withSourceMention(disclosure != null && disclosure.source() != null ? disclosure.source()
                    : UsageTerms.Applied.sourceMentionFor(LocalDate.ofInstant(now, PARIS)));
        }

        Files.createDirectories(outDir);
        try (FileChannel lockChannel = FileChannel.open(outDir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            Delivery existing = existing(outDir, order.id(), byName);
            if (existing != null) {
                LOG.info("delivery {} for partner {} already packaged in {}: reused", order.id(), recipient.partnerId(), outDir);
                return existing;
            }
            try {
                return write(byName, disclosure, order, terms, recipient, now, outDir);
            } catch (IOException | RuntimeException | DeliveryException e) {
                removeOutputs(outDir, byName.keySet());
                throw e;
            }
        }
    }

    private Delivery write(Map<String, Path> byName, DisclosureSummary disclosure, Order order, UsageTerms.Applied terms,
            PartnerKey recipient, Instant now, Path outDir) throws IOException, DeliveryException {
        PgpEncryptor encryptor = new PgpEncryptor(caf, recipient).withCompression(compression).withArmor(false);
        List<DeliveryManifest.FileEntry> entries = new ArrayList<>();
        for (Map.Entry<String, Path> source : byName.entrySet()) {
            String name = source.getKey();
            String encryptedName = DeliveryFileName.encryptedName(name);
            Path tmp = outDir.resolve("." + encryptedName + PART);
            EncryptionResult r;
            try (InputStream in = Files.newInputStream(source.getValue());
                 FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                r = encryptor.signAndEncrypt(in, out, name, Files.getLastModifiedTime(source.getValue()).toMillis());
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, outDir.resolve(encryptedName), StandardCopyOption.ATOMIC_MOVE);
            entries.add(new DeliveryManifest.FileEntry(name, r.plainSha256(), r.plainBytes(), encryptedName,
                    r.encryptedSha256(), r.encryptedBytes()));
        }
        DeliveryManifest manifest = new DeliveryManifest(order.id().value(), order.id().requestId(), order.id().version(),
                recipient.partnerId(), new DeliveryManifest.Recipient(recipient.fingerprint(), recipient.encryptionKeyFingerprint()),
                order.channel(), now, new DeliveryManifest.Encryption(compression.name().toLowerCase(java.util.Locale.ROOT), false),
                caf.fingerprint(), entries, disclosure, terms);
        byte[] json = manifest.toJson();
        String signature = new DetachedSigner(caf).sign(new ByteArrayInputStream(json));
        writeAtomically(outDir, DeliveryFileName.SIGNATURE, signature.getBytes(StandardCharsets.US_ASCII));
        writeAtomically(outDir, DeliveryFileName.MANIFEST, json); // last: its presence means complete
        long bytes = entries.stream().mapToLong(DeliveryManifest.FileEntry::encryptedSize).sum();
        LOG.info("delivery {} packaged for partner {} ({} files, {} encrypted bytes, channel {}, recipient subkey {})",
                order.id(), recipient.partnerId(), entries.size(), bytes, order.channel().code(), recipient.encryptionKeyFingerprint());
        return new Delivery(order.id(), outDir, manifest, false);
    }

    private static void writeAtomically(Path dir, String name, byte[] bytes) throws IOException {
        Path tmp = dir.resolve("." + name + PART);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    // ---------------------------------------------------------------- idempotence

    /** The complete delivery already in {@code outDir}, or null after removing an interrupted attempt's files. */
    private Delivery existing(Path outDir, DeliveryId id, Map<String, Path> byName) throws IOException, DeliveryException {
        Set<String> expected = new HashSet<>();
        byName.keySet().forEach(n -> {
            expected.add(DeliveryFileName.encryptedName(n));
            expected.add("." + DeliveryFileName.encryptedName(n) + PART);
        });
        expected.addAll(Set.of(DeliveryFileName.MANIFEST, DeliveryFileName.SIGNATURE, "." + DeliveryFileName.MANIFEST + PART,
                "." + DeliveryFileName.SIGNATURE + PART, LOCK));
        Path manifestFile = outDir.resolve(DeliveryFileName.MANIFEST);
        if (Files.exists(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
            return completed(outDir, id, byName);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(outDir)) {
            for (Path p : ds) {
                if (!expected.contains(p.getFileName().toString())) {
                    throw new DeliveryException(DeliveryException.Code.OUTPUT_NOT_EMPTY, "Le répertoire de livraison contient "
                            + "des fichiers étrangers à la livraison " + id + " : livraison refusée");
                }
            }
        }
        if (removeOutputs(outDir, byName.keySet()) > 0) {
            LOG.warn("delivery {}: removed the files of an interrupted attempt in {}", id, outDir);
        }
        return null;
    }

    private Delivery completed(Path outDir, DeliveryId id, Map<String, Path> byName) throws IOException, DeliveryException {
        Path manifestFile = outDir.resolve(DeliveryFileName.MANIFEST);
        DeliveryManifest manifest;
        try {
            manifest = DeliveryManifest.parse(Files.readAllBytes(manifestFile));
        } catch (DeliveryException e) {
            throw new DeliveryException(DeliveryException.Code.EXISTING_DELIVERY_DAMAGED, "Le manifeste déjà présent pour la "
                    + "livraison " + id + " est illisible : " + e.reason(), e);
        }
        if (!manifest.deliveryId().equals(id.value())) {
            throw new DeliveryException(DeliveryException.Code.OTHER_DELIVERY_IN_OUTPUT, "Le répertoire contient déjà la "
                    + "livraison " + manifest.deliveryId() + " : impossible d'y écrire " + id);
        }
        ReceiptVerifier.Result check = new ReceiptVerifier(caf.certificate(), caf.fingerprint(), clock).verify(manifestFile);
        if (!check.ok()) {
            throw new DeliveryException(DeliveryException.Code.EXISTING_DELIVERY_DAMAGED, "La livraison " + id
                    + " existe déjà mais ne correspond plus à son reçu : " + check.problems().get(0).message());
        }
        boolean same = manifest.files().size() == byName.size();
        for (Map.Entry<String, Path> source : byName.entrySet()) {
            DeliveryManifest.FileEntry entry = manifest.file(source.getKey());
            same &= entry != null && entry.plainSize() == Files.size(source.getValue())
                    && entry.plainSha256().equals(ReceiptVerifier.sha256(source.getValue()));
        }
        if (!same) {
            throw new DeliveryException(DeliveryException.Code.CONFLICTING_DELIVERY, "La livraison " + id + " a déjà été faite "
                    + "avec un contenu différent : une nouvelle version de la livraison est nécessaire");
        }
        return new Delivery(id, outDir, manifest, true);
    }

    /** Removes this delivery's outputs and temporary files (never anything else); returns how many. */
    private static int removeOutputs(Path outDir, Set<String> names) throws IOException {
        List<String> candidates = new ArrayList<>(List.of(DeliveryFileName.MANIFEST, DeliveryFileName.SIGNATURE,
                "." + DeliveryFileName.MANIFEST + PART, "." + DeliveryFileName.SIGNATURE + PART));
        for (String n : names) {
            candidates.add(DeliveryFileName.encryptedName(n));
            candidates.add("." + DeliveryFileName.encryptedName(n) + PART);
        }
        int removed = 0;
        for (String c : candidates) {
            if (Files.deleteIfExists(outDir.resolve(c))) {
                removed++;
            }
        }
        return removed;
    }

    // ---------------------------------------------------------------- inputs

    private static Map<String, Path> sources(List<Path> sources, boolean noLinks) throws DeliveryException {
        if (sources == null || sources.isEmpty()) {
            throw new DeliveryException(DeliveryException.Code.NO_FILES, "Aucun fichier à livrer");
        }
        if (sources.size() > MAX_FILES) {
            throw new DeliveryException(DeliveryException.Code.NO_FILES, "Trop de fichiers dans une livraison (" + MAX_FILES + " au plus)");
        }
        Map<String, Path> byName = new LinkedHashMap<>();
        for (Path p : sources) {
            Path fileName = p.getFileName();
            String name = DeliveryFileName.check(fileName == null ? "" : fileName.toString());
            boolean regular = noLinks ? Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) : Files.isRegularFile(p);
            if (!regular) {
                throw new DeliveryException(DeliveryException.Code.NOT_A_FILE, "« " + name + " » n'est pas un fichier lisible");
            }
            if (byName.put(name, p) != null) {
                throw new DeliveryException(DeliveryException.Code.DUPLICATE_FILE_NAME,
                        "Deux fichiers de la livraison s'appellent « " + name + " »");
            }
        }
        return byName;
    }

    private static DisclosureSummary readReport(Path report) throws IOException, DeliveryException {
        if (Files.size(report) > MAX_REPORT_BYTES) {
            throw new DeliveryException(DeliveryException.Code.MISSING_DISCLOSURE_REPORT,
                    "Le rapport de secret statistique est anormalement volumineux");
        }
        JsonNode root;
        try {
            root = REPORT_READER.readTree(report.toFile());
        } catch (IOException e) {
            throw new DeliveryException(DeliveryException.Code.MISSING_DISCLOSURE_REPORT,
                    "Le rapport de secret statistique (disclosure-report.json) est illisible");
        }
        return DisclosureSummary.fromReport(root);
    }

    private static PartnerKey recheck(PartnerKey key, Instant now) throws DeliveryException {
        try {
            return PgpKeys.partnerKey(key.partnerId(), key.ring(), key.fingerprint(), now);
        } catch (PgpException e) {
            throw keyRefused(e);
        }
    }

    private static DeliveryException keyRefused(PgpException e) {
        return new DeliveryException(DeliveryException.Code.KEY_REFUSED, e.reason(), e);
    }
}
