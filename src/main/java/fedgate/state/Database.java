package fedgate.state;

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
     * written to the file before it returns, so a committed request survives SIGKILL (CrashProofIT). Connections are
     * pooled (an H2 session keeps its parsed statements; opening one per call cost a session set-up and a parse of
     * every statement); a connection comes from the pool in auto-commit (rolled back if its last user left a transaction
     * open) and at READ COMMITTED.
     */
    public static DataSource h2(Path dataDir) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("fedgate")
                + ";DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1;WRITE_DELAY=0;QUERY_CACHE_SIZE=64;MAX_LENGTH_INPLACE_LOB=4096");
        ds.setUser("fedgate");
        ds.setPassword("");
        return new PooledH2(ds);
    }

    /** A pool of H2 connections; {@link #close()} closes them all (after the database's SHUTDOWN). */
    public static final class PooledH2 implements DataSource, AutoCloseable {
        /** Sessions kept open between uses; more are opened only by a thread that nests a second connection. */
        private static final int MAX_IDLE = 8;
        private final JdbcDataSource ds;
        private final java.util.ArrayDeque<Connection> idle = new java.util.ArrayDeque<>(); // guarded by itself
        private final java.util.concurrent.locks.ReentrantLock inUse = new java.util.concurrent.locks.ReentrantLock();
        private boolean closed; // guarded by idle

        PooledH2(JdbcDataSource ds) {
            this.ds = ds;
        }

        /**
         * One connection in use at a time per process (re-entrant for the thread that holds it). H2's MVStore writes a
         * consistent snapshot of each table, not of all tables at once: a store (with WRITE_DELAY=0, at every commit)
         * running while another session changes other tables can reach the file half-way, and a SIGKILL before the
         * next store then leaves a committed transaction out while a later one that depends on it is kept
         * (h2database#2080; CrashProofIT saw ledger events #31–#32 missing and #33 present). Writes were already
         * serialised by the ledger head's row lock; this makes every store see no change in flight. PostgreSQL, the
         * production database, is not affected.
         */
        @Override
        public Connection getConnection() throws SQLException {
            inUse.lock();
            try {
                Connection c = take();
                if (c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
                    c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED); // the ledger's verify changes it
                }
                return exclusive(c);
            } catch (SQLException | RuntimeException e) {
                inUse.unlock();
                throw e;
            }
        }

        /** The session used last (its parsed statements are warm), else a new one. */
        private Connection take() throws SQLException {
            synchronized (idle) {
                if (closed) {
                    throw new SQLException("the state database is closed");
                }
                for (Connection c; (c = idle.pollLast()) != null; ) {
                    if (!c.isClosed()) { // a SHUTDOWN closes every session
                        return c;
                    }
                }
            }
            return ds.getConnection();
        }

        /**
         * Back to the idle sessions, rolled back and in auto-commit only when a transaction was left open: H2 empties a
         * session's cache of parsed statements at every rollback, so rolling back each connection on its return (as
         * H2's own JdbcConnectionPool does) parsed every statement again at its next use — 14 % of the CPU of an
         * intake transaction (IntakeStoreBenchmark).
         */
        private void giveBack(Connection c) {
            try {
                if (c.isClosed()) {
                    return;
                }
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                synchronized (idle) {
                    if (!closed && idle.size() < MAX_IDLE) {
                        idle.addLast(c);
                        return;
                    }
                }
            } catch (SQLException e) {
                // a session that cannot be reset is not reused
            }
            closeQuietly(c);
        }

        private static void closeQuietly(Connection c) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing a session that is broken already
            }
        }

        private Connection exclusive(Connection c) {
            java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && method.getParameterCount() == 0) {
                            if (open.compareAndSet(true, false)) {
                                try {
                                    giveBack(c);
                                } finally {
                                    inUse.unlock();
                                }
                            }
                            return null;
                        }
                        if (method.getName().equals("isClosed") && method.getParameterCount() == 0 && !open.get()) {
                            return true;
                        }
                        if (!open.get()) {
                            throw new SQLException("connection returned to the pool");
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLException("the pooled H2 data source has its own credentials");
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return ds.getLogWriter();
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
            ds.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) {
            ds.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() {
            return ds.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getLogger("fedgate.state");
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper of " + iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }

        @Override
        public void close() {
            synchronized (idle) {
                closed = true;
                idle.forEach(PooledH2::closeQuietly);
                idle.clear();
            }
        }
    }

    /** A JDBC URL from configuration ({@code jdbc:h2:…} or {@code jdbc:postgresql:…}). */
    public static DataSource fromUrl(String url, String user, String password) {
        if (url.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
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
