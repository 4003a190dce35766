package fedgate.app;

import fedgate.crypto.Passphrase;
import fedgate.crypto.PgpKeys;
import fedgate.crypto.SigningKey;
import fedgate.ledger.AuditLedger;
import fedgate.ledger.RequestStory;
import fedgate.ledger.SignedHead;
import fedgate.ledger.Verification;
import fedgate.state.Database;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code fedgate audit}: the tamper-evident audit ledger (docs/ledger.md).
 * <ul>
 *   <li>{@code audit verify}: exit 0 when the chain is intact, {@value #BROKEN} naming the first bad event;</li>
 *   <li>{@code audit export --request ID [--format json|text]}: the story of one request;</li>
 *   <li>{@code audit sign}: signs the chain head with the CAF key now.</li>
 * </ul>
 * Configuration is read as the gateway reads it ({@code FEDGATE_HOME}, {@code -Dfedgate.home}, or {@code --home}).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "The tamper-evident audit ledger: verify the chain, export a request's story, sign the head.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class, AuditCommand.Sign.class})
public final class AuditCommand implements Runnable {

    /** Exit code: the ledger is not intact. */
    public static final int BROKEN = 3;
    /** Exit code: the database or the request does not exist, or the embedded database is held by a running gateway. */
    public static final int NOT_FOUND = 4;

    static final String SAMPLE_CAF_PUBLIC = "certs-sample/pgp/caf-rouen.pub.asc";
    static final String SAMPLE_CAF_SECRET = "certs-sample/pgp/caf-rouen.sec.asc";
    static final String SAMPLE_CAF_PASS = "certs-sample/pgp/caf-rouen.pass";

    @Option(names = "--home", description = "fedgate home (default: -Dfedgate.home, FEDGATE_HOME, or the current directory).")
    Path home;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    GatewayConfig config(Path subHome) {
        Path h = subHome != null ? subHome : home;
        Properties system = new Properties();
        system.putAll(System.getProperties());
        if (h != null) {
            system.setProperty("fedgate.home", h.toString());
        }
        return GatewayConfig.load(System.getenv(), system, new Properties());
    }

    /**
     * The state database as the gateway opens it; null (and a message) when the embedded one does not exist or is
     * held by a running gateway.
     */
    static DataSource openDatabase(GatewayConfig config, PrintWriter err) {
        String url = config.get("fedgate.db.url", "");
        if (url.isEmpty()) {
            Path db = config.dataDir().resolve("db");
            if (!Files.isRegularFile(db.resolve("fedgate.mv.db"))) {
                err.println("no fedgate database under " + db + " (set --home or FEDGATE_HOME)");
                return null;
            }
            try {
                return Database.migrate(Database.h2(db));
            } catch (RuntimeException e) {
                if (isDatabaseInUse(e)) {
                    err.println("the embedded H2 database under " + db + " is in use by a running gateway (H2 file "
                            + "databases are single-process): stop the gateway first, or run the gateway on PostgreSQL "
                            + "(fedgate.db.url) to audit it while it runs");
                    return null;
                }
                throw e;
            }
        }
        // one command, one thread: two connections at most
        return Database.migrate(Database.fromUrl(url, config.get("fedgate.db.user"),
                Secrets.secret("FEDGATE_DB_PASSWORD", config.secretsDir().resolve("db-password")), 2));
    }

    /** H2's "database may be already in use" (error 90020): another process holds the file lock. */
    private static boolean isDatabaseInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes sure an embedded H2 database has written everything before the JVM exits (it has no exit hook), then
     * closes the connections (a PostgreSQL server sees them end, not drop).
     */
    static void close(GatewayConfig config, DataSource ds) {
        if (config.get("fedgate.db.url", "").isEmpty()) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (Exception e) {
                // nothing to flush is fine; a real failure has already surfaced
            }
        }
        Database.close(ds);
    }

    private abstract static class Sub {
        @ParentCommand
        AuditCommand parent;
        @Spec
        CommandSpec spec;
        @Option(names = "--home", description = "fedgate home (overrides the one given to audit).")
        Path home;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute the whole chain and check the signed heads. Exit 0 if intact, " + BROKEN
                    + " naming the first altered, missing or reordered event.")
    public static final class Verify extends Sub implements Callable<Integer> {
        @Option(names = "--caf-certificate", description = "The CAF's OpenPGP public key (default: fedgate.caf.public-key, "
                + "else the sample " + SAMPLE_CAF_PUBLIC + ").")
        Path certificate;
        @Option(names = "--skip-signatures", description = "Do not check the head signatures (no CAF certificate at hand).")
        boolean skipSignatures;

        @Override
        public Integer call() throws Exception {
            GatewayConfig config = parent.config(home);
            PGPPublicKeyRing caf = null;
            if (!skipSignatures) {
                Path file = certificate != null ? certificate
                        : Path.of(config.get("fedgate.caf.public-key", SAMPLE_CAF_PUBLIC));
                caf = PgpKeys.readPublicKeyRing(file);
                String pinned = config.get("fedgate.caf.fingerprint", "");
                if (!pinned.isEmpty() && !PgpKeys.fingerprint(caf.getPublicKey())
                        .equalsIgnoreCase(pinned.replace(" ", ""))) {
                    err().println("the CAF certificate " + file + " is not the pinned key " + pinned);
                    return BROKEN;
                }
            }
            DataSource ds = openDatabase(config, err());
            if (ds == null) {
                return NOT_FOUND;
            }
            Verification v = new AuditLedger(ds, Clock.systemUTC()).verify(caf);
            close(config, ds);
            out().println(v.summary() + (skipSignatures && v.ok() ? " (signatures not checked)" : ""));
            out().flush();
            return v.ok() ? 0 : BROKEN;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Print the full story of one request (request history and ledger events).")
    public static final class Export extends Sub implements Callable<Integer> {
        enum Format { json, text }

        @Option(names = "--request", required = true, description = "Request id, e.g. FED-2026-000001.")
        String requestId;
        @Option(names = "--format", defaultValue = "text", description = "json or text (French). Default: ${DEFAULT-VALUE}.")
        Format format;

        @Override
        public Integer call() {
            if (!requestId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--request: not a request id");
            }
            GatewayConfig config = parent.config(home);
            DataSource ds = openDatabase(config, err());
            if (ds == null) {
                return NOT_FOUND;
            }
            RequestStory story = new AuditLedger(ds, Clock.systemUTC()).export(requestId);
            close(config, ds);
            if (story.isEmpty()) {
                err().println("no request " + requestId + " in the requests or the ledger");
                return NOT_FOUND;
            }
            out().print(format == Format.json ? story.toJson() : story.toFrenchText());
            out().flush();
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Sign the chain head with the CAF's key now (the gateway also does it once a day).")
    public static final class Sign extends Sub implements Callable<Integer> {
        @Option(names = "--caf-key", description = "The CAF's OpenPGP secret key (default: fedgate.caf.secret-key, else the "
                + "sample " + SAMPLE_CAF_SECRET + "); passphrase from FEDGATE_CAF_PASSPHRASE or fedgate.caf.passphrase-file.")
        Path secretKey;
        @Option(names = "--actor", description = "Who signs, recorded in the ledger (default: cli:<user name>).")
        String actor;

        @Override
        public Integer call() throws Exception {
            GatewayConfig config = parent.config(home);
            Path keyFile = secretKey != null ? secretKey : Path.of(config.get("fedgate.caf.secret-key", SAMPLE_CAF_SECRET));
            char[] pass = Passphrase.from("FEDGATE_CAF_PASSPHRASE",
                    Path.of(config.get("fedgate.caf.passphrase-file", SAMPLE_CAF_PASS)));
            SigningKey key;
            try {
                key = PgpKeys.signingKey(PgpKeys.readSecretKeyRing(keyFile), pass, Clock.systemUTC().instant());
            } finally {
                Passphrase.wipe(pass);
            }
            DataSource ds = openDatabase(config, err());
            if (ds == null) {
                return NOT_FOUND;
            }
            String who = actor != null ? actor
                    : "cli:" + System.getProperty("user.name", "unknown").toLowerCase(Locale.ROOT);
            SignedHead s = new AuditLedger(ds, Clock.systemUTC()).signHead(key, who);
            close(config, ds);
            out().println("head #" + s.seq() + " " + s.hash() + " signed by " + s.signerFingerprint());
            out().flush();
            return 0;
        }
    }
}
