package fedgate.state;

/** DESIGN.md "Request lifecycle". */
public enum RequestStatus {
    RECEIVED, VALIDATED, REJECTED, ASSESSED, APPROVED, DECLINED, EXTRACTED, DELIVERED, RETRIEVED, CLOSED, FAILED
}
