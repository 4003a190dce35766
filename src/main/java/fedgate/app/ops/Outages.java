package fedgate.app.ops;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells an outage of a part the gateway depends on (database, SFTP server, mail server) from a failure of the work
 * itself, for the {@code errors} and {@code outages} route configurations ({@code routes/errors.camel.yaml}).
 *
 * <p>An outage is a failure to reach the server: connection refused, reset or timed out, a JDBC connection error
 * (SQLState class 08, or PostgreSQL shutting down or starting up: 57P01–57P03), a mail connection failure. The work
 * that met it is retried in place, with a capped back-off, for as long as {@code fedgate.outage.max-retries} allows
 * (an hour by default): it is not rolled back to the broker, so it never uses up its delivery attempts and is never
 * dead-lettered because a server was away for a while; the route resumes by itself when the server is back. A failure
 * that cannot heal by waiting — a mail folder closed under a message being read, a refusal, a bad input — is not an
 * outage and keeps the ordinary bounded retries.
 *
 * <p>As a {@link Processor} (the policy's {@code onRedelivery}) it logs, at most every 15 s per part, one English
 * line naming the part that is unavailable, the cause and the route that waits.
 */
public final class Outages implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(Outages.class);
    private static final long LOG_EVERY_MILLIS = 15_000;

    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    /** {@code onWhen} of the outage policy. */
    public boolean isOutage(Exchange ex) {
        return part(failure(ex)) != null;
    }

    /** The part a failure says is unavailable ("database", "SFTP server", "mail server"), or null: not an outage. */
    static String part(Throwable failure) {
        boolean connection = false;
        String part = null;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
            String type = t.getClass().getName();
            if (type.equals("jakarta.mail.FolderClosedException") || type.equals("jakarta.mail.StoreClosedException")) {
                return null; // a message read from a connection that is gone: waiting cannot heal it
            }
            if (t instanceof SQLException sql) {
                part = part == null ? "database" : part;
                String state = sql.getSQLState();
                // 08: connection exception; 57P01/57P02/57P03: PostgreSQL shutting down (fast or immediate), or
                // starting up — "terminating connection due to administrator command" while it stops
                if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                        || (state != null && (state.startsWith("08") || state.startsWith("57P0")))) {
                    connection = true;
                }
            } else if (type.startsWith("com.jcraft.jsch.") || type.startsWith("org.apache.camel.component.file.")) {
                part = part == null ? "SFTP server" : part;
                String m = String.valueOf(t.getMessage());
                if (m.startsWith("Cannot connect to") || m.contains("session is down")
                        || m.contains("channel is not opened")) {
                    connection = true;
                }
            } else if (type.startsWith("jakarta.mail.") || type.startsWith("org.eclipse.angus.mail.")) {
                part = part == null ? "mail server" : part;
                // [EOF]: the server closed the connection, e.g. while it stopped ("Got bad greeting from SMTP host …,
                // response: [EOF]", OutageProofIT: an acknowledgement lost because this was not taken for an outage)
                if (type.equals("org.eclipse.angus.mail.util.MailConnectException")
                        || String.valueOf(t.getMessage()).contains("[EOF]")) {
                    connection = true;
                }
            }
            if (t instanceof SocketException || t instanceof SocketTimeoutException) {
                connection = true;
            }
        }
        return connection ? (part == null ? "a server the gateway depends on" : part) : null;
    }

    private static Throwable failure(Exchange ex) {
        Throwable t = ex.getException();
        return t != null ? t : ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /** {@code onRedelivery}: one line per part every 15 s at most while it is unavailable. */
    @Override
    public void process(Exchange ex) {
        Throwable failure = failure(ex);
        String part = part(failure);
        if (part == null) {
            return;
        }
        long now = System.currentTimeMillis();
        Long last = lastLogged.get(part);
        if (last != null && now - last < LOG_EVERY_MILLIS) {
            return;
        }
        lastLogged.put(part, now);
        Integer attempt = ex.getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        LOG.warn("{} unavailable ({}): route {} keeps the work and retries until it is back (attempt {}); nothing is "
                        + "lost, nothing is dead-lettered for this", part, rootCause(failure), ex.getFromRouteId(),
                attempt == null ? 1 : attempt);
    }

    private static String rootCause(Throwable t) {
        Throwable root = t;
        int depth = 0;
        while (root != null && root.getCause() != null && root.getCause() != root && depth++ < 20) {
            root = root.getCause();
        }
        if (root == null) {
            return "unknown cause";
        }
        String m = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        String line = root.getClass().getSimpleName() + m;
        // never a URI with its parameters (a password could be in one)
        return line.replaceAll("\\?\\S*", "").substring(0, Math.min(line.replaceAll("\\?\\S*", "").length(), 200));
    }
}
