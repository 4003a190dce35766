package fedgate.partner;

/**
 * A partner configuration that cannot be used. Thrown at start-up: a bad partner file stops the gateway
 * rather than running with a partner half understood. The message names the file and the field.
 */
public class PartnerConfigException extends RuntimeException {

    private final String field;

    public PartnerConfigException(String field, String message) {
        super(field == null ? message : "field '" + field + "': " + message);
        this.field = field;
    }

    public PartnerConfigException(String message) {
        super(message);
        this.field = null;
    }

    public PartnerConfigException(String message, Throwable cause) {
        super(message, cause);
        this.field = null;
    }

    /** The offending field (dotted path, e.g. {@code convention.signedOn}), null when not about one field. */
    public String field() {
        return field;
    }
}
