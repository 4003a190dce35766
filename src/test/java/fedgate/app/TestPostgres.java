package fedgate.app;

import fedgate.state.Database;
import org.junit.jupiter.api.Assumptions;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The PostgreSQL server of the tests (.ci/run starts one and exports {@code FEDGATE_TEST_PG_URL},
 * {@code FEDGATE_TEST_PG_USER}, {@code FEDGATE_TEST_PG_PASSWORD}). Each test gets a fresh schema. A test is skipped,
 * saying why, only when the URL is unset; a server that is configured but unreachable fails the test.
 */
public final class TestPostgres implements AutoCloseable {

    public final String url;
    public final String user;
    public final String password;
    public final String schema;

    private TestPostgres(String baseUrl, String user, String password) throws SQLException {
        this.user = user;
        this.password = password;
        this.schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(baseUrl, user, password)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        this.url = baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /**
     * A fresh schema on the test server when one is configured with the scripts that stop it and start it again
     * ({@code FEDGATE_TEST_PG_STOP}, {@code FEDGATE_TEST_PG_START}: .ci/postgres), else empty.
     */
    public static Optional<TestPostgres> stoppable() throws SQLException {
        String url = System.getenv("FEDGATE_TEST_PG_URL");
        if (url == null || url.isBlank() || System.getenv("FEDGATE_TEST_PG_STOP") == null
                || System.getenv("FEDGATE_TEST_PG_START") == null) {
            return Optional.empty();
        }
        return Optional.of(new TestPostgres(url, System.getenv().getOrDefault("FEDGATE_TEST_PG_USER", "fedgate_test"),
                System.getenv().getOrDefault("FEDGATE_TEST_PG_PASSWORD", "")));
    }

    /** Stops the server (a fast shutdown: every session ended) — {@link #stoppable} servers only. */
    public void stopServer() throws IOException, InterruptedException {
        script("FEDGATE_TEST_PG_STOP");
    }

    /** Starts the server again on the same port with the same data. */
    public void startServer() throws IOException, InterruptedException {
        script("FEDGATE_TEST_PG_START");
    }

    private static void script(String variable) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(System.getenv(variable)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(variable + " failed: " + out);
        }
    }

    /** A fresh schema on the test server, or the test is skipped (with the reason) when none is configured. */
    public static TestPostgres require() throws SQLException {
        String url = System.getenv("FEDGATE_TEST_PG_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(),
                "SKIPPED: FEDGATE_TEST_PG_URL is unset, no PostgreSQL server for this test (.ci/run starts one: "
                        + "source .ci/postgres)");
        return new TestPostgres(url, System.getenv().getOrDefault("FEDGATE_TEST_PG_USER", "fedgate_test"),
                System.getenv().getOrDefault("FEDGATE_TEST_PG_PASSWORD", ""));
    }

    private final List<DataSource> pools = new ArrayList<>();

    /** A pool on the schema, as the gateway makes it; closed with this. */
    public DataSource dataSource() {
        DataSource ds = Database.fromUrl(url, user, password);
        pools.add(ds);
        return ds;
    }

    @Override
    public void close() throws SQLException {
        pools.forEach(Database::close);
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
