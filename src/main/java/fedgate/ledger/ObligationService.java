package fedgate.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.intake.SafeFileName;
import fedgate.partner.Channel;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.ObligationRepository;
import fedgate.state.ObligationRepository.NewStudy;
import fedgate.state.RequestRepository;
import fedgate.state.RequestRepository.StoredRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The copy of the study (Art. 3), as plain Java: which reminders are due, and what to do with a study that arrived
 * (recognised by {@link StudyRecognizer} before the FED intake). The routes send the mails and files it prepares.
 */
public final class ObligationService {

    private static final Logger LOG = LoggerFactory.getLogger(ObligationService.class);
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");
    public static final String ACTOR = "fedgate";

    /** A reminder to mail to the partner's registered referent, then to record with {@link #reminderSent}. */
    public record Reminder(String requestId, String partnerId, int number, String to, LocalDate dueDate,
                           boolean overdue, String subject, String text) {
    }

    /**
     * What became of a study.
     *
     * @param replyTo    the registry's referent to answer by mail, or null (a non-referent is never answered: the
     *                   gateway is no spam relay; a duplicate was answered already)
     * @param outboxName for an SFTP drop, the answer's file name in the partner's {@code /outbox}
     *                   ({@code etude-FED-…-accuse-reception.txt}), else null
     */
    public record StudyOutcome(boolean accepted, boolean duplicate, String requestId, String partnerId, String replyTo,
                               String outboxName, String subject, String text, String reasonCode) {
    }

    private final ObligationRepository obligations;
    private final RequestRepository requests;
    private final PartnerRegistry partners;
    private final ReminderPolicy policy;
    private final long maxBytes;
    private final Path quarantineDir;
    private final ObjectMapper json;
    private final Clock clock;

    public ObligationService(ObligationRepository obligations, RequestRepository requests, PartnerRegistry partners,
                             ReminderPolicy policy, long maxBytes, Path quarantineDir, ObjectMapper json, Clock clock) {
        this.obligations = obligations;
        this.requests = requests;
        this.partners = partners;
        this.policy = policy;
        this.maxBytes = maxBytes;
        this.quarantineDir = quarantineDir;
        this.json = json;
        this.clock = clock;
    }

    public ReminderPolicy policy() {
        return policy;
    }

    public Clock clock() {
        return clock;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public boolean hasOpenObligation(String requestId) {
        return requestId != null && obligations.find(requestId).map(Obligation::open).orElse(false);
    }

    // ---------------------------------------------------------------- reminders

    /** The reminders due now: one per open obligation whose next reminder time has come. */
    public List<Reminder> dueReminders() {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, PARIS);
        List<Reminder> out = new ArrayList<>();
        for (Obligation o : obligations.withStatus(Obligation.Status.OPEN)) {
            if (!policy.due(o, now)) {
                continue;
            }
            Optional<Partner> partner = partners.find(o.partnerId());
            if (partner.isEmpty()) {
                LOG.warn("{}: no reminder, partner {} is no longer in the registry", o.requestId(), o.partnerId());
                continue;
            }
            Partner p = partner.get();
            int number = o.remindersSent() + 1;
            boolean overdue = today.isAfter(o.dueDate());
            String study = requests.find(o.requestId()).map(this::study).orElse(null);
            out.add(new Reminder(o.requestId(), p.id(), number, p.referent().email(), o.dueDate(), overdue,
                    ObligationTexts.reminderSubject(o.requestId(), number, overdue),
                    ObligationTexts.reminderBody(p.name(), p.referent().name(), o.requestId(), study, o.openedAt(),
                            o.dueDate(), number, overdue)));
        }
        return out;
    }

    /** The reminder left: counted, with its {@code reminder.sent} ledger event. */
    public void reminderSent(Reminder r) {
        if (obligations.reminderSent(r.requestId(), r.number(), r.to(), r.dueDate(), ACTOR, clock.instant())) {
            LOG.info("{}: reminder {} sent to {} (study due {})", r.requestId(), r.number(), r.to(), r.dueDate());
        } else {
            LOG.info("{}: reminder {} was recorded by another instance, or the study arrived meanwhile",
                    r.requestId(), r.number());
        }
    }

    // ---------------------------------------------------------------- studies

    /** Checks and records a study; never throws for a bad input (it is refused with a French reason). */
    public StudyOutcome receive(StudySubmission s) {
        String rawSha = sha256(s.raw());
        Optional<ObligationRepository.StoredStudy> previous = obligations.findStudyByRawSha256(rawSha);
        if (previous.isPresent()) {
            LOG.info("study input {} received again by {} (same content as study #{}): ignored", rawSha, s.channel(),
                    previous.get().seq());
            return new StudyOutcome(previous.get().accepted(), true, s.namedRequest(), previous.get().partnerId(), null,
                    null, null, null, previous.get().reasonCode());
        }
        String id = s.namedRequest();
        String docSha = s.document() == null ? null : sha256(s.document());
        Long docSize = s.document() == null ? null : (long) s.document().length;
        Optional<Partner> partner = s.channel() == Channel.MAIL ? partners.findByReferentEmail(s.sender())
                : partners.find(s.sftpPartner());
        String actor = s.channel().name().toLowerCase() + ":" + (s.sender() == null ? "?" : s.sender());
        NewStudy row = new NewStudy(id, partner.map(Partner::id).orElse(null), s.channel().name(), s.sender(),
                s.sourceRef(), s.receivedAt(), rawSha, s.raw(), s.documentName(), docSha, docSize);
        if (partner.isEmpty()) {
            String reason = s.channel() == Channel.MAIL
                    ? "L'adresse expéditrice « " + printable(s.sender()) + " » n'est celle d'aucun référent désigné "
                      + "auprès de la CAF de Rouen (article 5.1) : seul le référent désigné peut transmettre "
                      + "l'exemplaire de l'étude."
                    : "Le dépôt n'a pas été fait par le compte SFTP authentifié d'un partenaire.";
            return refuse(row, s, null, "NOT_REFERENT", reason);
        }
        Partner p = partner.get();
        if (s.documentName() == null) {
            return refuse(row, s, p, "NO_DOCUMENT", "Aucune pièce jointe exploitable n'accompagne le message : "
                    + "merci de joindre l'étude (PDF, traitement de texte…).");
        }
        if (!SafeFileName.isSafe(s.documentName())) {
            return refuse(row, s, p, "UNSAFE_FILE_NAME", "Le nom du fichier reçu n'est pas accepté (chemin, « .. » "
                    + "ou caractères de contrôle). Merci de le renommer, par exemple « etude-" + id + ".pdf ».");
        }
        if (s.document() == null || s.document().length > maxBytes) {
            return refuse(row, s, p, "TOO_LARGE", "Le fichier reçu dépasse la taille maximale acceptée ("
                    + maxBytes + " octets). Merci de contacter le Bureau d'Études pour convenir d'un autre envoi.");
        }
        if (s.document().length == 0) {
            return refuse(row, s, p, "EMPTY", "Le fichier reçu est vide.");
        }
        Optional<StoredRequest> request = requests.find(id).filter(r -> p.id().equals(r.partnerId()));
        if (request.isEmpty()) {
            // the same answer whether the id does not exist or belongs to another partner: nothing is revealed
            return refuse(row, s, p, "UNKNOWN_REQUEST", "La demande " + id + " est inconnue ou n'a pas été "
                    + "déposée par " + p.name() + " : vérifiez la référence indiquée.");
        }
        Optional<Obligation> obligation = obligations.find(id);
        if (obligation.isEmpty()) {
            return refuse(row, s, p, "NOT_DELIVERED", "Aucune donnée n'a été livrée pour la demande " + id
                    + " : aucun exemplaire d'étude n'est attendu pour elle.");
        }
        if (!obligation.get().open()) {
            return refuse(row, s, p, "ALREADY_CLOSED", closedReason(id, obligation.get()));
        }
        Optional<Long> seq = obligations.storeAccepted(row, actor, clock.instant());
        if (seq.isEmpty()) {
            return refuse(row, s, p, "ALREADY_CLOSED", closedReason(id, obligations.find(id).orElseThrow()));
        }
        LOG.info("{}: copy of the study received by {} ({} , {} bytes, sha256 {}): obligation fulfilled, request CLOSED",
                id, s.channel(), SafeFileName.printable(s.documentName()), docSize, docSha);
        String study = study(request.get());
        return new StudyOutcome(true, false, id, p.id(), p.referent().email(), outboxName(s),
                ObligationTexts.receivedSubject(id), ObligationTexts.receivedBody(id, study,
                ObligationTexts.channelFr(s.channel().name()), s.documentName(), docSha, docSize, s.receivedAt()),
                null);
    }

    private String closedReason(String id, Obligation o) {
        return "La demande " + id + " est close : un exemplaire de l'étude a déjà été reçu"
                + (o.fulfilledAt() == null ? "" : " le " + DATE.format(o.fulfilledAt().atZone(PARIS))) + ".";
    }

    private StudyOutcome refuse(NewStudy row, StudySubmission s, Partner p, String code, String reasonFr) {
        boolean exists = requests.find(s.namedRequest()).isPresent();
        String actor = s.channel().name().toLowerCase() + ":" + (s.sender() == null ? "?" : s.sender());
        long seq = obligations.storeRejected(row, code, reasonFr, exists, actor);
        quarantine(seq, row, code, reasonFr);
        LOG.warn("study #{} naming {} by {} from {} refused: {}", seq, s.namedRequest(), s.channel(),
                s.sender() == null ? "?" : SafeFileName.printable(s.sender()), code);
        String name = s.documentName() == null || !SafeFileName.isSafe(s.documentName()) ? null : s.documentName();
        return new StudyOutcome(false, false, s.namedRequest(), p == null ? null : p.id(),
                p == null ? null : p.referent().email(), p == null ? null : outboxName(s),
                ObligationTexts.refusedSubject(s.namedRequest()),
                ObligationTexts.refusedBody(s.namedRequest(), name, reasonFr, s.receivedAt()), code);
    }

    /** {@code etude-<request id>-accuse-reception.txt}: the id was matched by {@link StudyRecognizer#REQUEST_ID}. */
    private static String outboxName(StudySubmission s) {
        if (s.channel() != Channel.SFTP || !StudyRecognizer.REQUEST_ID.matcher(s.namedRequest()).matches()) {
            return null;
        }
        return "etude-" + s.namedRequest() + "-accuse-reception.txt";
    }

    /** A copy for the operator, named by the study's number only (never by anything the sender chose). */
    private void quarantine(long seq, NewStudy row, String code, String reasonFr) {
        try {
            Files.createDirectories(quarantineDir);
            Files.write(quarantineDir.resolve("ETUDE-" + seq + ".bin"), row.raw());
            Files.writeString(quarantineDir.resolve("ETUDE-" + seq + ".reason.txt"), "ETUDE-" + seq + " (demande "
                    + row.namedRequest() + ", " + row.channel() + ")\n" + code + ": " + reasonFr + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.error("study #{} could not write its quarantine copy under {}", seq, quarantineDir, e);
        }
    }

    private String study(StoredRequest r) {
        if (r.feuillet1Json() == null) {
            return null;
        }
        try {
            JsonNode f1 = json.readTree(r.feuillet1Json());
            return f1.path("study").isTextual() ? f1.path("study").textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String printable(String s) {
        return s == null ? "" : SafeFileName.printable(s);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
