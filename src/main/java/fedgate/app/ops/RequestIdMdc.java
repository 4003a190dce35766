package fedgate.app.ops;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.MDC;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the request id in the logging MDC ({@code requestId}, printed by the logback pattern) around every step of
 * every route, so that an operator can follow one request through intake, stages and delivery with
 * {@code grep FED-2026-000123}. The id comes from the exchange property the adapters set
 * ({@code fedgateRequestId}), else from a stage message {@code {"requestId":"FED-…"}}; only a well-formed id is
 * used, so nothing from input reaches the log this way.
 */
public final class RequestIdMdc implements InterceptStrategy {

    public static final String KEY = "requestId";
    private static final String PROPERTY = "fedgateRequestId";
    private static final Pattern ID = Pattern.compile("FED-\\d{4}-\\d{6}");
    private static final Pattern IN_BODY = Pattern.compile("\"requestId\"\\s*:\\s*\"(FED-\\d{4}-\\d{6})\"");

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                String previous = MDC.get(KEY);
                String id = requestId(exchange);
                if (id != null) {
                    MDC.put(KEY, id);
                }
                try {
                    return super.process(exchange, done -> {
                        // the step may have learnt the id (intake): keep it for what follows on this thread
                        String now = requestId(exchange);
                        if (now != null) {
                            MDC.put(KEY, now);
                        }
                        callback.done(done);
                    });
                } finally {
                    if (previous == null) {
                        MDC.remove(KEY);
                    } else {
                        MDC.put(KEY, previous);
                    }
                }
            }
        };
    }

    static String requestId(Exchange exchange) {
        Object p = exchange.getProperty(PROPERTY);
        if (p instanceof String s && ID.matcher(s).matches()) {
            return s;
        }
        Object body = exchange.getMessage().getBody();
        if (body instanceof String s && s.length() <= 4096) {
            Matcher m = IN_BODY.matcher(s);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }
}
