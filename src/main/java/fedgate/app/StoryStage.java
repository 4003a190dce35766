package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.decision.SocleService;
import fedgate.delivery.DeliveryService;
import fedgate.extract.Geography;
import fedgate.extract.IndicatorCatalogue;
import fedgate.ledger.AuditLedger;
import fedgate.ledger.ObligationService;
import fedgate.ledger.ReminderPolicy;
import fedgate.partner.PartnerRegistry;
import fedgate.state.ObligationRepository;
import fedgate.state.RequestRepository;
import fedgate.state.SocleRepository;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.MonthDay;

/**
 * Wires the end of a request's story (docs/story.md): the study obligation opened by each first delivery, its
 * reminders and the studies received (Art. 3), and the yearly socle (Art. 1.2.1). {@code clock} drives reminders and
 * the socle's schedule, so a test can move time instead of waiting.
 */
final class StoryStage {

    private static final Logger LOG = LoggerFactory.getLogger(StoryStage.class);

    final ObligationEndpoints obligations;
    final SocleEndpoints socle;

    private StoryStage(ObligationEndpoints obligations, SocleEndpoints socle) {
        this.obligations = obligations;
        this.socle = socle;
    }

    static StoryStage create(GatewayConfig config, DataSource dataSource, AuditLedger ledger,
                             RequestRepository requests, PartnerRegistry partners, DeliveryService delivery,
                             PipelineEndpoints pipeline, ObjectMapper json, Clock clock) {
        ObligationRepository repository = new ObligationRepository(dataSource, requests, ledger);
        delivery.onDelivered(repository.openOnDelivery());
        ReminderPolicy policy = ReminderPolicy.parse(config.get("fedgate.obligation.first-reminder-before-due"),
                config.get("fedgate.obligation.reminder-interval"));
        ObligationService service = new ObligationService(repository, requests, partners, policy,
                config.bytes("fedgate.obligation.study-max-bytes"), config.home().resolve("quarantine"), json, clock);
        MonthDay date = MonthDay.parse(config.get("fedgate.socle.date").strip());
        boolean auto = config.flag("fedgate.socle.auto");
        SocleService socle = new SocleService(new SocleRepository(dataSource, requests), requests, pipeline.service(),
                partners, Geography.metropoleRouen(), IndicatorCatalogue.load(), json, clock, date);
        LOG.info("study obligations: first reminder {} before the due date, then every {} while overdue; yearly socle "
                + "{}", policy.firstBeforeDue(), policy.interval(), auto ? "automatic from " + date + " each year"
                : "by hand only (fedgate.socle.auto=false)");
        return new StoryStage(new ObligationEndpoints(service, repository, partners, json),
                new SocleEndpoints(socle, auto, pipeline));
    }

    void bind(Main camel) {
        camel.bind("obligationEndpoints", obligations);
        camel.bind("socleEndpoints", socle);
    }

    void attach(CamelContext camel) {
        socle.attach(camel);
    }

    void register(HttpApi http, ObjectMapper json) {
        new ObligationApi(obligations, socle, json).register(http);
    }
}
