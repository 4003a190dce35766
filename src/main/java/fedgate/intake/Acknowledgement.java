package fedgate.intake;

import java.time.Instant;
import java.util.List;

/**
 * The accusé de réception: what was received, when, its SHA-256, and accepted or rejected with every reason.
 * Its JSON form is what a partner's system gets as the broker reply.
 */
public record Acknowledgement(String type, String requestId, String partnerId, String channel, String sourceRef,
                              Instant receivedAt, String sha256, long sizeBytes, boolean accepted, String status,
                              List<Reason> reasons, boolean duplicate) {

    public static final String TYPE = "fed.acknowledgement";

    /** A reason: stable code, French text for the partner, and whether it blocks the request. */
    public record Reason(String code, String text, String field, boolean blocking) {
    }

    public Acknowledgement asDuplicate() {
        return new Acknowledgement(type, requestId, partnerId, channel, sourceRef, receivedAt, sha256, sizeBytes,
                accepted, status, reasons, true);
    }
}
