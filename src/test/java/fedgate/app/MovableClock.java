package fedgate.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock plus an offset a test moves forward: months pass in milliseconds. */
final class MovableClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    void moveTo(Instant target) {
        offset = Duration.between(Instant.now(), target);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }
}
