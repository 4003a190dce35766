package fedgate.state;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** One transaction around a piece of work: committed when it says so, rolled back on failure or refusal. */
final class Transactions {

    private Transactions() {
    }

    /** Work that decides whether its changes stand: {@code true} commits, {@code false} rolls back. */
    interface Work {
        boolean run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in a transaction of its own. A database failure becomes a {@link
     * RequestRepository.StateException} ("cannot {@code what}"), which the routes treat as transient.
     */
    static boolean run(DataSource dataSource, String what, Work work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean done = work.run(c);
                if (done) {
                    c.commit();
                } else {
                    c.rollback();
                }
                return done;
            } catch (SQLException | RuntimeException e) {
                rollbackAfter(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot " + what, e);
        }
    }

    /**
     * Rolls back after {@code failure}; a rollback that fails too (the server gone: "Connection is closed") is added
     * to it as suppressed, so the caller rethrows the failure that says what happened (e.g. PostgreSQL's
     * "terminating connection due to administrator command", an outage) rather than the rollback's.
     */
    static void rollbackAfter(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException rollback) {
            failure.addSuppressed(rollback);
        }
    }
}
