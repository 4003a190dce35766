package fedgate.decision;

import java.time.Instant;

/**
 * What a partner's system reads on {@code fed.events.<partner>} each time one of its requests changes status
 * (JMSType and {@code type} {@code fed.status}, JMSCorrelationID the request id). {@code reason} is French, for
 * people: why it failed, what it waits for; null when there is nothing to say.
 */
public record StatusEvent(String type, String requestId, String partnerId, String status, Instant at, String reason) {

    public static final String TYPE = "fed.status";

    public static StatusEvent of(String requestId, String partnerId, String status, Instant at, String reason) {
        return new StatusEvent(TYPE, requestId, partnerId, status, at, reason);
    }
}
