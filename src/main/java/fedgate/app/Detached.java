package fedgate.app;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultMessage;

/**
 * Replaces an exchange's incoming message (a JMS or mail message bound to its consumer) by a plain one with the same
 * body and no header, once a route has read what it needs from it. The consumer still commits, rolls back or marks
 * the source; the rest of the route no longer touches it: a mail's headers were read lazily from a server that may
 * have gone away (OutageProofIT), and the error handler's copy of the exchange before every step (to retry that step
 * in place) read a JMS message's headers again at each copy (5 % of the intake's CPU at full speed).
 */
final class Detached {

    private Detached() {
    }

    static void message(Exchange ex) {
        DefaultMessage detached = new DefaultMessage(ex);
        detached.setBody(ex.getIn().getBody());
        ex.setIn(detached);
    }
}
