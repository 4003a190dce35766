package fedgate.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;

/**
 * Art. 3 of the convention: "En contrepartie de la livraison des données, le bénéficiaire s'engage à fournir un
 * exemplaire de l'étude réalisée." The first delivery of a request opens one obligation, due on the usage terms'
 * {@code studyDueDate}; reminders go to the referent until the study arrives, then it is FULFILLED and the request
 * CLOSED.
 *
 * @param remindersSent  reminders mailed so far (the next one is number {@code remindersSent + 1})
 * @param studySeq       the {@code fed_study} row that fulfilled it
 */
public record Obligation(String requestId, String partnerId, String deliveryId, LocalDate dueDate, Status status,
                         Instant openedAt, int remindersSent, Instant lastReminderAt, Instant fulfilledAt,
                         Long studySeq) {

    public enum Status { OPEN, FULFILLED }

    /**
     * Requests that open no obligation: the yearly socle (Art. 1.2.1, Annexe 1) is a framing data set the CAF
     * delivers on its own schedule, not data asked for a study.
     */
    public static final Set<String> NO_STUDY_CHANNELS = Set.of("SCHEDULE");

    public boolean open() {
        return status == Status.OPEN;
    }
}
