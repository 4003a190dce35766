package fedgate.state;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A transaction whose server goes away under it fails with the reason, not with its rollback's failure. */
class TransactionsTest {

    @Test
    void aRollbackThatFailsTooDoesNotHideTheFailureThatSaysWhy() {
        DataSource ds = Database.fromUrl("jdbc:h2:mem:tx-" + UUID.randomUUID(), "sa", "");
        Throwable thrown = catchThrowable(() -> Transactions.run(ds, "record the step", c -> {
            // the database goes away under the transaction (as a server stopping), then the work fails on it
            c.createStatement().execute("SHUTDOWN");
            throw new SQLException("FATAL: terminating connection due to administrator command", "57P01");
        }));
        assertThat(thrown).isInstanceOf(RequestRepository.StateException.class).hasMessage("cannot record the step");
        assertThat(thrown.getCause()).isInstanceOf(SQLException.class)
                .hasMessageContaining("administrator command");
        assertThat(((SQLException) thrown.getCause()).getSQLState()).isEqualTo("57P01");
        // the rollback's own failure is kept, as suppressed
        assertThat(thrown.getCause().getSuppressed()).singleElement().isInstanceOf(SQLException.class);
    }
}
