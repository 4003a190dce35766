package fedgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import fedgate.delivery.Delivery;
import fedgate.delivery.DeliveryFixtures;
import fedgate.delivery.DeliveryId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReceiptCommandTest {

    @TempDir
    Path tmp;
    Delivery d;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void deliver() throws Exception {
        d = DeliveryFixtures.packager().packageExtract(DeliveryFixtures.extractDir(tmp),
                DeliveryFixtures.order(DeliveryId.forRequest(DeliveryFixtures.REQUEST, 1)), tmp.resolve("out"));
    }

    private int run(String... args) {
        CommandLine cl = new CommandLine(new ReceiptCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void verifyPassesOnAnIntactDelivery() {
        int rc = run("verify", d.manifestFile().toString());
        assertThat(rc).as(out + "" + err).isZero();
        assertThat(out.toString())
                .contains("OK : signature de la CAF valide (" + DeliveryFixtures.CAF_FPR + ")")
                .contains("OK : livraison DLV-FED-2027-000042-v1 (demande FED-2027-000042) pour ville-rouen")
                .contains("Reçu conforme : 4 fichier(s) vérifié(s).");
    }

    @Test
    void verifyWithThePartnerKeyAlsoChecksTheDecryptedContent() {
        int rc = run("verify", d.manifestFile().toString(), "--partner-key", DeliveryFixtures.VILLE_SEC.toString(),
                "--partner-passphrase-file", DeliveryFixtures.VILLE_PASS.toString());
        assertThat(rc).as(out + "" + err).isZero();
        assertThat(out.toString()).contains("4 déchiffré(s)");
        assertThat(out + "" + err).doesNotContain(readPass());
    }

    @Test
    void tamperedFileExitsNonZeroNamingIt() throws Exception {
        Path csv = d.directory().resolve("extract.csv.pgp");
        byte[] bytes = Files.readAllBytes(csv);
        bytes[100] ^= 0x10;
        Files.write(csv, bytes);
        int rc = run("verify", d.manifestFile().toString());
        assertThat(rc).isEqualTo(ReceiptCommand.MISMATCH);
        assertThat(out.toString()).contains("ÉCHEC : extract.csv.pgp : empreinte SHA-256 différente")
                .contains("Reçu NON conforme : 1 problème(s).");
    }

    @Test
    void tamperedManifestExitsNonZero() throws Exception {
        Files.writeString(d.manifestFile(), Files.readString(d.manifestFile()).replace("2027-12-31", "2037-12-31"));
        assertThat(run("verify", d.manifestFile().toString())).isEqualTo(ReceiptCommand.MISMATCH);
        assertThat(out.toString()).contains("ÉCHEC : Signature du manifeste invalide");
    }

    @Test
    void wrongPinnedFingerprintExitsNonZero() {
        int rc = run("verify", d.manifestFile().toString(), "--caf-key", DeliveryFixtures.VILLE_PUB.toString());
        assertThat(rc).isEqualTo(ReceiptCommand.MISMATCH);
        assertThat(out.toString()).contains("ÉCHEC : L'empreinte de la clé OpenPGP de la CAF");
    }

    @Test
    void unreadableKeyIsAnError() {
        int rc = run("verify", d.manifestFile().toString(), "--caf-key", tmp.resolve("none.asc").toString());
        assertThat(rc).isEqualTo(ReceiptCommand.ERROR);
        assertThat(err.toString()).startsWith("ERREUR : ");
    }

    private static String readPass() {
        try {
            return Files.readString(DeliveryFixtures.VILLE_PASS).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
