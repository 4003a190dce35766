package fedgate.intake;

import fedgate.crypto.Sha256;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.fed.FedDocumentReader;
import fedgate.fed.FedReadException;
import fedgate.fed.Feuillet1;
import fedgate.fed.MailFedReader;
import fedgate.fed.MailFedReader.FedMail;
import fedgate.partner.Channel;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.RequestRepository;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import fedgate.validation.RequestValidator;
import fedgate.validation.Submission;
import fedgate.validation.ValidationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One pipeline for every channel: store the raw bytes first (nothing lost), then read the FED, validate it and
 * record the outcome with its acknowledgement. Rejected input stays stored, in quarantine, with its reasons.
 */
public final class IntakeService {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeService.class);
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    /**
     * What the channel route needs to answer: the acknowledgement, and whether it is a replay. {@code ackPending}: a
     * replay by the same mail or SFTP channel of an input whose acknowledgement never left (the mail or SFTP server
     * went away, or the gateway stopped, between storing it and answering): it is answered now, once.
     */
    public record Outcome(Acknowledgement ack, boolean duplicate, String referentEmail, boolean ackPending) {
        public Outcome(Acknowledgement ack, boolean duplicate, String referentEmail) {
            this(ack, duplicate, referentEmail, false);
        }

        public boolean accepted() {
            return ack.accepted();
        }

        public String requestId() {
            return ack.requestId();
        }
    }

    private final RequestRepository requests;
    private final FedDocumentReader documents;
    private final MailFedReader mails;
    private final RequestValidator validator;
    private final PartnerRegistry partners;
    private final ObjectMapper json;
    private final Path quarantineDir;
    private final long maxBytes;
    private final Clock clock;

    public IntakeService(RequestRepository requests, FedDocumentReader documents, MailFedReader mails,
                         RequestValidator validator, PartnerRegistry partners, ObjectMapper json, Path quarantineDir, long maxBytes, Clock clock) {
        this.requests = requests;
        this.documents = documents;
        this.mails = mails;
        this.validator = validator;
        this.partners = partners;
        this.json = json;
        this.quarantineDir = quarantineDir;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public Outcome receive(Inbound in) {
        String sha256 = sha256(in.raw());
        Optional<String> previous = in.channel() == Channel.MAIL
                ? requests.findIdBySourceRef(Channel.MAIL.name(), in.sourceRef()).or(() -> requests.findIdBySha256(sha256))
                : requests.findIdBySha256(sha256);
        if (previous.isEmpty()) {
            Optional<String> created = requests.insertReceived(new RequestRepository.NewRequest(in.channel().name(),
                    in.sourceRef(), in.principal(), in.fileName(), in.receivedAt(), sha256, in.raw()), actor(in));
            if (created.isPresent()) {
                try (RequestIdInMdc ignored = new RequestIdInMdc(created.get())) {
                    LOG.info("{} received by {} ({} bytes, sha256 {})", created.get(), in.channel(), in.raw().length,
                            sha256);
                    return process(created.get(), in);
                }
            }
            previous = requests.findIdBySha256(sha256); // another instance stored the same input first
        }
        String id = previous.orElseThrow(() -> new IllegalStateException("request vanished after insert"));
        try (RequestIdInMdc ignored = new RequestIdInMdc(id)) {
            return known(id, in);
        }
    }

    /** An input already stored: resumed when it never got its verdict, else a duplicate acknowledged once. */
    private Outcome known(String id, Inbound in) {
        StoredRequest stored = requests.find(id).orElseThrow();
        if (stored.status() == RequestStatus.RECEIVED) {
            // stored before a crash but never validated: finish it now rather than call it a duplicate
            LOG.info("{} resumed: received before a restart, validating now", id);
            return process(id, in);
        }
        boolean ackPending = stored.ackSentAt() == null && in.channel().name().equals(stored.channel())
                && (in.channel() == Channel.MAIL || in.channel() == Channel.SFTP);
        if (ackPending) {
            LOG.info("{} read again by {} (source {}) before its acknowledgement left: acknowledging it now", id,
                    in.channel(), in.channel() == Channel.MAIL ? "Message-ID" : "content hash");
        } else {
            LOG.info("{} duplicate input by {} (source {}), acknowledged once already", id, in.channel(),
                    in.channel() == Channel.MAIL ? "Message-ID" : "content hash");
        }
        requests.addHistory(id, stored.status(), actor(in), "duplicate received by " + in.channel()
                + " and ignored (same " + (in.channel() == Channel.MAIL ? "Message-ID or " : "") + "content)",
                "request.duplicate");
        return ackPending ? new Outcome(readAck(stored), true, referentOf(stored), true)
                : new Outcome(readAck(stored).asDuplicate(), true, referentOf(stored));
    }

    /**
     * Crash recovery, run periodically: a request stored but not validated before a stop is validated now
     * from its stored bytes; returns the VALIDATED requests that never reached the next stage's queue.
     * Only requests older than a minute are touched, so work in flight is left to its own thread.
     */
    public List<String> resume() {
        java.time.Instant before = clock.instant().minusSeconds(60);
        for (StoredRequest r : requests.withStatus(RequestStatus.RECEIVED)) {
            if (r.receivedAt().isBefore(before)) {
                try (RequestIdInMdc ignored = new RequestIdInMdc(r.id())) {
                    LOG.info("{} resumed after restart: validating from stored bytes", r.id());
                    process(r.id(), new Inbound(Channel.valueOf(r.channel()), r.sourceRef(), r.principal(),
                            r.principal() != null, r.fileName(), null, requests.raw(r.id()), r.receivedAt()));
                }
            }
        }
        return requests.notForwarded(RequestStatus.VALIDATED).stream()
                .filter(r -> r.receivedAt().isBefore(before))
                .map(StoredRequest::id)
                .toList();
    }

    private Outcome process(String id, Inbound in) {
        StoredRequest stored = requests.find(id).orElseThrow();
        List<Acknowledgement.Reason> reasons = new ArrayList<>();
        Feuillet1 canonical = null;
        String partnerId = null;
        String referentEmail = null;
        try {
            Feuillet1 draft;
            String principal = in.principal();
            checkEnvelope(in);
            if (in.channel() == Channel.MAIL) {
                FedMail mail = mails.read(in.raw());
                principal = mail.fromAddress();
                draft = mail.draft();
                for (MailFedReader.Attachment a : mail.attachments()) {
                    checkFileName(a.name());
                }
            } else {
                draft = documents.read(in.raw(), in.fileName(), in.contentType());
            }
            ValidationResult result = validator.validate(draft,
                    new Submission(in.channel(), principal, in.authenticated(), null),
                    LocalDate.ofInstant(in.receivedAt(), PARIS));
            result.reasons().forEach(r -> reasons.add(new Acknowledgement.Reason(r.code().name(), r.text(),
                    r.field(), r.blocking())));
            canonical = result.feuillet();
            partnerId = result.partnerOpt().map(Partner::id).orElse(null);
            referentEmail = result.partnerOpt().map(p -> p.referent().email()).orElse(null);
        } catch (FedReadException e) {
            LOG.warn("{} unreadable: {}", id, e.getMessage());
            reasons.add(new Acknowledgement.Reason(e.code().name(), e.reasonFr(), null, true));
        } catch (RejectedEnvelope e) {
            LOG.warn("{} rejected before reading: {}", id, e.getMessage());
            reasons.add(e.reason);
        }
        boolean accepted = reasons.stream().noneMatch(Acknowledgement.Reason::blocking);
        RequestStatus status = accepted ? RequestStatus.VALIDATED : RequestStatus.REJECTED;
        Acknowledgement ack = new Acknowledgement(Acknowledgement.TYPE, id, partnerId, in.channel().name(),
                in.sourceRef(), stored.receivedAt(), stored.sha256(), stored.sizeBytes(), accepted, status.name(),
                List.copyOf(reasons), false);
        requests.complete(id, partnerId, status, write(reasons), canonical == null ? null : write(canonical),
                write(ack), "gateway", accepted ? "validated" : "rejected: " + codes(reasons));
        if (!accepted) {
            quarantine(id, reasons);
        }
        LOG.info("{} {} (partner {}){}", id, status, partnerId == null ? "unknown" : partnerId,
                accepted ? "" : " reasons " + codes(reasons));
        return new Outcome(ack, false, referentEmail);
    }

    /** Checks on the envelope, before any parser sees the bytes. */
    private void checkEnvelope(Inbound in) throws RejectedEnvelope {
        if (in.raw().length > maxBytes) {
            throw new RejectedEnvelope("TOO_LARGE", String.format("Le document reçu (%d octets) dépasse la taille "
                    + "maximale acceptée (%d octets). Merci de transmettre un formulaire plus léger.",
                    in.raw().length, maxBytes), "input of " + in.raw().length + " bytes over " + maxBytes);
        }
        checkFileName(in.fileName());
    }

    private static void checkFileName(String name) throws RejectedEnvelope {
        if (name != null && !SafeFileName.isSafe(name)) {
            throw new RejectedEnvelope("UNSAFE_FILE_NAME", "Le nom du fichier reçu n'est pas accepté (chemin, "
                    + "« .. » ou caractères de contrôle). Merci de le renommer, par exemple « demande-fed.json ».",
                    "unsafe file name " + SafeFileName.printable(name));
        }
    }

    /** A copy for the operator, named by request id only (never by anything the sender chose). */
    private void quarantine(String id, List<Acknowledgement.Reason> reasons) {
        try {
            Files.createDirectories(quarantineDir);
            Files.write(quarantineDir.resolve(id + ".bin"), requests.raw(id));
            StringBuilder text = new StringBuilder(id).append('\n');
            reasons.forEach(r -> text.append(r.code()).append(": ").append(r.text()).append('\n'));
            Files.writeString(quarantineDir.resolve(id + ".reason.txt"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the input is safe in the database; the file copy is a convenience for operators
            LOG.error("{} could not write quarantine copy under {}", id, quarantineDir, e);
        }
    }

    private Acknowledgement readAck(StoredRequest stored) {
        try {
            return json.readValue(stored.ackJson(), Acknowledgement.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String referentOf(StoredRequest stored) {
        return stored.partnerId() == null ? null
                : partners.find(stored.partnerId()).map(p -> p.referent().email()).orElse(null);
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String codes(List<Acknowledgement.Reason> reasons) {
        return reasons.stream().filter(Acknowledgement.Reason::blocking).map(Acknowledgement.Reason::code).toList()
                .toString();
    }

    private static String actor(Inbound in) {
        return in.channel().name().toLowerCase() + ":" + (in.principal() == null ? "?" : in.principal());
    }

    public static String sha256(byte[] bytes) {
        return Sha256.hex(bytes);
    }

    private static final class RejectedEnvelope extends Exception {
        private final Acknowledgement.Reason reason;

        RejectedEnvelope(String code, String reasonFr, String message) {
            super(message);
            this.reason = new Acknowledgement.Reason(code, reasonFr, null, true);
        }
    }

    /**
     * The request id in the logging MDC ({@code requestId}, the key of {@code fedgate.app.ops.RequestIdMdc}) from
     * the moment the input is stored, so that the intake's own lines (received, verdict) carry it like every later
     * step's; the previous value is put back on close.
     */
    private static final class RequestIdInMdc implements AutoCloseable {
        private static final String KEY = "requestId";
        private final String previous = org.slf4j.MDC.get(KEY);

        RequestIdInMdc(String id) {
            org.slf4j.MDC.put(KEY, id);
        }

        @Override
        public void close() {
            if (previous == null) {
                org.slf4j.MDC.remove(KEY);
            } else {
                org.slf4j.MDC.put(KEY, previous);
            }
        }
    }
}
