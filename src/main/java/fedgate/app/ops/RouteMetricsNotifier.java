package fedgate.app.ops;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/** Counts Camel redeliveries and failed exchanges per route into {@link Metrics}. */
public final class RouteMetricsNotifier extends EventNotifierSupport {

    private final Metrics metrics;

    public RouteMetricsNotifier(Metrics metrics) {
        this.metrics = metrics;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeRedeliveryEvent e) {
            metrics.redelivery(route(e));
        } else if (event instanceof CamelEvent.ExchangeFailedEvent e) {
            metrics.failure(route(e));
        }
    }

    private static String route(CamelEvent.ExchangeEvent e) {
        String id = e.getExchange().getFromRouteId();
        return id == null ? "unknown" : id;
    }
}
