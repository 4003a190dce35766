package fedgate.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.nio.file.Path;

/** The gateway's state store: embedded H2 by default, PostgreSQL in production; schema by Flyway. */
public final class Database {

    private Database() {
    }

    /**
     * H2 file database under {@code dataDir}; the file is created on first use. {@code WRITE_DELAY=0}: a commit is
     * written to the file before it returns, so a committed request survives SIGKILL (CrashProofIT). Connections come
     * from {@link PooledH2}: sessions and their prepared statements kept, one connection in use at a time, each in
     * auto-commit (rolled back if its last user left a transaction open) and at READ COMMITTED. A BLOB of up to 4 KiB
     * (a FED request, mostly) is kept in its row instead of H2's three LOB maps.
     */
    public static DataSource h2(Path dataDir) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("fedgate")
                + ";DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1;WRITE_DELAY=0;QUERY_CACHE_SIZE=64"
                + ";MAX_LENGTH_INPLACE_LOB=4096");
        ds.setUser("fedgate");
        ds.setPassword("");
        return new PooledH2(ds);
    }

    /** Connections to an external PostgreSQL kept open by default ({@code fedgate.db.pool-size}). */
    public static final int DEFAULT_POOL_SIZE = 16;

    /** As {@link #fromUrl(String, String, String, int)} with {@link #DEFAULT_POOL_SIZE}. */
    public static DataSource fromUrl(String url, String user, String password) {
        return fromUrl(url, user, password, DEFAULT_POOL_SIZE);
    }

    /**
     * A JDBC URL from configuration ({@code jdbc:h2:…} or {@code jdbc:postgresql:…}). PostgreSQL connections come
     * from a pool of at most {@code poolSize} (HikariCP; an {@link AutoCloseable}: close it with {@link #close}):
     * without one, every transaction of every stage opened a connection (TCP, SCRAM authentication, a server
     * process) and closed it. A connection is checked before it is lent after a pause, so one the server dropped
     * (a restart) is replaced, not lent; a transaction left open is rolled back when its connection comes back;
     * when the server cannot be reached, asking for a connection fails after 10 s with a connection error, which the
     * stages take for an outage (retried in place, {@code fedgate.app.ops.Outages}). A server down when the pool is
     * made is not an error until a connection is asked for.
     */
    public static DataSource fromUrl(String url, String user, String password, int poolSize) {
        if (url.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setUrl(url);
            pg.setUser(user);
            pg.setPassword(password);
            HikariConfig pool = new HikariConfig();
            pool.setPoolName("fedgate-db");
            pool.setDataSource(pg);
            pool.setMaximumPoolSize(poolSize);
            pool.setMinimumIdle(Math.min(2, poolSize));
            pool.setConnectionTimeout(10_000);
            pool.setInitializationFailTimeout(-1);
            return new HikariDataSource(pool);
        }
        if (url.startsWith("jdbc:h2:")) {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(url);
            ds.setUser(user);
            ds.setPassword(password == null ? "" : password);
            return ds;
        }
        throw new IllegalArgumentException("unsupported database URL (expected jdbc:h2: or jdbc:postgresql:)");
    }

    /** Closes a pool made by {@link #fromUrl} or {@link #h2} (its connections); any other data source is left. */
    public static void close(DataSource ds) {
        if (ds instanceof HikariDataSource pool) {
            pool.close();
        } else if (ds instanceof PooledH2 pool) {
            pool.close();
        }
    }

    public static DataSource migrate(DataSource ds) {
        boolean postgres;
        try (Connection c = ds.getConnection()) {
            postgres = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        } catch (SQLException e) {
            throw new RepositoryUnavailable("cannot open the state database", e);
        }
        Flyway.configure().dataSource(ds).locations("classpath:db/migration")
                .placeholders(Map.of("binary_type", postgres ? "BYTEA" : "BLOB",
                        "history_seq_cache", postgres ? "1" : "1000")).load().migrate();
        return ds;
    }

    /** The state database cannot be reached or opened. */
    public static final class RepositoryUnavailable extends RuntimeException {
        RepositoryUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
