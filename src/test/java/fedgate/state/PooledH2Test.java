package fedgate.state;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded database's pool: sessions and prepared statements kept, each lent to one user at a time. */
class PooledH2Test {

    private static final String SELECT = "SELECT v FROM t WHERE k = ?";

    @TempDir
    Path dir;
    private PooledH2 pool;

    @BeforeEach
    void open() throws SQLException {
        pool = (PooledH2) Database.h2(dir);
        try (Connection c = pool.getConnection()) {
            c.createStatement().execute("CREATE TABLE t (k INT PRIMARY KEY, v VARCHAR)");
            c.createStatement().execute("INSERT INTO t VALUES (1, 'un'), (2, 'deux'), (3, 'trois')");
        }
    }

    @AfterEach
    void shutdown() throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.createStatement().execute("SHUTDOWN");
        }
        pool.close();
    }

    @Test
    void aStatementClosedByItsUserIsPreparedOnceAndLentAgainWithoutItsParameters() throws SQLException {
        Object first;
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            first = ps.unwrap(PreparedStatement.class);
            ps.setInt(1, 2);
            assertThat(value(ps)).isEqualTo("deux");
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            assertThat(ps.unwrap(PreparedStatement.class)).as("the same H2 statement, not parsed again")
                    .isSameAs(first);
            assertThatThrownBy(ps::executeQuery).as("the last user's parameter is not kept")
                    .isInstanceOf(SQLException.class);
            ps.setInt(1, 3);
            assertThat(value(ps)).isEqualTo("trois");
        }
    }

    @Test
    void theSameTextPreparedTwiceAtOnceGivesTwoStatements() throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement outer = c.prepareStatement(SELECT);
             PreparedStatement inner = c.prepareStatement(SELECT)) {
            assertThat(inner.unwrap(PreparedStatement.class)).isNotSameAs(outer.unwrap(PreparedStatement.class));
            outer.setInt(1, 1);
            inner.setInt(1, 2);
            try (ResultSet a = outer.executeQuery(); ResultSet b = inner.executeQuery()) {
                assertThat(a.next() && b.next()).isTrue();
                assertThat(a.getString(1) + "/" + b.getString(1)).isEqualTo("un/deux");
            }
        }
    }

    @Test
    void aStatementGivenBackCannotBeUsedAndItsRowLimitIsReset() throws SQLException {
        PreparedStatement kept;
        try (Connection c = pool.getConnection()) {
            kept = c.prepareStatement("SELECT v FROM t ORDER BY k");
            kept.setMaxRows(1);
            kept.close();
            assertThat(kept.isClosed()).isTrue();
            assertThatThrownBy(kept::executeQuery).hasMessageContaining("statement closed");
            try (PreparedStatement again = c.prepareStatement("SELECT v FROM t ORDER BY k");
                 ResultSet rs = again.executeQuery()) {
                int rows = 0;
                while (rs.next()) {
                    rows++;
                }
                assertThat(rows).as("no row limit left by the last user").isEqualTo(3);
            }
        }
    }

    @Test
    void aTransactionLeftOpenIsRolledBackWhenTheConnectionComesBack() throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE t SET v = ? WHERE k = 1")) {
                ps.setString(1, "changé");
                ps.executeUpdate();
            }
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            assertThat(c.getAutoCommit()).isTrue();
            ps.setInt(1, 1);
            assertThat(value(ps)).isEqualTo("un");
        }
    }

    @Test
    void oneConnectionInUseAtATimeReentrantForItsHolder() throws Exception {
        try (Connection held = pool.getConnection()) {
            try (Connection nested = pool.getConnection(); PreparedStatement ps = nested.prepareStatement(SELECT)) {
                ps.setInt(1, 1);
                assertThat(value(ps)).isEqualTo("un");
            }
            CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(() -> {
                try (Connection c = pool.getConnection()) {
                    return !c.isClosed();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(other).as("another thread waits for the connection in use").isNotDone();
            held.close();
            assertThat(other.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aStatementStillOpenWhenItsSessionShutsTheDatabaseDownClosesQuietly() throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setInt(1, 1);
            assertThat(value(ps)).isEqualTo("un");
            c.createStatement().execute("SHUTDOWN");
        } // closing the statement and the connection of a closed session does not throw
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setInt(1, 3);
            assertThat(value(ps)).isEqualTo("trois");
        }
    }

    @Test
    void afterAShutdownTheNextConnectionIsANewSession() throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setInt(1, 1);
            assertThat(value(ps)).isEqualTo("un");
        }
        try (Connection c = pool.getConnection()) {
            c.createStatement().execute("SHUTDOWN");
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setInt(1, 2);
            assertThat(value(ps)).isEqualTo("deux");
        }
    }

    private static String value(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
