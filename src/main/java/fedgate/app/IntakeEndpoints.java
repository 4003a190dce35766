package fedgate.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.intake.Acknowledgement;
import fedgate.intake.AcknowledgementText;
import fedgate.intake.Inbound;
import fedgate.intake.IntakeService;
import fedgate.partner.Channel;
import fedgate.partner.PartnerRegistry;
import fedgate.state.RequestRepository;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * The thin Camel-facing adapter of the intake routes: turns what each channel delivers into an {@link Inbound},
 * hands it to {@link IntakeService}, and exposes the outcome as exchange properties the YAML
 * routes branch on (properties, unlike headers, never leak into a mail, a JMS message or a file).
 */
public final class IntakeEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeEndpoints.class);

    public static final String REQUEST_ID = "fedgateRequestId";
    public static final String ACCEPTED = "fedgateAccepted";
    public static final String DUPLICATE = "fedgateDuplicate";
    /** A replay whose acknowledgement never left: the channel route acknowledges it now. */
    public static final String ACK_PENDING = "fedgateAckPending";
    public static final String PARTNER = "fedgatePartner";
    public static final String REFERENT = "fedgateReferent";
    public static final String CHANNEL = "fedgateChannel";
    public static final String ACK_JSON = "fedgateAckJson";
    public static final String ACK_TEXT = "fedgateAckText";
    public static final String SOURCE_REF = "fedgateSourceRef";
    public static final String CORRELATION = "fedgateCorrelationId";
    public static final String BROKER_USER = "fedgateBrokerUser";
    public static final String REPLY = "fedgateReply";
    /** The JMSReplyTo a broker submission named (only compared with the partner's own queue, never used). */
    public static final String REPLY_TO = "fedgateReplyTo";
    /** The forward to the next stage was recorded with the verdict (broker: it commits with the consumption). */
    public static final String FORWARD_RECORDED = "fedgateForwardRecorded";

    private final IntakeService intake;
    private final RequestRepository requests;
    private final PartnerRegistry partners;
    private final ObjectMapper json;
    private final Clock clock;

    public IntakeEndpoints(IntakeService intake, RequestRepository requests, PartnerRegistry partners,
                           ObjectMapper json, Clock clock) {
        this.intake = intake;
        this.requests = requests;
        this.partners = partners;
        this.json = json;
        this.clock = clock;
    }

    /** IMAP: the raw message (camel-mail with mapMailMessage=false), read while its folder is open. */
    public void receiveMail(Exchange ex) throws MessagingException, IOException {
        Message message = ex.getIn().getBody(Message.class);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        message.writeTo(raw);
        String[] ids = message.getHeader("Message-ID");
        String messageId = ids == null || ids.length == 0 ? null : ids[0].trim();
        receive(ex, new Inbound(Channel.MAIL, messageId, null, true, null, "message/rfc822", raw.toByteArray(),
                clock.instant()));
        // The request is stored: from here on nothing may need the IMAP connection (a mail server gone away while the
        // acknowledgement was prepared failed a stored request); the mail is marked seen by the consumer.
        Detached.message(ex);
    }

    /**
     * SFTP: the gateway's account sees {@code <partner>/inbox/<file>}; the partner is the directory the
     * server put the file in (the server authenticated that account), checked against the registry.
     */
    public void receiveSftp(Exchange ex) {
        byte[] raw = ex.getIn().getBody(byte[].class);
        String relative = ex.getIn().getHeader(Exchange.FILE_NAME, String.class);
        List<String> parts = Arrays.asList(relative.split("/"));
        String partner = parts.size() == 3 && "inbox".equals(parts.get(1)) && partners.find(parts.get(0)).isPresent()
                ? parts.get(0) : null;
        String fileName = parts.get(parts.size() - 1);
        receive(ex, new Inbound(Channel.SFTP, fileName, partner, partner != null, fileName, null, raw,
                clock.instant()));
    }

    /** Broker: the validated user Artemis stamped on the message is the partner. */
    public void receiveBroker(Exchange ex) {
        byte[] raw = ex.getIn().getBody(byte[].class);
        if (raw == null) {
            raw = new byte[0];
        }
        String user = validatedUser(ex);
        String messageId = ex.getIn().getHeader("JMSMessageID", String.class);
        String correlation = ex.getIn().getHeader("JMSCorrelationID", String.class);
        Object replyTo = ex.getIn().getHeader("JMSReplyTo");
        receive(ex, new Inbound(Channel.BROKER, messageId, user, user != null, null, "application/json", raw,
                clock.instant()));
        ex.setProperty(CORRELATION, correlation != null ? correlation : messageId);
        ex.setProperty(BROKER_USER, user);
        ex.setProperty(REPLY_TO, replyTo);
        Detached.message(ex); // everything the route needs is read; the consumer's session commits the message
    }

    private static String queueName(jakarta.jms.Queue q) {
        try {
            return q.getQueueName();
        } catch (jakarta.jms.JMSException e) {
            return null;
        }
    }

    /** The user Artemis authenticated and stamped on the message (the JMS client hides _AMQ_ properties). */
    private static String validatedUser(Exchange ex) {
        JmsMessage in = ex.getIn(JmsMessage.class);
        try {
            return in == null || in.getJmsMessage() == null ? null
                    : in.getJmsMessage().getStringProperty("_AMQ_VALIDATED_USER");
        } catch (jakarta.jms.JMSException e) {
            throw new IllegalStateException("cannot read the validated user of a broker message", e);
        }
    }

    /**
     * The broker acknowledgement goes to the sending partner's own events queue, whatever reply-to the message
     * named: a partner cannot make the gateway write into another partner's queue. It carries the correlation
     * id of the submission (its JMSCorrelationID, else its JMSMessageID).
     */
    public void prepareBrokerReply(Exchange ex) {
        String user = ex.getProperty(BROKER_USER, String.class);
        ex.setProperty(REPLY, false);
        if (user == null || partners.find(user).isEmpty()) {
            LOG.warn("broker submission by {} not answered: not a partner", user == null ? "unknown user" : user);
            return;
        }
        Object replyTo = ex.getProperty(REPLY_TO);
        String events = "fed.events." + user;
        if (replyTo != null && !(replyTo instanceof jakarta.jms.Queue q && events.equals(queueName(q)))) {
            LOG.warn("broker submission by {} named reply-to {}: answered on {} instead", user, replyTo, events);
        }
        String correlation = ex.getProperty(CORRELATION, String.class);
        String ack = ex.getProperty(ACK_JSON, String.class);
        ex.getIn().removeHeaders("*");
        ex.getIn().setHeader("JMSCorrelationID", correlation);
        ex.getIn().setHeader("JMSType", "fed.acknowledgement");
        ex.getIn().setHeader("CamelJmsDestinationName", events);
        ex.getIn().setBody(ack);
        ex.setProperty(REPLY, true);
    }

    private void receive(Exchange ex, Inbound in) {
        IntakeService.Outcome outcome = intake.receive(in);
        Acknowledgement ack = outcome.ack();
        // setProperty, not getProperties().put: a null (no partner, no referent) removes the property
        ex.setProperty(REQUEST_ID, ack.requestId());
        ex.setProperty(ACCEPTED, ack.accepted());
        ex.setProperty(DUPLICATE, outcome.duplicate());
        ex.setProperty(FORWARD_RECORDED, outcome.forwardRecorded());
        ex.setProperty(ACK_PENDING, outcome.ackPending());
        ex.setProperty(PARTNER, ack.partnerId());
        ex.setProperty(REFERENT, outcome.referentEmail());
        ex.setProperty(CHANNEL, in.channel().name());
        ex.setProperty(SOURCE_REF, in.sourceRef());
        ex.setProperty(ACK_JSON, write(ack));
        ex.setProperty(ACK_TEXT, AcknowledgementText.body(ack, in.channel()));
        ex.getIn().setBody(outcome.requestId());
    }

    /** Prepares the reply mail: To is the registry's referent address, never an address read from the mail. */
    public void prepareAckMail(Exchange ex) {
        Acknowledgement ack = read(ex.getProperty(ACK_JSON, String.class));
        String inReplyTo = ex.getProperty(SOURCE_REF, String.class);
        String to = ex.getProperty(REFERENT, String.class);
        String text = ex.getProperty(ACK_TEXT, String.class);
        ex.getIn().removeHeaders("*");
        ex.getIn().setHeader("To", to);
        ex.getIn().setHeader("Subject", AcknowledgementText.subject(ack));
        if (inReplyTo != null && inReplyTo.matches("<[^<>\\s]{1,900}>")) {
            ex.getIn().setHeader("In-Reply-To", inReplyTo);
        }
        ex.getIn().setHeader("Content-Type", "text/plain; charset=UTF-8");
        ex.getIn().setBody(text);
    }

    public String outboxTextPath(Exchange ex) {
        return outboxPath(ex, "txt");
    }

    public String outboxJsonPath(Exchange ex) {
        return outboxPath(ex, "json");
    }

    /** The relative path of an acknowledgement in the partner's outbox, from registry id and request id only. */
    private String outboxPath(Exchange ex, String extension) {
        String partner = ex.getProperty(PARTNER, String.class);
        String id = ex.getProperty(REQUEST_ID, String.class);
        if (partners.find(partner).isEmpty() || !id.matches("FED-\\d{4}-\\d{6}")) {
            throw new IllegalStateException("refusing to build an outbox path for an unknown partner");
        }
        return partner + "/outbox/" + id + "-accuse-reception." + extension;
    }

    public void markAckSent(Exchange ex) {
        requests.markAckSent(ex.getProperty(REQUEST_ID, String.class));
    }

    /** The message the next stage consumes: the request id only; the request itself is in the state store. */
    public String validatedMessage(Exchange ex) {
        String id = ex.getProperty(REQUEST_ID, String.class);
        return "{\"requestId\":\"" + id + "\"}";
    }

    public void markForwarded(Exchange ex) {
        String id = ex.getProperty(REQUEST_ID, String.class);
        if (Boolean.TRUE.equals(ex.getProperty(FORWARD_RECORDED, Boolean.class))) {
            // a broker submission: the forward commits with its consumption, the intake line said VALIDATED
            LOG.debug("{} queued for assessment", id);
        } else {
            requests.markForwarded(id);
            LOG.info("{} queued for assessment", id);
        }
    }

    /** Crash recovery: finishes requests stored but never validated; returns the ids still to be queued. */
    public List<String> resume() {
        return intake.resume();
    }

    public void resumeHeaders(Exchange ex) {
        String id = ex.getIn().getBody(String.class);
        ex.setProperty(REQUEST_ID, id);
        ex.setProperty(ACCEPTED, true);
        ex.setProperty(DUPLICATE, false);
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Acknowledgement read(String s) {
        try {
            return json.readValue(s, Acknowledgement.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
