package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.decision.SocleService;
import fedgate.decision.SocleService.PartnerRun;
import fedgate.decision.StatusEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The thin Camel-facing adapter of {@code routes/socle.camel.yaml}: the timer asks {@link #due()}; a run (timer,
 * {@code POST /api/socle/run}, {@code fedgate socle run}) creates and approves the socle requests, and the route sends
 * their status events and puts them on {@code fed.decided} — feuillet 2, extract and delivery follow as for any
 * request.
 */
public final class SocleEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(SocleEndpoints.class);
    public static final String YEAR = "fedgateSocleYear";
    public static final String RUN = "fedgateSocleRun";
    public static final String QUEUE_DECIDED = "fedgateQueueDecided";

    private final SocleService service;
    private final boolean automatic;
    private final PipelineEndpoints pipeline;
    private volatile ProducerTemplate template;

    /** @param automatic {@code fedgate.socle.auto}: whether the timer runs the socle when it is due */
    public SocleEndpoints(SocleService service, boolean automatic, PipelineEndpoints pipeline) {
        this.service = service;
        this.automatic = automatic;
        this.pipeline = pipeline;
    }

    public void attach(CamelContext camel) {
        this.template = camel.createProducerTemplate();
    }

    /** The timer's check: automatic runs on, the configured day reached, a partner in force without this year's. */
    public boolean due() {
        return automatic && service.isDue();
    }

    /** Runs the socle (of {@link #YEAR} when set, else this year); the body becomes the partner runs to send. */
    public List<PartnerRun> run(Exchange ex) {
        Integer year = ex.getProperty(YEAR, Integer.class);
        SocleService.Run run = year == null ? service.run() : service.run(year);
        ex.setProperty(RUN, run);
        run.partners().forEach(p -> LOG.info("socle {} for {}: {}{}", run.year(), p.partnerId(), p.outcome(),
                p.requestId() == null ? "" : " (" + p.requestId() + ")"));
        return run.partners().stream().filter(p -> p.queueDecided() || !p.events().isEmpty()).toList();
    }

    /** One partner's run (the split's body): properties for {@code direct:status-events} and {@code queue-decided}. */
    public void partnerRun(Exchange ex) {
        PartnerRun p = ex.getIn().getBody(PartnerRun.class);
        List<String> events = new ArrayList<>();
        for (StatusEvent e : p.events()) {
            events.add(pipeline.service().write(e));
        }
        ex.setProperty(PipelineEndpoints.REQUEST_ID_PROPERTY, p.requestId());
        ex.setProperty(PipelineEndpoints.PARTNER, p.partnerId());
        ex.setProperty(PipelineEndpoints.STATUS_EVENTS, events);
        ex.setProperty(QUEUE_DECIDED, p.queueDecided());
    }

    /** A run by hand (HTTP API): through the same route, so the same messages follow. */
    SocleService.Run runNow(Integer year) {
        ProducerTemplate t = template;
        if (t == null) {
            throw new IllegalStateException("socle not attached to Camel yet");
        }
        Exchange done = t.send("direct:socle-run", e -> e.setProperty(YEAR, year));
        if (done.getException() != null) {
            throw new IllegalStateException("the socle run failed", done.getException());
        }
        return done.getProperty(RUN, SocleService.Run.class);
    }

    static ObjectNode toJson(SocleService.Run run, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        n.put("year", run.year());
        ArrayNode a = n.putArray("partners");
        for (PartnerRun p : run.partners()) {
            a.addObject().put("partnerId", p.partnerId()).put("requestId", p.requestId())
                    .put("outcome", p.outcome().name()).put("note", p.note());
        }
        return n;
    }
}
