package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.decision.Feuillet2;
import fedgate.decision.Feuillet2Pdf;
import fedgate.decision.PipelineService;
import fedgate.decision.StatusEvent;
import fedgate.extract.ExtractEngine;
import fedgate.extract.Geography;
import fedgate.extract.SnapshotGenerator;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.PipelineRepository;
import fedgate.state.RequestRepository;
import fedgate.state.RequestStatus;
import jakarta.activation.DataHandler;
import jakarta.mail.util.ByteArrayDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The thin Camel-facing adapter of the pipeline routes ({@code assess}, {@code decide}, {@code extract},
 * {@code events}): reads the request id of a stage message, calls {@link PipelineService}, and leaves what the
 * route sends next in exchange properties (never headers: they would leak into mails and JMS messages).
 */
public final class PipelineEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineEndpoints.class);
    private static final Pattern REQUEST_ID = Pattern.compile("FED-\\d{4}-\\d{6}");

    public static final String REQUEST_ID_PROPERTY = IntakeEndpoints.REQUEST_ID;
    public static final String PARTNER = IntakeEndpoints.PARTNER;
    public static final String STATUS_EVENTS = "fedgateStatusEvents";
    /** Status events sent again once, outside the transaction, on a redelivered order ({@link Keyed}). */
    public static final String STATUS_EVENTS_AGAIN = "fedgateStatusEventsAgain";
    public static final String DECIDED = "fedgateDecided";
    public static final String SEND_FEUILLET2 = "fedgateSendFeuillet2";
    public static final String QUEUE_EXTRACT = "fedgateQueueExtract";
    public static final String FEUILLET2 = "fedgateFeuillet2";
    public static final String REFERENT = "fedgateReferent";
    public static final String DELIVER = "fedgateDeliver";

    private final PipelineService service;
    private final PartnerRegistry partners;
    private final ObjectMapper json;
    private final Feuillet2Pdf pdf = new Feuillet2Pdf();
    private volatile ProducerTemplate template;

    public PipelineEndpoints(PipelineService service, PartnerRegistry partners, ObjectMapper json) {
        this.service = service;
        this.partners = partners;
        this.json = json;
    }

    /**
     * The pipeline of a gateway: the snapshot (generated once when missing and
     * {@code fedgate.snapshot.generate-if-missing} is set, as in the embedded default), the extract engine on the
     * Métropole geography, extracts under {@code $FEDGATE_HOME/data/extracts}.
     */
    public static PipelineEndpoints create(GatewayConfig config, DataSource dataSource, RequestRepository requests,
                                           PartnerRegistry partners, ObjectMapper json, Clock clock)
            throws IOException, SQLException {
        Path snapshot = config.path("fedgate.snapshot.path");
        if (Files.isRegularFile(snapshot)) {
            LOG.info("allocataire snapshot: {}", snapshot);
        } else if (config.flag("fedgate.snapshot.generate-if-missing")) {
            SnapshotGenerator.Result r = SnapshotGenerator.generate(Geography.metropoleRouen(),
                    Long.parseLong(config.get("fedgate.snapshot.sample-households")),
                    Integer.parseInt(config.get("fedgate.snapshot.sample-year")),
                    Long.parseLong(config.get("fedgate.snapshot.sample-seed")), snapshot);
            LOG.info("allocataire snapshot: {} (synthetic sample generated: {} households in {} ms)", snapshot,
                    r.households(), r.millis());
        } else {
            LOG.warn("allocataire snapshot {} is missing: assessments and extracts fail until it exists", snapshot);
        }
        PipelineService.Settings settings = new PipelineService.Settings(snapshot,
                config.path("fedgate.delivery.extracts-dir"), config.get("fedgate.caf.name"),
                new Feuillet2.Referent(config.get("fedgate.caf.referent.name"),
                        config.get("fedgate.caf.referent.phone", null), config.get("fedgate.caf.referent.email", null)),
                config.flag("fedgate.decision.auto-approve"));
        LOG.info("decisions: auto-approve of requests covered by the socle is {}",
                settings.autoApprove() ? "ON" : "off");
        PipelineService service = new PipelineService(settings, requests, new PipelineRepository(dataSource, requests),
                partners, ExtractEngine.metropoleRouen(), json, clock);
        return new PipelineEndpoints(service, partners, json);
    }

    /** Lets the HTTP API put decisions on the broker; called once Camel has started. */
    public void attach(CamelContext camel) {
        this.template = camel.createProducerTemplate();
    }

    public PipelineService service() {
        return service;
    }

    // ------------------------------------------------------------------ assess

    public void assess(Exchange ex) throws SQLException {
        String id = requestIdOf(ex);
        PipelineService.Assessment a = service.assess(id);
        ex.setProperty(REQUEST_ID_PROPERTY, a.requestId());
        ex.setProperty(PARTNER, a.partnerId());
        ex.setProperty(STATUS_EVENTS, keyed(a.events(), null));
        ex.setProperty(STATUS_EVENTS_AGAIN, keyed(a.again(), null));
        ex.setProperty(DECIDED, a.decided());
    }

    // ------------------------------------------------------------------ decide / feuillet 2

    /** Puts a decided request on {@code fed.decided} (route {@code queue-decided}); used by the HTTP API. */
    public void queueDecided(String requestId) {
        ProducerTemplate t = template;
        if (t == null) {
            throw new IllegalStateException("pipeline not attached to Camel yet");
        }
        Exchange done = t.send("direct:queue-decided", e -> e.setProperty(REQUEST_ID_PROPERTY, requestId));
        if (done.getException() != null) {
            throw new IllegalStateException("cannot queue the decision of " + requestId, done.getException());
        }
    }

    /** The stage message: the request id only; the request itself is in the state store. */
    public String requestMessage(Exchange ex) {
        String id = ex.getProperty(REQUEST_ID_PROPERTY, String.class);
        if (id == null || !REQUEST_ID.matcher(id).matches()) {
            throw new IllegalStateException("no request id to queue");
        }
        return "{\"requestId\":\"" + id + "\"}";
    }

    public void feuillet2(Exchange ex) {
        String id = requestIdOf(ex);
        ex.setProperty(REQUEST_ID_PROPERTY, id);
        ex.setProperty(SEND_FEUILLET2, false);
        ex.setProperty(QUEUE_EXTRACT, false);
        Optional<PipelineService.Notice> n = service.feuillet2(id);
        if (n.isEmpty()) {
            return;
        }
        PipelineService.Notice notice = n.get();
        ex.setProperty(PARTNER, notice.partnerId());
        ex.setProperty(REFERENT, notice.referentEmail());
        ex.setProperty(FEUILLET2, notice.feuillet2());
        ex.setProperty(STATUS_EVENTS, notice.alreadySent() ? List.of() : events(List.of(notice.event())));
        ex.setProperty(SEND_FEUILLET2, !notice.alreadySent());
        ex.setProperty(QUEUE_EXTRACT, notice.queueExtract());
        if (notice.alreadySent()) {
            LOG.info("{}: feuillet 2 already sent", id);
        }
    }

    /** The feuillet 2 mail: To is the registry's referent, French text, the PDF attached. */
    public void prepareFeuillet2Mail(Exchange ex) {
        Feuillet2 f = ex.getProperty(FEUILLET2, Feuillet2.class);
        String to = Partner.normaliseEmail(ex.getProperty(REFERENT, String.class));
        if (to == null) {
            throw new IllegalStateException(f.requestId() + ": the partner's referent has no valid address");
        }
        ex.setIn(new DefaultMessage(ex));
        ex.getIn().setHeader("To", to);
        ex.getIn().setHeader("Subject", f.subject());
        ex.getIn().setHeader("Content-Type", "text/plain; charset=UTF-8");
        ex.getIn().setBody(f.mailText());
        ex.getIn(AttachmentMessage.class).addAttachment(f.requestId() + "-feuillet2.pdf",
                new DataHandler(new ByteArrayDataSource(pdf.render(f), "application/pdf")));
    }

    /** The feuillet 2 as JSON on the partner's own events queue, correlated by request id. */
    public void prepareFeuillet2Message(Exchange ex) throws IOException {
        Feuillet2 f = ex.getProperty(FEUILLET2, Feuillet2.class);
        ex.setIn(new DefaultMessage(ex));
        ex.getIn().setHeader("JMSCorrelationID", f.requestId());
        ex.getIn().setHeader("JMSType", Feuillet2.TYPE);
        ex.getIn().setHeader("CamelJmsDestinationName", eventsQueue(ex));
        String body = json.writeValueAsString(f);
        // sent again on a redelivery: Artemis drops the copy (route feuillet2). The content is part of the id: a later
        // feuillet 2 of the same request (external diffusion approved, Art. 4) is another message
        ex.getIn().setHeader(DUPLICATE_ID, "fed.feuillet2:" + f.requestId() + ":"
                + fedgate.intake.IntakeService.sha256(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        ex.getIn().setBody(body);
    }

    /** Artemis duplicate detection ({@code Message.HDR_DUPLICATE_DETECTION_ID}). */
    static final String DUPLICATE_ID = "_AMQ_DUPL_ID";

    /**
     * A status event sent outside the stage's transaction (route feuillet2): its duplicate-detection id is the request
     * and the event's content (built from the state store, so the same on a redelivery), so a copy is dropped.
     */
    public void prepareStatusEventOnce(Exchange ex) {
        String body = ex.getIn().getBody(String.class);
        prepareStatusEvent(ex);
        ex.getIn().setHeader(DUPLICATE_ID, "fed.status:" + ex.getProperty(REQUEST_ID_PROPERTY, String.class) + ":"
                + fedgate.intake.IntakeService.sha256(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public void markFeuillet2Sent(Exchange ex) {
        service.feuillet2Sent(ex.getProperty(FEUILLET2, Feuillet2.class));
    }

    public void markExtractQueued(Exchange ex) {
        String id = ex.getProperty(REQUEST_ID_PROPERTY, String.class);
        service.extractQueued(id);
        LOG.info("{} queued for extract", id);
    }

    /** Crash recovery: decisions recorded whose feuillet 2 never left. */
    public List<String> resumeDecisions() {
        return service.decisionsToNotify();
    }

    public void resumeDecision(Exchange ex) {
        ex.setProperty(REQUEST_ID_PROPERTY, ex.getIn().getBody(String.class));
    }

    // ------------------------------------------------------------------ extract

    public void extract(Exchange ex) throws IOException, SQLException {
        String id = requestIdOf(ex);
        PipelineService.Extraction x = service.extract(id);
        ex.setProperty(REQUEST_ID_PROPERTY, x.requestId());
        ex.setProperty(PARTNER, x.partnerId());
        Integer version = x.delivery().map(PipelineService.Delivery::version).orElse(null);
        ex.setProperty(STATUS_EVENTS, keyed(x.events(), version));
        ex.setProperty(STATUS_EVENTS_AGAIN, keyed(x.again(), version));
        ex.setProperty(DELIVER, x.delivery().map(service::write).orElse(null));
    }

    // ------------------------------------------------------------------ status events

    /**
     * A status event and, for a transition made once per request (VALIDATED, ASSESSED, EXTRACTED of an extract
     * version, FAILED at its stored time), its duplicate-detection id
     * {@code fed.status:<request>:<status>[:v<version> | :<failed at>]}: sent in the stage's
     * transaction the first time, and again outside it (route status-events-again) on a redelivered order, where the
     * broker drops it if the first one was committed. (A duplicate inside a transaction would void the whole
     * transaction: the copies never go in one.)
     */
    public record Keyed(String body, String duplicateId) {
    }

    /** One status event (the split's body: a {@link Keyed} event, or its JSON) to the partner's events queue. */
    public void prepareStatusEvent(Exchange ex) {
        Object in = ex.getIn().getBody();
        Keyed event = in instanceof Keyed k ? k : new Keyed(ex.getIn().getBody(String.class), null);
        String id = ex.getProperty(REQUEST_ID_PROPERTY, String.class);
        ex.setIn(new DefaultMessage(ex));
        ex.getIn().setHeader("JMSCorrelationID", id);
        ex.getIn().setHeader("JMSType", StatusEvent.TYPE);
        ex.getIn().setHeader("CamelJmsDestinationName", eventsQueue(ex));
        if (event.duplicateId() != null) {
            ex.getIn().setHeader(DUPLICATE_ID, event.duplicateId());
        }
        ex.getIn().setBody(event.body());
    }

    /** {@code fed.events.<partner>} for a partner of the registry only (its id is safe in a queue name). */
    private String eventsQueue(Exchange ex) {
        String partner = ex.getProperty(PARTNER, String.class);
        if (partner == null || !Partner.ID_PATTERN.matcher(partner).matches() || partners.find(partner).isEmpty()) {
            throw new IllegalStateException("refusing to send an event for an unknown partner");
        }
        return "fed.events." + partner;
    }

    private List<Keyed> keyed(List<StatusEvent> events, Integer version) {
        List<Keyed> out = new ArrayList<>();
        for (StatusEvent e : events) {
            String key = "fed.status:" + e.requestId() + ":" + e.status();
            String id = switch (RequestStatus.valueOf(e.status())) {
                case VALIDATED, ASSESSED -> key;
                case EXTRACTED -> version == null ? null : key + ":v" + version;
                // a request may fail again after the Bureau d'Études takes it up: each failure has its own time
                case FAILED -> key + ":" + e.at();
                default -> null;
            };
            out.add(new Keyed(service.write(e), id));
        }
        return out;
    }

    private List<String> events(List<StatusEvent> events) {
        List<String> out = new ArrayList<>();
        for (StatusEvent e : events) {
            out.add(service.write(e));
        }
        return out;
    }

    /** The request id of a stage message {@code {"requestId":"FED-…"}}, checked. */
    private String requestIdOf(Exchange ex) {
        String body = ex.getIn().getBody(String.class);
        String id;
        try {
            JsonNode n = json.readTree(body == null ? "" : body);
            id = n == null ? null : n.path("requestId").asText(null);
        } catch (IOException e) {
            id = null;
        }
        if (id == null || !REQUEST_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("stage message without a valid request id");
        }
        Detached.message(ex); // the stage needs nothing else from its order; the consumer's session commits it
        return id;
    }
}
