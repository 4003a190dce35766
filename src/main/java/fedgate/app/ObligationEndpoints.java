package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.ledger.Obligation;
import fedgate.ledger.ObligationService;
import fedgate.ledger.ObligationService.Reminder;
import fedgate.ledger.ObligationService.StudyOutcome;
import fedgate.ledger.StudyRecognizer;
import fedgate.ledger.StudySubmission;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.ObligationRepository;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The thin Camel-facing adapter of the study obligation (Art. 3; {@code routes/obligations.camel.yaml} and the
 * classifier step of the intake routes): tells a study from a FED before the FED reader sees it, hands it to
 * {@link ObligationService}, shapes the acknowledgement (mail to the registry's referent, file in the partner's
 * outbox) and the reminders. Decisions are exchange properties; addresses and paths come from the registry and
 * validated ids, never from the input.
 */
public final class ObligationEndpoints {

    public static final String IS_STUDY = "fedgateStudy";
    public static final String SUBMISSION = "fedgateStudySubmission";
    public static final String OUTCOME = "fedgateStudyOutcome";
    public static final String REPLY_TO = "fedgateStudyReplyTo";
    public static final String OUTBOX = "fedgateStudyOutbox";
    public static final String REMINDER = "fedgateReminder";

    private final ObligationService service;
    private final ObligationRepository obligations;
    private final PartnerRegistry partners;
    private final StudyRecognizer recognizer;
    private final ObjectMapper json;

    public ObligationEndpoints(ObligationService service, ObligationRepository obligations, PartnerRegistry partners,
                               ObjectMapper json) {
        this.service = service;
        this.obligations = obligations;
        this.partners = partners;
        this.json = json;
        this.recognizer = new StudyRecognizer(service::hasOpenObligation, service.maxBytes());
    }

    public ObligationService service() {
        return service;
    }

    // ---------------------------------------------------------------- the classifier of the intake routes

    /** IMAP (the raw message, folder open): a study, or a FED for the intake. */
    public void classifyMail(Exchange ex) throws MessagingException, IOException {
        Message message = ex.getIn().getBody(Message.class);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        message.writeTo(raw);
        classified(ex, recognizer.mail(raw.toByteArray(), service.clock().instant()));
    }

    /** SFTP ({@code <partner>/inbox/<file>} as the gateway's account sees it): {@code etude-FED-…} is a study. */
    public void classifySftp(Exchange ex) {
        String relative = ex.getIn().getHeader(Exchange.FILE_NAME, String.class);
        List<String> parts = relative == null ? List.of() : Arrays.asList(relative.split("/"));
        String partner = parts.size() == 3 && "inbox".equals(parts.get(1)) && partners.find(parts.get(0)).isPresent()
                ? parts.get(0) : null;
        if (partner == null) {
            classified(ex, Optional.empty()); // the FED intake refuses it with its reason
            return;
        }
        byte[] raw = ex.getIn().getBody(byte[].class);
        classified(ex, recognizer.sftp(partner, parts.get(2), raw == null ? new byte[0] : raw,
                service.clock().instant()));
    }

    private static void classified(Exchange ex, Optional<StudySubmission> s) {
        ex.setProperty(IS_STUDY, s.isPresent());
        ex.setProperty(SUBMISSION, s.orElse(null));
    }

    /** Records the study (accepted, or refused and quarantined) and prepares its answers. */
    public void receiveStudy(Exchange ex) {
        StudySubmission s = ex.getProperty(SUBMISSION, StudySubmission.class);
        StudyOutcome o = service.receive(s);
        ex.setProperty(OUTCOME, o);
        ex.setProperty(REPLY_TO, o.duplicate() ? null : Partner.normaliseEmail(o.replyTo()));
        String outbox = null;
        if (!o.duplicate() && o.outboxName() != null && o.partnerId() != null
                && partners.find(o.partnerId()).isPresent()) {
            outbox = o.partnerId() + "/outbox/" + o.outboxName();
        }
        ex.setProperty(OUTBOX, outbox);
        ex.getIn().setBody(o.requestId());
    }

    /** The answer by mail, to the registry's referent only (never to an unverified From). */
    public void prepareStudyMail(Exchange ex) {
        StudyOutcome o = ex.getProperty(OUTCOME, StudyOutcome.class);
        StudySubmission s = ex.getProperty(SUBMISSION, StudySubmission.class);
        DefaultMessage m = new DefaultMessage(ex);
        m.setHeader("To", ex.getProperty(REPLY_TO, String.class));
        m.setHeader("Subject", o.subject());
        m.setHeader("Content-Type", "text/plain; charset=UTF-8");
        if (s != null && s.channel() == fedgate.partner.Channel.MAIL && s.sourceRef() != null
                && s.sourceRef().matches("<[^<>\\s]{1,900}>")) {
            m.setHeader("In-Reply-To", s.sourceRef());
        }
        m.setBody(o.text());
        ex.setIn(m);
    }

    /** The answer in the partner's outbox: {@code <partner>/outbox/etude-FED-…-accuse-reception.txt}. */
    public void prepareStudyFile(Exchange ex) {
        StudyOutcome o = ex.getProperty(OUTCOME, StudyOutcome.class);
        DefaultMessage m = new DefaultMessage(ex);
        m.setHeader(Exchange.FILE_NAME, ex.getProperty(OUTBOX, String.class));
        m.setBody(o.text());
        ex.setIn(m);
    }

    // ---------------------------------------------------------------- reminders

    public List<Reminder> dueReminders() {
        return service.dueReminders();
    }

    /** One reminder (the split's body) as a mail to the partner's registered referent. */
    public void prepareReminderMail(Exchange ex) {
        Reminder r = ex.getIn().getBody(Reminder.class);
        Partner p = partners.find(r.partnerId()).orElseThrow(() -> new IllegalStateException("unknown partner"));
        ex.setProperty(REMINDER, r);
        DefaultMessage m = new DefaultMessage(ex);
        m.setHeader("To", p.referent().email());
        m.setHeader("Subject", r.subject());
        m.setHeader("Content-Type", "text/plain; charset=UTF-8");
        m.setBody(r.text());
        ex.setIn(m);
    }

    public void reminderSent(Exchange ex) {
        service.reminderSent(ex.getProperty(REMINDER, Reminder.class));
    }

    // ---------------------------------------------------------------- HTTP views

    /** {@code GET /api/requests/{id}} → {@code obligation}: the study obligation and the studies received. */
    JsonNode view(String requestId) {
        Optional<Obligation> o = obligations.find(requestId);
        List<ObligationRepository.StoredStudy> studies = obligations.studies(requestId);
        if (o.isEmpty() && studies.isEmpty()) {
            return null;
        }
        ObjectNode n = o.map(this::obligation).orElseGet(json::createObjectNode);
        ArrayNode list = n.putArray("studies");
        for (ObligationRepository.StoredStudy s : studies) {
            list.addObject().put("seq", s.seq()).put("channel", s.channel()).put("sender", s.sender())
                    .put("receivedAt", s.receivedAt().toString()).put("fileName", s.documentName())
                    .put("sha256", s.documentSha256()).put("rawSha256", s.rawSha256()).put("accepted", s.accepted())
                    .put("reasonCode", s.reasonCode()).put("reason", s.reasonText());
        }
        return n;
    }

    /** {@code GET /api/obligations}: every obligation, soonest due first. */
    JsonNode list() {
        ArrayNode a = json.createArrayNode();
        obligations.all().forEach(o -> a.add(obligation(o)));
        return a;
    }

    private ObjectNode obligation(Obligation o) {
        ObjectNode n = json.createObjectNode();
        n.put("requestId", o.requestId());
        n.put("partnerId", o.partnerId());
        n.put("deliveryId", o.deliveryId());
        n.put("dueDate", o.dueDate().toString());
        n.put("status", o.status().name());
        n.put("openedAt", o.openedAt().toString());
        n.put("remindersSent", o.remindersSent());
        n.put("lastReminderAt", o.lastReminderAt() == null ? null : o.lastReminderAt().toString());
        n.put("nextReminderAt", service.policy().next(o).map(Object::toString).orElse(null));
        n.put("fulfilledAt", o.fulfilledAt() == null ? null : o.fulfilledAt().toString());
        return n;
    }
}
