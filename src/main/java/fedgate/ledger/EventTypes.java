package fedgate.ledger;

/**
 * Event types of the audit ledger (free text {@code [a-z0-9._-]}, these are the ones the gateway writes and
 * {@link RequestStory} tells in French). The details each one is expected to carry are listed in docs/ledger.md.
 */
public final class EventTypes {
    public static final String REQUEST_RECEIVED = "request.received";
    public static final String REQUEST_VALIDATED = "request.validated";
    public static final String REQUEST_REJECTED = "request.rejected";
    public static final String REQUEST_ASSESSED = "request.assessed";
    public static final String REQUEST_FAILED = "request.failed";
    public static final String REQUEST_CLOSED = "request.closed";
    public static final String FEUILLET2_DECIDED = "feuillet2.decided";
    public static final String DIFFUSION_APPROVED = "diffusion.approved";
    public static final String EXTRACT_PRODUCED = "extract.produced";
    public static final String DELIVERY_SENT = "delivery.sent";
    public static final String DELIVERY_RETRIEVED = "delivery.retrieved";
    public static final String REMINDER_SENT = "reminder.sent";
    public static final String STUDY_RECEIVED = "study.received";
    /** A document recognised as the copy of a study but refused (Art. 3; docs/story.md). */
    public static final String STUDY_REJECTED = "study.rejected";
    public static final String CONFIG_CHANGED = "config.changed";
    public static final String LEDGER_HEAD_SIGNED = "ledger.head.signed";

    private EventTypes() {
    }
}
