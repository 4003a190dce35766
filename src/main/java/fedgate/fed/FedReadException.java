package fedgate.fed;

/**
 * A FED document or mail that cannot be read. Carries a stable {@link Code} for routing and audit,
 * a French reason fit to send to the partner as is, and an English message for the logs.
 */
public final class FedReadException extends Exception {

    /** Stable reason codes; the quarantine record and the rejection notice use them. */
    public enum Code {
        /** Not a JSON, XML, PDF, DOCX, ODT, HTML or text document (by content, not by name). */
        UNSUPPORTED_TYPE,
        /** Document, mail or extracted text over its size limit. */
        TOO_LARGE,
        /** Too many MIME parts or nesting too deep. */
        TOO_COMPLEX,
        /** DOCX/ODT whose entries would inflate beyond the limits. */
        ARCHIVE_BOMB,
        MALFORMED_PDF,
        MALFORMED_XML,
        MALFORMED_JSON,
        /** Well-formed JSON/XML that does not follow feuillet1.schema.json. */
        SCHEMA,
        /** A readable document in which no FED label or field was found. */
        NO_FED_FOUND,
        /** Readable type, but the content could not be extracted (encrypted, corrupt, parser failure). */
        UNREADABLE
    }

    private final Code code;
    private final String reasonFr;

    public FedReadException(Code code, String reasonFr, String message) {
        this(code, reasonFr, message, null);
    }

    public FedReadException(Code code, String reasonFr, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
        this.reasonFr = reasonFr;
    }

    public Code code() {
        return code;
    }

    /** The reason in French, for the partner (acknowledgement / rejection notice). */
    public String reasonFr() {
        return reasonFr;
    }
}
