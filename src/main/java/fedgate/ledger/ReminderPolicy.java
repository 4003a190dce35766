package fedgate.ledger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * When the referent is reminded that the copy of the study is due (Art. 3): the first reminder
 * {@code firstBeforeDue} before the due date, then — once the study is overdue (the day after the due date) —
 * every {@code interval} until it arrives. A gateway that was down when a reminder was due sends it at its next
 * check, once: reminders never pile up.
 */
public record ReminderPolicy(Duration firstBeforeDue, Duration interval) {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    public ReminderPolicy {
        Objects.requireNonNull(firstBeforeDue, "firstBeforeDue");
        Objects.requireNonNull(interval, "interval");
        if (firstBeforeDue.isNegative()) {
            throw new IllegalArgumentException("fedgate.obligation.first-reminder-before-due must not be negative");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("fedgate.obligation.reminder-interval must be positive");
        }
    }

    /** {@code P30D}, {@code PT12H}… as in {@link Duration#parse}. */
    public static ReminderPolicy parse(String firstBeforeDue, String interval) {
        return new ReminderPolicy(Duration.parse(firstBeforeDue.strip()), Duration.parse(interval.strip()));
    }

    /** When the next reminder of {@code o} is due; empty when the obligation is fulfilled. */
    public Optional<Instant> next(Obligation o) {
        if (!o.open()) {
            return Optional.empty();
        }
        Instant dueStart = o.dueDate().atStartOfDay(PARIS).toInstant();
        if (o.remindersSent() == 0 || o.lastReminderAt() == null) {
            return Optional.of(shift(dueStart, firstBeforeDue.negated()));
        }
        // overdue: from the day after the due date, every interval
        Instant overdue = o.dueDate().plusDays(1).atStartOfDay(PARIS).toInstant();
        Instant afterLast = shift(o.lastReminderAt(), interval);
        return Optional.of(afterLast.isAfter(overdue) ? afterLast : overdue);
    }

    /** Whole days are calendar days in Paris (30 days before 28 November is 29 October, summer time or not). */
    private static Instant shift(Instant t, Duration d) {
        if (d.toSeconds() % 86_400 == 0 && d.getNano() == 0) {
            return t.atZone(PARIS).plusDays(d.toDays()).toInstant();
        }
        return t.plus(d);
    }

    public boolean due(Obligation o, Instant now) {
        return next(o).map(t -> !t.isAfter(now)).orElse(false);
    }
}
