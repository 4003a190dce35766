package fedgate.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The gateway's configuration. Each key has a default in {@code fedgate-defaults.properties}; it can be
 * overridden, by increasing priority, in {@code $FEDGATE_HOME/fedgate.properties}, in the profile file
 * {@code $FEDGATE_HOME/fedgate-<profile>.properties} (profile from {@code fedgate run --profile},
 * {@code -Dfedgate.profile} or {@code FEDGATE_PROFILE}), in the environment
 * ({@code fedgate.http.port} → {@code FEDGATE_HTTP_PORT}) and as a {@code -D} system property.
 * The resolved set is handed to Camel as properties, so routes read {@code {{fedgate.sftp.port}}}.
 */
public final class GatewayConfig {

    private final Path home;
    private final Properties props;

    private GatewayConfig(Path home, Properties props) {
        this.home = home;
        this.props = props;
    }

    public static GatewayConfig load(Map<String, String> env, Properties system, Properties overrides) {
        String homeValue = firstNonBlank(system.getProperty("fedgate.home"), env.get("FEDGATE_HOME"), ".");
        Path home = Path.of(homeValue).toAbsolutePath().normalize();
        Properties p = new Properties();
        try (InputStream in = GatewayConfig.class.getResourceAsStream("/fedgate-defaults.properties")) {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = home.resolve("fedgate.properties");
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        // the profile sits above the files and below the environment and -D: an operator can still override one
        // key of the production profile for one run
        String profile = firstNonBlank(system.getProperty("fedgate.profile"), env.get("FEDGATE_PROFILE"));
        if (profile != null) {
            p.putAll(profileFile(profile.trim(), home));
            p.setProperty("fedgate.profile", profile.trim());
        }
        for (String key : p.stringPropertyNames()) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null && !fromEnv.isBlank()) {
                p.setProperty(key, fromEnv);
            }
            String fromSystem = system.getProperty(key);
            if (fromSystem != null) {
                p.setProperty(key, fromSystem);
            }
        }
        p.putAll(overrides);
        p.setProperty("fedgate.home", home.toString());
        return new GatewayConfig(home, p);
    }

    public static GatewayConfig fromEnvironment() {
        return load(System.getenv(), System.getProperties(), new Properties());
    }

    /** The settings of {@code $FEDGATE_HOME/fedgate-<profile>.properties}, which must exist. */
    public static Properties profile(String name, GatewayConfig base) {
        return profileFile(name, base.home());
    }

    private static Properties profileFile(String name, Path home) {
        if (!name.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("invalid profile name (expected [a-z0-9-]{1,40})");
        }
        Path file = home.resolve("fedgate-" + name + ".properties");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("profile '" + name + "' needs the file " + file
                    + " (see docs/fedgate-production.properties.example)");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read profile " + file, e);
        }
        return p;
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Path home() {
        return home;
    }

    public Path dataDir() {
        return home.resolve("data");
    }

    public Path secretsDir() {
        return home.resolve("secrets");
    }

    /** A path setting, resolved against {@code $FEDGATE_HOME} when relative. */
    public Path path(String key) {
        return home.resolve(get(key)).normalize();
    }

    public String get(String key) {
        String v = props.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("missing configuration key " + key);
        }
        return v.trim();
    }

    public String get(String key, String fallback) {
        String v = props.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public int port(String key) {
        return Integer.parseInt(get(key));
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(get(key));
    }

    public long bytes(String key) {
        return Long.parseLong(get(key));
    }

    /** A copy of every resolved setting, for Camel's property placeholders. */
    public Properties asProperties() {
        Properties copy = new Properties();
        copy.putAll(props);
        return copy;
    }

    public GatewayConfig with(String key, String value) {
        Properties copy = asProperties();
        copy.setProperty(key, value);
        return new GatewayConfig(home, copy);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
