package fedgate.app.ops;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are a server away (retried in place) and which are failures of the work (bounded retries). */
class OutagesTest {

    @Test
    void aRefusedConnectionIsAnOutageOfThePartThatRefused() {
        assertThat(Outages.part(new GenericFileOperationFailedException("Cannot connect to sftp://fedgate@127.0.0.1:2222",
                new com.jcraft.jsch.JSchException("java.net.ConnectException: Connection refused",
                        new ConnectException("Connection refused"))))).isEqualTo("SFTP server");
        assertThat(Outages.part(new RuntimeCamelException(new org.eclipse.angus.mail.util.MailConnectException(
                new org.eclipse.angus.mail.util.SocketConnectException("Connection refused",
                        new ConnectException("Connection refused"), "127.0.0.1", 2525, 5000)))))
                .isEqualTo("mail server");
        assertThat(Outages.part(new IllegalStateException("cannot store",
                new SQLNonTransientConnectionException("Connection is broken", "90067")))).isEqualTo("database");
        assertThat(Outages.part(new IllegalStateException(new SQLException("Connection refused", "08001",
                new ConnectException("Connection refused"))))).isEqualTo("database");
    }

    @Test
    void aPostgresqlServerThatCannotBeReachedThroughThePoolIsADatabaseOutage() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there once closed
        }
        javax.sql.DataSource ds = fedgate.state.Database.fromUrl("jdbc:postgresql://127.0.0.1:" + port + "/fedgate",
                "fedgate", "x", 1);
        try {
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> ds.getConnection().close());
            assertThat(failure).isInstanceOf(java.sql.SQLTransientConnectionException.class);
            assertThat(Outages.part(new IllegalStateException("cannot store", failure))).isEqualTo("database");
        } finally {
            fedgate.state.Database.close(ds);
        }
    }

    @Test
    void aPostgresqlServerShuttingDownOrStartingUpIsADatabaseOutage() {
        // what the sessions of a pool get while the server stops (pg_ctl stop -m fast), and while it starts again
        assertThat(Outages.part(new IllegalStateException("cannot update", new SQLException(
                "FATAL: terminating connection due to administrator command", "57P01")))).isEqualTo("database");
        assertThat(Outages.part(new SQLException("FATAL: the database system is starting up", "57P03")))
                .isEqualTo("database");
        // a statement cancelled (57014) is a failure of the work
        assertThat(Outages.part(new SQLException("canceling statement due to statement timeout", "57014"))).isNull();
    }

    @Test
    void aMailServerThatClosesTheConnectionBeforeItsGreetingIsAnOutage() {
        assertThat(Outages.part(new jakarta.mail.MessagingException(
                "Got bad greeting from SMTP host: 127.0.0.1, port: 41369, response: [EOF]"))).isEqualTo("mail server");
        assertThat(Outages.part(new jakarta.mail.MessagingException("550 mailbox unavailable"))).isNull();
    }

    @Test
    void aFailureOfTheWorkIsNotAnOutage() {
        assertThat(Outages.part(new IllegalStateException("unsafe file name"))).isNull();
        assertThat(Outages.part(new SQLIntegrityConstraintViolationException("duplicate key", "23505"))).isNull();
        assertThat(Outages.part(new GenericFileOperationFailedException("Cannot store file: outbox/x"))).isNull();
        assertThat(Outages.part(null)).isNull();
    }

    @Test
    void aMessageReadFromAConnectionThatIsGoneIsNotWaitedFor() {
        // waiting cannot heal it: the folder it came from is closed for good
        assertThat(Outages.part(new RuntimeCamelException("Error accessing headers",
                new jakarta.mail.FolderClosedException(null, "* BYE Connection dropped by server?",
                        new java.net.SocketException("Connection reset"))))).isNull();
    }
}
