package fedgate.app;

import fedgate.ledger.AuditLedger;
import fedgate.ledger.EventTypes;
import fedgate.state.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuditCommandTest {

    @TempDir
    Path home;

    private DataSource ds;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int audit(String... args) {
        CommandLine cl = new CommandLine(new AuditCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private AuditLedger ledgerWithEvents() {
        ds = Database.migrate(Database.h2(home.resolve("data").resolve("db")));
        AuditLedger ledger = new AuditLedger(ds, Clock.systemUTC());
        ledger.append("referent@ville-rouen.example", "FED-2026-000001", EventTypes.REQUEST_RECEIVED,
                Map.of("channel", "MAIL", "sha256", "ab".repeat(32)));
        ledger.append("gateway", "FED-2026-000001", EventTypes.REQUEST_VALIDATED, Map.of());
        ledger.append("bureau", "FED-2026-000001", EventTypes.FEUILLET2_DECIDED, Map.of("favorable", true));
        return ledger;
    }

    @AfterEach
    void shutdown() throws Exception {
        if (ds != null) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
        }
    }

    @Test
    void verifyExitsZeroOnAnIntactLedgerAndNamesTheFirstBadEventOtherwise() throws Exception {
        ledgerWithEvents();
        assertThat(audit("--home", home.toString(), "verify")).isZero();
        assertThat(out.toString()).startsWith("ledger intact: 3 event(s)");

        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE ledger_event SET details = '{\"favorable\":false}' WHERE seq = 3");
        }
        out.getBuffer().setLength(0);
        assertThat(audit("verify", "--home", home.toString())).isEqualTo(AuditCommand.BROKEN);
        assertThat(out.toString()).isEqualTo("LEDGER BROKEN at event #3: event #3 altered: its content no longer "
                + "matches its hash" + System.lineSeparator());
    }

    @Test
    void signThenVerifyChecksTheHeadSignatureWithTheCafCertificate() {
        ledgerWithEvents();
        assertThat(audit("--home", home.toString(), "sign", "--actor", "bureau")).isZero();
        assertThat(out.toString()).startsWith("head #3 ").contains("signed by FC9E95962F83426053AE8D594A44F6A0F6937519");
        out.getBuffer().setLength(0);
        assertThat(audit("--home", home.toString(), "verify")).isZero();
        assertThat(out.toString()).startsWith("ledger intact: 4 event(s)").contains("1 head signature(s) verified");
        out.getBuffer().setLength(0);
        // the partner's certificate is not the CAF's: the signature does not verify
        assertThat(audit("--home", home.toString(), "verify", "--caf-certificate",
                "certs-sample/pgp/ville-rouen.pub.asc")).isEqualTo(AuditCommand.BROKEN);
        assertThat(out.toString()).startsWith("LEDGER BROKEN at event #3: the signature of head #3");
    }

    @Test
    void exportPrintsTheStoryInFrenchOrJson() {
        ledgerWithEvents();
        assertThat(audit("--home", home.toString(), "export", "--request", "FED-2026-000001")).isZero();
        assertThat(out.toString()).startsWith("Historique de la demande FED-2026-000001")
                .contains("— Demande FED-2026-000001 reçue par courriel (SHA-256 " + "ab".repeat(32) + ")")
                .contains("Feuillet 2 : avis favorable");
        out.getBuffer().setLength(0);
        assertThat(audit("--home", home.toString(), "export", "--request", "FED-2026-000001", "--format", "json"))
                .isZero();
        assertThat(out.toString()).contains("\"requestId\" : \"FED-2026-000001\"").contains("\"seq\" : 3");
    }

    @Test
    void unknownRequestOrMissingDatabaseAreReported() {
        assertThat(audit("--home", home.toString(), "verify")).isEqualTo(AuditCommand.NOT_FOUND);
        assertThat(err.toString()).contains("no fedgate database under");
        ledgerWithEvents();
        assertThat(audit("--home", home.toString(), "export", "--request", "FED-2026-999999"))
                .isEqualTo(AuditCommand.NOT_FOUND);
        assertThat(err.toString()).contains("no request FED-2026-999999");
        assertThat(audit("--home", home.toString(), "export", "--request", "../etc/passwd")).isEqualTo(2);
    }

    /** The gateway holds the embedded H2 file (single-process): the CLI says so instead of a stack trace. */
    @Test
    void verifyWhileAGatewayProcessHoldsTheEmbeddedDatabaseExplainsWhy() throws Exception {
        ledgerWithEvents();
        shutdown();
        ds = null;
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldDatabase.class.getName(), home.toString(), "20000")
                .redirectErrorStream(true).start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
            String line;
            while ((line = r.readLine()) != null && !line.equals("holding")) {
                // skip the child's log lines
            }
            assertThat(line).isEqualTo("holding");
            assertThat(audit("--home", home.toString(), "verify")).isEqualTo(AuditCommand.NOT_FOUND);
            assertThat(err.toString()).contains("is in use by a running gateway");
        } finally {
            holder.destroy();
            holder.waitFor();
        }
    }
}
