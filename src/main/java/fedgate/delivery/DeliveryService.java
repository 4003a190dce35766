package fedgate.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.crypto.PartnerKey;
import fedgate.fed.Feuillet1;
import fedgate.ledger.UsageTerms;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.DeliveryRepository;
import fedgate.state.DeliveryRepository.StoredDelivery;
import fedgate.state.DeliveryStatus;
import fedgate.state.RequestRepository;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The delivery stage without Camel: turns a {@link DeliveryOrder} into a packaged {@link Delivery} and a
 * {@link Plan} for the channel, records what happened (attempts, errors, DELIVERED, FAILED), writes the delivery
 * notice, and turns the partner's downloads from its outbox into retrieval receipts (RETRIEVED).
 *
 * <p>Idempotent on the delivery id (request id + version): the package is made once and reused by every retry, and
 * a delivery already DELIVERED is not transferred again — a redelivered or replayed message at most sends the notice
 * that was not sent yet.
 */
public final class DeliveryService {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryService.class);
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    /** A request can be delivered once extracted; again (a new version, or a retry) after a delivery or a failure. */
    private static final Set<RequestStatus> DELIVERABLE = EnumSet.of(RequestStatus.EXTRACTED, RequestStatus.DELIVERED,
            RequestStatus.RETRIEVED, RequestStatus.FAILED);
    /** OpenPGP framing added to each file (packets, signature, MDC): generous, for the mail size decision only. */
    private static final long OVERHEAD_PER_FILE = 4096;
    public static final String ACTOR = "fedgate";

    /**
     * @param deliveriesRoot  {@code $FEDGATE_HOME/data/deliveries}: packages, {@code <partner>/<delivery id>/}
     * @param extractsRoot    {@code $FEDGATE_HOME/data/extracts}: the extract stage's {@code <request id>/v<version>/}
     * @param sendsRoot       {@code $FEDGATE_HOME/data/sends}: ad-hoc files, {@code <ADHOC-…>/<name>}
     * @param sftpRoot        the embedded SFTP server's root ({@code <partner>/outbox/…}), null with an external server
     * @param partnerChannels per-partner channel, else {@code defaultChannel}
     * @param emailMaxBytes   above this (encrypted size), a mail delivery goes by SFTP and the mail says so
     * @param studyDueMonths  Art. 3: months after delivery the copy of the study is due
     */
    public record Settings(Path deliveriesRoot, Path extractsRoot, Path sendsRoot, Path sftpRoot,
                           DeliveryChannel defaultChannel, Map<String, DeliveryChannel> partnerChannels,
                           long emailMaxBytes, int studyDueMonths) {
        public Settings {
            Objects.requireNonNull(deliveriesRoot, "deliveriesRoot");
            Objects.requireNonNull(extractsRoot, "extractsRoot");
            Objects.requireNonNull(sendsRoot, "sendsRoot");
            Objects.requireNonNull(defaultChannel, "defaultChannel");
            partnerChannels = Map.copyOf(partnerChannels);
        }
    }

    public enum Action {
        /** Transfer by the channel, then mark DELIVERED and send the notice. */
        SEND,
        /** Already DELIVERED but the notice was not sent (crash in between): the notice only. */
        NOTICE_ONLY,
        /** Already delivered and notified: nothing (a redelivered or replayed message). */
        NOTHING
    }

    /**
     * What the route does with one order.
     *
     * @param channel            the channel of the package (as signed in its manifest)
     * @param emailFellBackToSftp mail was asked for but the files are too large: SFTP, and a mail that says so
     */
    public record Plan(Action action, DeliveryOrder order, Partner partner, Delivery delivery, DeliveryChannel channel,
                       boolean emailFellBackToSftp, String manifestSha256) {

        public String deliveryId() {
            return order.id().value();
        }

        public String requestId() {
            return order.id().requestId();
        }

        /** The JMS correlation id of the notice: the request id (the partner's handle), else the delivery id. */
        public String correlationId() {
            return requestId() != null ? requestId() : deliveryId();
        }
    }

    private final DeliveryKeys keys;
    private final DeliveryPackager packager;
    private final PartnerRegistry partners;
    private final RequestRepository requests;
    private final DeliveryRepository deliveries;
    private final Settings settings;
    private final ObjectMapper json;
    private final Clock clock;
    private volatile DeliveryRepository.DeliveredHook deliveredHook;

    public DeliveryService(DeliveryKeys keys, PartnerRegistry partners, RequestRepository requests,
                           DeliveryRepository deliveries, Settings settings, ObjectMapper json, Clock clock) {
        this.keys = keys;
        this.packager = new DeliveryPackager(keys.caf(), clock);
        this.partners = partners;
        this.requests = requests;
        this.deliveries = deliveries;
        this.settings = settings;
        this.json = json;
        this.clock = clock;
    }

    public Settings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- delivering

    /**
     * Checks the order, counts the attempt and packages the delivery (or finds it packaged).
     *
     * @throws DeliveryException a refusal that no retry can cure (unknown request, partner key, extract refused…)
     * @throws IOException       a transient failure (disk)
     */
    public Plan prepare(DeliveryOrder order) throws DeliveryException, IOException {
        Instant now = clock.instant();
        DeliveryId id = order.id();
        StoredRequest request = null;
        Partner partner;
        if (id.adHoc()) {
            partner = partner(order.partnerId());
        } else {
            request = requests.find(id.requestId()).orElseThrow(() -> new DeliveryException(
                    DeliveryException.Code.REQUEST_NOT_DELIVERABLE, "La demande " + id.requestId() + " est inconnue"));
            partner = partner(request.partnerId());
            if (!DELIVERABLE.contains(request.status())) {
                throw new DeliveryException(DeliveryException.Code.REQUEST_NOT_DELIVERABLE, "La demande " + id.requestId()
                        + " est au statut " + request.status() + " : aucune donnée ne peut lui être livrée");
            }
        }
        StoredDelivery row = deliveries.begin(id.value(), id.requestId(), id.version(), partner.id(), now);
        if (!row.partnerId().equals(partner.id())) {
            throw new DeliveryException(DeliveryException.Code.CONFLICTING_DELIVERY, "La livraison " + id
                    + " est déjà enregistrée pour un autre partenaire");
        }
        boolean done = row.status() == DeliveryStatus.DELIVERED || row.status() == DeliveryStatus.RETRIEVED;
        if (done && row.noticeSentAt() != null) {
            LOG.info("delivery {} already {}: not sent again", id, row.status());
            return new Plan(Action.NOTHING, order, partner, null, null, false, row.manifestSha256());
        }

        Path source = id.adHoc() ? adHocDirectory(id) : extractDirectory(order);
        List<Path> files = id.adHoc() ? adHocFiles(source) : List.of();
        PartnerKey key = keys.partnerKey(partner, now);
        UsageTerms.Applied terms = terms(partner, request, id, now);
        DeliveryChannel requested = order.channel() != null ? order.channel()
                : settings.partnerChannels().getOrDefault(partner.id(), settings.defaultChannel());
        DeliveryChannel channel = requested;
        if (requested == DeliveryChannel.EMAIL && estimatedBytes(id.adHoc() ? files : regularFiles(source)) > settings.emailMaxBytes()) {
            channel = DeliveryChannel.SFTP;
        }
        DeliveryPackager.Order packagerOrder = new DeliveryPackager.Order(key, id, channel, terms);
        Path out = DeliveryPackager.directoryFor(settings.deliveriesRoot(), partner.id(), id);
        Delivery delivery = id.adHoc() ? packager.packageFiles(files, packagerOrder, out)
                : packager.packageExtract(source, packagerOrder, out);
        // a reused package travels by the channel signed in its manifest
        DeliveryChannel actual = delivery.manifest().channel();
        String manifestSha = sha256(delivery.manifestFile());
        deliveries.packaged(id.value(), actual.code(), manifestSha, now);
        return new Plan(done ? Action.NOTICE_ONLY : Action.SEND, order, partner, delivery, actual,
                requested == DeliveryChannel.EMAIL && actual == DeliveryChannel.SFTP, manifestSha);
    }

    /**
     * Runs in the transaction that records a request's delivery: the study obligation (Art. 3) opens there. Set once
     * at start-up.
     */
    public void onDelivered(DeliveryRepository.DeliveredHook hook) {
        this.deliveredHook = hook;
    }

    /** The channel did its work: DELIVERED (and the request DELIVERED); RETRIEVED at once if already downloaded. */
    public void transferred(Plan plan) {
        Delivery d = plan.delivery();
        deliveries.delivered(plan.deliveryId(), plan.requestId(), ACTOR, "delivered " + plan.deliveryId() + " by "
                + plan.channel().code() + (plan.emailFellBackToSftp() ? " (too large for mail)" : "") + ": "
                + d.manifest().files().size() + " encrypted file(s), " + d.encryptedBytes() + " bytes, manifest sha256 "
                + plan.manifestSha256(), sentDetails(plan), deliveredHook, clock.instant());
        LOG.info("delivery {} delivered to {} by {}", plan.deliveryId(), plan.partner().id(), plan.channel().code());
        if (plan.channel() == DeliveryChannel.SFTP) {
            deliveries.find(plan.deliveryId()).ifPresent(row -> checkRetrieved(row, plan.partner().id()));
        }
    }

    /**
     * The details of the {@code delivery.sent} ledger event (docs/ledger.md): who received what, by which channel,
     * encrypted to which key, under which usage terms (Art. 2, 3, 4) — what an auditor asks first.
     */
    static Map<String, Object> sentDetails(Plan plan) {
        DeliveryManifest m = plan.delivery().manifest();
        UsageTerms.Applied t = m.usageTerms();
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("deliveryId", plan.deliveryId());
        details.put("deliveryVersion", m.deliveryVersion());
        details.put("recipient", plan.partner().id());
        details.put("recipientName", t.recipientName());
        details.put("channel", plan.channel().code());
        details.put("files", m.files().stream().map(DeliveryManifest.FileEntry::encryptedName).toList());
        details.put("manifestSha256", plan.manifestSha256());
        details.put("recipientKeyFingerprint", m.recipient().fingerprint());
        details.put("encryptionSubkeyFingerprint", m.recipient().encryptionSubkeyFingerprint());
        details.put("signerFingerprint", m.signerFingerprint());
        details.put("usageTermsVersion", t.version());
        details.put("usageTermsSha256", t.sha256());
        details.put("purpose", t.purpose());
        details.put("diffusion", t.diffusion().name().toLowerCase(Locale.ROOT));
        details.put("studyDueDate", t.studyDueDate().toString());
        details.put("sourceMention", t.sourceMention());
        return details;
    }

    /** The delivery notice for {@code fed.events.<partner>} (JSON; schema in docs/delivery.md). */
    public String notice(Plan plan) {
        DeliveryManifest m = plan.delivery().manifest();
        StoredDelivery row = deliveries.find(plan.deliveryId()).orElseThrow();
        ObjectNode n = json.createObjectNode();
        n.put("type", "fed.delivery");
        n.put("requestId", plan.requestId());
        n.put("deliveryId", plan.deliveryId());
        n.put("version", m.deliveryVersion());
        n.put("partnerId", plan.partner().id());
        n.put("channel", plan.channel().code());
        if (plan.channel() == DeliveryChannel.SFTP) {
            n.put("location", "/outbox/" + plan.deliveryId() + "/");
        }
        n.put("deliveredAt", row.deliveredAt() == null ? null : row.deliveredAt().toString());
        n.put("manifestSha256", plan.manifestSha256());
        n.put("recipientFingerprint", m.recipient().fingerprint());
        n.put("signerFingerprint", m.signerFingerprint());
        ArrayNode files = n.putArray("files");
        for (DeliveryManifest.FileEntry f : m.files()) {
            files.addObject().put("name", f.encryptedName()).put("sha256", f.encryptedSha256()).put("size", f.encryptedSize())
                    .put("plainName", f.name()).put("plainSha256", f.plainSha256()).put("plainSize", f.plainSize());
        }
        try {
            files.addObject().put("name", DeliveryFileName.SIGNATURE).put("sha256", sha256(plan.delivery().signatureFile()))
                    .put("size", Files.size(plan.delivery().signatureFile()));
            files.addObject().put("name", DeliveryFileName.MANIFEST).put("sha256", plan.manifestSha256())
                    .put("size", Files.size(plan.delivery().manifestFile()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n.toString();
    }

    public void noticeSent(Plan plan) {
        deliveries.noticeSent(plan.deliveryId(), clock.instant());
    }

    // ---------------------------------------------------------------- failures

    /**
     * A refusal no retry can cure: the delivery FAILED with the French reason and, when it was still to be made, its
     * request FAILED too (the reason in the request's history). Nothing was sent.
     */
    public void refused(DeliveryOrder order, DeliveryException e) {
        Instant now = clock.instant();
        Optional<StoredDelivery> row = order == null ? Optional.empty() : deliveries.find(order.id().value());
        LOG.warn("delivery {} refused: {}", order == null ? "(unreadable order)" : order.id(), e.code());
        if (row.isPresent() && (row.get().status() == DeliveryStatus.PENDING || row.get().status() == DeliveryStatus.FAILED)) {
            deliveries.failed(row.get().id(), requestToFail(row.get()), "Livraison refusée : " + e.reason(), ACTOR, now);
        }
    }

    /**
     * A transient failure (SFTP, SMTP, broker, disk): the error is kept with the attempt; after the last attempt the
     * delivery and its request are FAILED (the message then waits on the dead-letter queue for a replay).
     */
    public void attemptFailed(DeliveryOrder order, String error, boolean lastAttempt) {
        if (order == null) {
            return;
        }
        Optional<StoredDelivery> row = deliveries.find(order.id().value());
        if (row.isEmpty() || row.get().status() == DeliveryStatus.DELIVERED || row.get().status() == DeliveryStatus.RETRIEVED) {
            return;
        }
        Instant now = clock.instant();
        if (lastAttempt) {
            deliveries.failed(row.get().id(), requestToFail(row.get()), "Livraison impossible après " + row.get().attempts()
                    + " tentative(s) : " + error, ACTOR, now);
        } else {
            deliveries.attemptFailed(row.get().id(), error, now);
        }
    }

    private String requestToFail(StoredDelivery row) {
        if (row.requestId() == null) {
            return null;
        }
        return requests.find(row.requestId()).filter(r -> DELIVERABLE.contains(r.status())
                && r.status() != RequestStatus.RETRIEVED).map(StoredRequest::id).orElse(null);
    }

    // ---------------------------------------------------------------- retrieval receipts

    /**
     * A partner read a file of its outbox and closed it (embedded SFTP server). {@code path} is as the partner sees
     * it, {@code /outbox/<delivery id>/<file>}; anything else is not a delivery and is ignored. Records the receipt
     * (account, time, bytes read, SHA-256 of the file as stored, whether it is the delivered file), and makes the
     * delivery and its request RETRIEVED once the manifest and every encrypted file were read completely.
     */
    public void downloaded(String account, String path, long bytesRead, long fileSize, Instant at) {
        if (settings.sftpRoot() == null || partners.find(account).isEmpty() || path == null) {
            return;
        }
        String[] parts = (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
        if (parts.length != 3 || !"outbox".equals(parts[0]) || !DeliveryFileName.isSafe(parts[2])) {
            return;
        }
        DeliveryId id;
        try {
            id = DeliveryId.parse(parts[1]);
        } catch (DeliveryException e) {
            return;
        }
        String name = parts[2];
        Optional<StoredDelivery> row = deliveries.find(id.value());
        if (row.isEmpty() || !row.get().partnerId().equals(account)) {
            LOG.warn("download of {} by {}: no such delivery for this partner", DeliveryFileName.printable(path), account);
            return;
        }
        Path stored = settings.sftpRoot().resolve(account).resolve("outbox").resolve(id.value()).resolve(name);
        try {
            if (!Files.isRegularFile(stored, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            String sha = sha256(stored);
            String expected = expectedSha256(row.get(), name);
            boolean complete = bytesRead >= fileSize && fileSize == Files.size(stored);
            boolean matches = complete && sha.equals(expected);
            deliveries.addRetrieval(new DeliveryRepository.Retrieval(id.value(), account, name, at, bytesRead, fileSize,
                    sha, matches));
            LOG.info("retrieval receipt: {} read {} of {} ({} bytes, {})", account, name, id, bytesRead,
                    matches ? "as delivered" : expected == null ? "not part of the delivery" : "NOT as delivered");
            checkRetrieved(deliveries.find(id.value()).orElseThrow(), account);
        } catch (IOException | DeliveryException e) {
            LOG.error("cannot record the retrieval of {} by {}", DeliveryFileName.printable(path), account, e);
        }
    }

    private void checkRetrieved(StoredDelivery row, String account) {
        if (row.status() != DeliveryStatus.DELIVERED) {
            return;
        }
        try {
            DeliveryManifest m = localManifest(row);
            Set<String> needed = new HashSet<>();
            needed.add(DeliveryFileName.MANIFEST);
            m.files().forEach(f -> needed.add(f.encryptedName()));
            Set<String> read = new HashSet<>();
            long bytes = 0;
            for (DeliveryRepository.Retrieval r : deliveries.retrievals(row.id())) {
                if (r.matchesManifest() && r.account().equals(account) && read.add(r.fileName())) {
                    bytes += r.bytesRead();
                }
            }
            if (read.containsAll(needed) && deliveries.retrieved(row.id(), row.requestId(), account,
                    "retrieved by " + account + " over SFTP: manifest and " + m.files().size() + " encrypted file(s), "
                            + bytes + " bytes, each SHA-256 as delivered", clock.instant())) {
                LOG.info("delivery {} retrieved by {}", row.id(), account);
            }
        } catch (IOException | DeliveryException e) {
            LOG.error("cannot check the retrieval of {}", row.id(), e);
        }
    }

    /** The SHA-256 a file of the delivery must have, from our own copy of the package; null when not part of it. */
    private String expectedSha256(StoredDelivery row, String name) throws IOException, DeliveryException {
        if (DeliveryFileName.MANIFEST.equals(name)) {
            return row.manifestSha256();
        }
        Path dir = DeliveryPackager.directoryFor(settings.deliveriesRoot(), row.partnerId(), DeliveryId.parse(row.id()));
        if (DeliveryFileName.SIGNATURE.equals(name)) {
            return sha256(dir.resolve(DeliveryFileName.SIGNATURE));
        }
        return localManifest(row).files().stream().filter(f -> f.encryptedName().equals(name))
                .map(DeliveryManifest.FileEntry::encryptedSha256).findFirst().orElse(null);
    }

    private DeliveryManifest localManifest(StoredDelivery row) throws IOException, DeliveryException {
        Path dir = DeliveryPackager.directoryFor(settings.deliveriesRoot(), row.partnerId(), DeliveryId.parse(row.id()));
        return DeliveryManifest.parse(Files.readAllBytes(dir.resolve(DeliveryFileName.MANIFEST)));
    }

    // ---------------------------------------------------------------- inputs

    private Partner partner(String id) throws DeliveryException {
        return partners.find(id).orElseThrow(() -> new DeliveryException(DeliveryException.Code.UNKNOWN_PARTNER,
                "Le partenaire " + DeliveryFileName.printable(id) + " est inconnu"));
    }

    /**
     * {@code <extracts>/<request id>/v<version>}, from the validated ids only. An announced {@code extractDir} must
     * be that directory: the message never chooses what is read.
     */
    private Path extractDirectory(DeliveryOrder order) throws DeliveryException, IOException {
        Path expected = settings.extractsRoot().resolve(order.id().requestId()).resolve("v" + order.id().version());
        if (order.extractDir() != null) {
            Path announced;
            try {
                announced = Path.of(order.extractDir());
            } catch (RuntimeException e) {
                throw new DeliveryException(DeliveryException.Code.INVALID_ORDER, "Répertoire d'extraction annoncé illisible");
            }
            boolean same = announced.isAbsolute() && (announced.normalize().equals(expected.toAbsolutePath().normalize())
                    || Files.exists(announced) && Files.exists(expected) && Files.isSameFile(announced, expected));
            if (!same) {
                throw new DeliveryException(DeliveryException.Code.INVALID_ORDER, "Le répertoire d'extraction annoncé "
                        + "n'est pas celui de la demande " + order.id().requestId() + " (version " + order.id().version() + ")");
            }
        }
        return expected;
    }

    private Path adHocDirectory(DeliveryId id) throws DeliveryException {
        Path dir = settings.sendsRoot().resolve(id.adHocReference());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new DeliveryException(DeliveryException.Code.NO_FILES, "Les fichiers de l'envoi ponctuel "
                    + id.adHocReference() + " sont introuvables");
        }
        return dir;
    }

    /** The files of an ad-hoc send: every regular file, temporary dot-names excepted. */
    private static List<Path> adHocFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : regularFiles(dir)) {
            if (!p.getFileName().toString().startsWith(".")) {
                files.add(p);
            }
        }
        files.sort(null);
        return files;
    }

    private static List<Path> regularFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return files; // the packager refuses it with its reason
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(p);
                }
            }
        }
        return files;
    }

    private static long estimatedBytes(List<Path> files) throws IOException {
        long total = 0;
        for (Path p : files) {
            total += Files.size(p) + OVERHEAD_PER_FILE;
        }
        return total + 2 * OVERHEAD_PER_FILE; // manifest and signature
    }

    /** Usage terms of the delivery: the study and diffusion of feuillet 1, the study due (Art. 3) some months later. */
    private UsageTerms.Applied terms(Partner partner, StoredRequest request, DeliveryId id, Instant now)
            throws DeliveryException {
        LocalDate due = LocalDate.ofInstant(now, PARIS).plusMonths(settings.studyDueMonths());
        if (request == null) {
            return UsageTerms.current().forDelivery(partner, "Envoi ponctuel du Bureau d'Études de la CAF de Rouen (réf. "
                    + id.adHocReference() + ")", Feuillet1.Diffusion.INTERNE, due);
        }
        String study = null;
        Feuillet1.Diffusion diffusion = Feuillet1.Diffusion.INTERNE;
        if (request.feuillet1Json() != null) {
            try {
                JsonNode f1 = json.readTree(request.feuillet1Json());
                study = f1.path("study").isTextual() ? f1.path("study").textValue() : null;
                if ("EXTERNE".equals(f1.path("diffusion").asText("").toUpperCase(Locale.ROOT))) {
                    diffusion = Feuillet1.Diffusion.EXTERNE;
                }
            } catch (IOException e) {
                study = null;
            }
        }
        if (study == null || study.isBlank()) {
            throw new DeliveryException(DeliveryException.Code.REQUEST_NOT_DELIVERABLE, "La demande " + request.id()
                    + " n'a pas d'étude envisagée lisible (article 5.3) : les conditions d'usage ne peuvent pas être établies");
        }
        return UsageTerms.current().forDelivery(partner, study, diffusion, due);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
