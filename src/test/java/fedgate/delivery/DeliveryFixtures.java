package fedgate.delivery;

import fedgate.crypto.DecryptionKeys;
import fedgate.crypto.PartnerKey;
import fedgate.crypto.Passphrase;
import fedgate.crypto.PgpKeys;
import fedgate.crypto.SigningKey;
import fedgate.fed.Feuillet1;
import fedgate.ledger.UsageTerms;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Sample keys of certs-sample/pgp, the sample partner and a small extract directory written by hand. */
public final class DeliveryFixtures {
    public static final Path DIR = Path.of("certs-sample/pgp");
    public static final Path CAF_PUB = DIR.resolve("caf-rouen.pub.asc");
    public static final Path CAF_SEC = DIR.resolve("caf-rouen.sec.asc");
    public static final Path CAF_PASS = DIR.resolve("caf-rouen.pass");
    public static final Path VILLE_PUB = DIR.resolve("ville-rouen.pub.asc");
    public static final Path VILLE_SEC = DIR.resolve("ville-rouen.sec.asc");
    public static final Path VILLE_PASS = DIR.resolve("ville-rouen.pass");
    public static final String CAF_FPR = "FC9E95962F83426053AE8D594A44F6A0F6937519";
    public static final String VILLE_FPR = "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406";
    public static final String VILLE_SUBKEY_FPR = "54543E8018AEBFD50B3E8D9E13EA35FE6A130ABC";
    /** Inside the sample keys' validity (2026-11-28 .. 2029-11-27). */
    public static final Instant NOW = Instant.parse("2027-06-01T10:00:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    public static final String REQUEST = "FED-2027-000042";

    private static SigningKey caf;
    private static SigningKey villeSigning;
    private static DecryptionKeys villeDecryption;

    private DeliveryFixtures() {
    }

    public static synchronized SigningKey cafSigningKey() throws Exception {
        if (caf == null) {
            char[] pass = Passphrase.from(null, CAF_PASS);
            caf = PgpKeys.signingKey(PgpKeys.readSecretKeyRing(CAF_SEC), pass, NOW);
            Passphrase.wipe(pass);
        }
        return caf;
    }

    /** The partner's own key used as a signer: what a partner forging a receipt would have. */
    public static synchronized SigningKey villeSigningKey() throws Exception {
        if (villeSigning == null) {
            char[] pass = Passphrase.from(null, VILLE_PASS);
            villeSigning = PgpKeys.signingKey(PgpKeys.readSecretKeyRing(VILLE_SEC), pass, NOW);
            Passphrase.wipe(pass);
        }
        return villeSigning;
    }

    public static synchronized DecryptionKeys villeDecryptionKeys() throws Exception {
        if (villeDecryption == null) {
            char[] pass = Passphrase.from(null, VILLE_PASS);
            villeDecryption = PgpKeys.decryptionKeys(PgpKeys.readSecretKeyRing(VILLE_SEC), pass);
            Passphrase.wipe(pass);
        }
        return villeDecryption;
    }

    public static PGPPublicKeyRing cafPublic() throws Exception {
        return PgpKeys.readPublicKeyRing(CAF_PUB);
    }

    public static Partner ville() {
        return PartnerRegistry.readClasspath("ville-rouen");
    }

    public static PartnerKey villeKey() throws Exception {
        return DeliveryPackager.recipientKey(ville(), PgpKeys.readPublicKeyRing(VILLE_PUB), NOW);
    }

    public static UsageTerms.Applied terms() {
        return UsageTerms.current().forDelivery(ville(), "Diagnostic social de territoire 2027 (quartiers prioritaires)",
                Feuillet1.Diffusion.INTERNE, LocalDate.parse("2027-12-31"));
    }

    public static DeliveryPackager.Order order(DeliveryId id) throws Exception {
        return new DeliveryPackager.Order(villeKey(), id, DeliveryChannel.SFTP, terms());
    }

    public static DeliveryPackager packager() throws Exception {
        return new DeliveryPackager(cafSigningKey(), CLOCK);
    }

    public static ReceiptVerifier verifier() throws Exception {
        return new ReceiptVerifier(cafPublic(), CAF_FPR, CLOCK);
    }

    /** An extract directory as {@code fedgate extract} writes it (small, but the CSV spans several 64 KiB buffers). */
    public static Path extractDir(Path parent, String decision) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("extract-" + decision));
        StringBuilder csv = new StringBuilder("# Source : CAF de Rouen — 31/12/2026\n"
                + "indicator;category;level;territory;territory_label;value;status\n");
        for (int i = 0; csv.length() < 200_000; i++) {
            csv.append("ALLOC;ensemble;iris;7654000").append(String.format("%02d", i % 100)).append(";Rouen IRIS ")
                    .append(i).append(';').append(i % 7 == 0 ? "s" : String.valueOf(100 + i)).append(';')
                    .append(i % 7 == 0 ? "frequency" : "published").append('\n');
        }
        Files.writeString(dir.resolve("extract.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("extract.json"), "{\n  \"requestId\" : \"" + REQUEST + "\",\n"
                + "  \"source\" : \"Source : CAF de Rouen — 31/12/2026\",\n  \"cells\" : [ ]\n}\n");
        Files.writeString(dir.resolve("disclosure-report.json"), """
                {
                  "requestId" : "%s",
                  "source" : "Source : CAF de Rouen — 31/12/2026",
                  "snapshot" : { "file" : "snapshot-2026.parquet", "date" : "2026-12-31" },
                  "policyVersion" : "2026.1",
                  "catalogueVersion" : "2026.1",
                  "territory" : "200023414",
                  "decision" : "%s",
                  "audit" : { "passed" : %s, "failures" : 0 },
                  "counts" : { "published" : 120, "territory" : 3, "frequency" : 9, "dominance" : 1, "secondary" : 6 },
                  "suppressed" : [ ]
                }
                """.formatted(REQUEST, decision, "delivered".equals(decision)));
        Files.writeString(dir.resolve("disclosure-report.md"), "# Rapport de secret statistique\n\n- Source : CAF de Rouen — 31/12/2026\n");
        return dir;
    }

    public static Path extractDir(Path parent) throws IOException {
        return extractDir(parent, "delivered");
    }
}
