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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
     * What the channel route needs to answer: the acknowledgement, whether it is a replay, and whether the
     * forward to the next stage is already recorded (a broker submission: it commits with the consumption).
     * {@code ackPending}: a replay by the same mail or SFTP channel of an input whose acknowledgement never left (the
     * mail or SFTP server went away, or the gateway stopped, between storing it and answering): it is answered now,
     * once.
     */
    public record Outcome(Acknowledgement ack, boolean duplicate, String referentEmail, boolean forwardRecorded,
                          boolean ackPending) {
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
    private final RequestSignatures signatures;
    private final ObjectMapper json;
    private final Path quarantineDir;
    private final long maxBytes;
    private final Clock clock;

    public IntakeService(RequestRepository requests, FedDocumentReader documents, MailFedReader mails,
                         RequestValidator validator, PartnerRegistry partners, RequestSignatures signatures,
                         ObjectMapper json, Path quarantineDir, long maxBytes, Clock clock) {
        this.requests = requests;
        this.documents = documents;
        this.mails = mails;
        this.validator = validator;
        this.partners = partners;
        this.signatures = signatures;
        this.json = json;
        this.quarantineDir = quarantineDir;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public Outcome receive(Inbound in) {
        String sha256 = sha256(in.raw());
        // a broker submission is almost always new (a redelivery or a partner's resend is the exception): its content
        // hash is not looked up first, which would wait for the database between two group commits, but checked by
        // the write itself (insertDecided comes back empty for content already stored, and the input is then known)
        Optional<String> previous = switch (in.channel()) {
            case MAIL -> requests.findIdBySourceRef(Channel.MAIL.name(), in.sourceRef())
                    .or(() -> requests.findIdBySha256(sha256));
            case BROKER -> Optional.empty();
            default -> requests.findIdBySha256(sha256);
        };
        if (previous.isEmpty()) {
            // read and validate first, then store the input with its verdict in one transaction; if reading fails
            // unexpectedly, the input is stored as RECEIVED before the failure goes on (nothing lost: resumed later)
            Evaluation e;
            try {
                e = evaluate(in);
            } catch (RuntimeException | Error failure) {
                Optional<String> received;
                try {
                    received = storeReceived(in, sha256);
                } catch (RuntimeException storing) {
                    failure.addSuppressed(storing);
                    throw failure;
                }
                received.ifPresent(id -> LOG.error("{} stored as RECEIVED; reading it failed", id));
                // a broker submission already stored (its hash is not looked up before reading): known, as if it had
                // been found first
                Optional<String> stored = received.isEmpty() && in.channel() == Channel.BROKER
                        ? requests.findIdBySha256(sha256) : Optional.empty();
                if (stored.isEmpty()) {
                    throw failure;
                }
                try (RequestIdInMdc ignored = new RequestIdInMdc(stored.get())) {
                    return known(stored.get(), in);
                }
            }
            RequestStatus status = e.accepted() ? RequestStatus.VALIDATED : RequestStatus.REJECTED;
            Instant receivedAt = in.receivedAt().truncatedTo(ChronoUnit.MICROS); // as the database keeps it
            // a broker submission is forwarded in the same broker transaction that consumes it: either both commit,
            // or the submission is still in the broker (redelivered, or in the dead-letter queue for an operator)
            // and forwarded again as a replay — so the forward is recorded with the verdict
            boolean forwardRecorded = e.accepted() && in.channel() == Channel.BROKER;
            Acknowledgement[] ack = new Acknowledgement[1];
            Optional<String> created = requests.insertDecided(new RequestRepository.NewRequest(in.channel().name(),
                    in.sourceRef(), in.principal(), in.fileName(), receivedAt, sha256, in.raw()), actor(in),
                    new RequestRepository.Verdict(e.partnerId(), status, write(e.reasons()),
                            e.canonical() == null ? null : write(e.canonical()), id -> {
                                ack[0] = new Acknowledgement(Acknowledgement.TYPE, id, e.partnerId(),
                                        in.channel().name(), in.sourceRef(), receivedAt, sha256, in.raw().length,
                                        e.accepted(), status.name(), List.copyOf(e.reasons()), false);
                                return write(ack[0]);
                            }, "gateway", e.accepted() ? "validated" : "rejected: " + codes(e.reasons()),
                            forwardRecorded));
            if (created.isPresent()) {
                try (RequestIdInMdc ignored = new RequestIdInMdc(created.get())) {
                    String how = "received by " + in.channel() + " (" + in.raw().length + " bytes, sha256 " + sha256
                            + ")";
                    return verdict(created.get(), how, e, status, ack[0], forwardRecorded);
                }
            }
            previous = requests.findIdBySha256(sha256); // another instance stored the same input first
        }
        String id = previous.orElseThrow(() -> new IllegalStateException("request vanished after insert"));
        try (RequestIdInMdc ignored = new RequestIdInMdc(id)) {
            return known(id, in);
        }
    }

    private Optional<String> storeReceived(Inbound in, String sha256) {
        return requests.insertReceived(new RequestRepository.NewRequest(in.channel().name(), in.sourceRef(),
                in.principal(), in.fileName(), in.receivedAt(), sha256, in.raw()), actor(in));
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
        return ackPending ? new Outcome(readAck(stored), true, referentOf(stored), false, true)
                : new Outcome(readAck(stored).asDuplicate(), true, referentOf(stored), false, false);
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

    /** What reading and validating an input found; no state is touched. */
    private record Evaluation(List<Acknowledgement.Reason> reasons, Feuillet1 canonical, String partnerId,
                              String referentEmail, String warning, String signatureNote) {
        boolean accepted() {
            return reasons.stream().noneMatch(Acknowledgement.Reason::blocking);
        }
    }

    private Evaluation evaluate(Inbound in) {
        List<Acknowledgement.Reason> reasons = new ArrayList<>();
        Feuillet1 canonical = null;
        String partnerId = null;
        String referentEmail = null;
        String warning = null;
        String signatureNote = null;
        try {
            Feuillet1 draft;
            String principal = in.principal();
            checkEnvelope(in);
            RequestSignatures.Check signature;
            if (in.channel() == Channel.MAIL) {
                FedMail mail = mails.read(in.raw());
                principal = mail.fromAddress();
                draft = mail.draft();
                for (MailFedReader.Attachment a : mail.attachments()) {
                    checkFileName(a.name());
                }
                Partner referentOf = partners.findByReferentEmail(principal).orElse(null);
                MailFedReader.SignedAttachment attached = mail.signedAttachment();
                signature = attached != null ? signatures.document(attached.raw(), referentOf)
                        : mail.clearSigned() != null ? signatures.clearSigned(mail.clearSigned(), referentOf)
                        : signatures.mail(in.raw(), referentOf);
                signatureNote = checkSignature(in, principal, signature, reasons);
                if (attached != null) {
                    // the request is the attachment's signed content (read even when refused, for the record)
                    draft = documents.read(signature.content(), attached.innerName(), null);
                }
            } else {
                // the partner whose key may have signed: the authenticated account or broker user only
                Partner sender = in.authenticated() ? partners.find(in.principal()).orElse(null) : null;
                signature = signatures.document(in.raw(), sender);
                signatureNote = checkSignature(in, principal, signature, reasons);
                draft = documents.read(signature.content(), in.fileName(), in.contentType());
            }
            ValidationResult result = validator.validate(draft,
                    new Submission(in.channel(), principal, in.authenticated(), signature.signerFingerprint()),
                    LocalDate.ofInstant(in.receivedAt(), PARIS));
            result.reasons().forEach(r -> reasons.add(new Acknowledgement.Reason(r.code().name(), r.text(),
                    r.field(), r.blocking())));
            canonical = result.feuillet();
            partnerId = result.partnerOpt().map(Partner::id).orElse(null);
            referentEmail = result.partnerOpt().map(p -> p.referent().email()).orElse(null);
        } catch (FedReadException e) {
            warning = "unreadable: " + e.getMessage();
            reasons.add(new Acknowledgement.Reason(e.code().name(), e.reasonFr(), null, true));
        } catch (RejectedEnvelope e) {
            warning = "rejected before reading: " + e.getMessage();
            reasons.add(e.reason);
        }
        return new Evaluation(reasons, canonical, partnerId, referentEmail, warning, signatureNote);
    }

    /** An input stored before its verdict (resumed after a crash): validated now, the verdict recorded. */
    private Outcome process(String id, Inbound in) {
        StoredRequest stored = requests.find(id).orElseThrow();
        Evaluation e = evaluate(in);
        RequestStatus status = e.accepted() ? RequestStatus.VALIDATED : RequestStatus.REJECTED;
        Acknowledgement ack = new Acknowledgement(Acknowledgement.TYPE, id, e.partnerId(), in.channel().name(),
                in.sourceRef(), stored.receivedAt(), stored.sha256(), stored.sizeBytes(), e.accepted(), status.name(),
                List.copyOf(e.reasons()), false);
        requests.complete(id, e.partnerId(), status, write(e.reasons()),
                e.canonical() == null ? null : write(e.canonical()), write(ack), "gateway",
                e.accepted() ? "validated" : "rejected: " + codes(e.reasons()));
        return verdict(id, "validated from its stored bytes", e, status, ack, false);
    }

    /** One line per input and its verdict ({@code how}: by which channel, its size and hash), then warnings. */
    private Outcome verdict(String id, String how, Evaluation e, RequestStatus status, Acknowledgement ack,
                            boolean forwardRecorded) {
        LOG.info("{} {}: {} (partner {}){}", id, how, status, e.partnerId() == null ? "unknown" : e.partnerId(),
                e.accepted() ? "" : " reasons " + codes(e.reasons()));
        if (e.warning() != null) {
            LOG.warn("{} {}", id, e.warning());
        }
        if (e.signatureNote() != null) {
            LOG.info("{} {}", id, e.signatureNote());
        }
        if (!e.accepted()) {
            quarantine(id, e.reasons());
        }
        return new Outcome(ack, false, e.referentEmail(), forwardRecorded, false);
    }

    /**
     * A signature that did not verify is a blocking reason, for every partner (a bad signature is never ignored).
     * Returns the English log line for the request's verdict (the request has no id yet), or null when unsigned.
     */
    private static String checkSignature(Inbound in, String principal, RequestSignatures.Check signature,
                                         List<Acknowledgement.Reason> reasons) {
        if (signature.signed() && signature.refusal() != null) {
            reasons.add(new Acknowledgement.Reason("SIGNATURE_INVALID", "La signature OpenPGP de la demande n'a "
                    + "pas pu être vérifiée : " + lowerFirst(signature.refusal()) + ". Merci de signer le feuillet 1 avec la "
                    + "clé OpenPGP enregistrée pour votre référent et de le renvoyer.", "signature", true));
            return "OpenPGP signature by " + in.channel() + " "
                    + (principal == null ? "unknown sender" : "of " + printable(principal))
                    + " not verified against the partner's pinned key";
        }
        return signature.signed() ? "OpenPGP signature verified, key " + signature.signerFingerprint() : null;
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

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static String printable(String s) {
        return SafeFileName.printable(s.length() > 200 ? s.substring(0, 200) : s);
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
