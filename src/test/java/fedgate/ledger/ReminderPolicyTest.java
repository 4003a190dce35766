package fedgate.ledger;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** Art. 3 reminders: first one before the due date, then every interval while overdue, never piling up. */
class ReminderPolicyTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final LocalDate DUE = LocalDate.of(2027, 11, 28);
    private final ReminderPolicy policy = ReminderPolicy.parse("P30D", "P30D");

    private static Obligation open(int sent, Instant last) {
        return new Obligation("FED-2026-000001", "ville-rouen", "DLV-FED-2026-000001-v1", DUE, Obligation.Status.OPEN,
                Instant.parse("2026-11-28T10:00:00Z"), sent, last, null, null);
    }

    private static Instant at(LocalDate day) {
        return day.atStartOfDay(PARIS).toInstant();
    }

    @Test
    void firstReminderComesThirtyDaysBeforeTheDueDate() {
        assertThat(policy.due(open(0, null), at(DUE.minusDays(31)))).isFalse();
        assertThat(policy.due(open(0, null), at(DUE.minusDays(30)))).isTrue();
        assertThat(policy.next(open(0, null))).contains(at(DUE.minusDays(30)));
    }

    @Test
    void nextRemindersWaitUntilOverdueThenEveryInterval() {
        Instant first = at(DUE.minusDays(30)).plusSeconds(60);
        Obligation once = open(1, first);
        // not on the due date itself (the study may still arrive that day), from the day after
        assertThat(policy.due(once, at(DUE).plusSeconds(3600))).isFalse();
        assertThat(policy.next(once)).contains(at(DUE.plusDays(1))); // 30 calendar days after the first is the due date itself
        Instant second = at(DUE.plusDays(10));
        Obligation twice = open(2, second);
        assertThat(policy.due(twice, second.plus(java.time.Duration.ofDays(29)))).isFalse();
        assertThat(policy.due(twice, second.plus(java.time.Duration.ofDays(30)))).isTrue();
    }

    @Test
    void aShortFirstWindowOrALateStartRemindsOnceAtTheNextCheck() {
        // the gateway was down for months: one reminder now, not one per missed interval
        Obligation once = open(1, at(DUE.plusDays(200)));
        assertThat(policy.due(once, at(DUE.plusDays(201)))).isFalse();
    }

    @Test
    void aFulfilledObligationIsNeverReminded() {
        Obligation done = new Obligation("FED-2026-000001", "ville-rouen", "DLV-FED-2026-000001-v1", DUE,
                Obligation.Status.FULFILLED, Instant.now(), 1, Instant.now(), Instant.now(), 7L);
        assertThat(policy.next(done)).isEmpty();
        assertThat(policy.due(done, at(DUE.plusYears(3)))).isFalse();
    }
}
