package fedgate.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/** The sample keys of {@code certs-sample/pgp}. */
final class Fixtures {
    static final Path DIR = Path.of("certs-sample/pgp");
    static final Path CAF_PUB = DIR.resolve("caf-rouen.pub.asc");
    static final Path CAF_SEC = DIR.resolve("caf-rouen.sec.asc");
    static final Path CAF_PASS = DIR.resolve("caf-rouen.pass");
    static final Path VILLE_PUB = DIR.resolve("ville-rouen.pub.asc");
    static final Path VILLE_SEC = DIR.resolve("ville-rouen.sec.asc");
    static final Path VILLE_PASS = DIR.resolve("ville-rouen.pass");
    static final String CAF_FPR = "FC9E95962F83426053AE8D594A44F6A0F6937519";
    static final String VILLE_FPR = "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406";
    /** Inside the sample keys' validity (2026-11-28 .. 2029-11-27) whatever the machine's clock says. */
    static final Instant NOW = Instant.parse("2027-06-01T10:00:00Z");

    private static SigningKey cafSigning;
    private static PartnerKey ville;
    private static DecryptionKeys villeDecryption;
    private static DecryptionKeys cafDecryption;

    private Fixtures() {
    }

    static synchronized SigningKey cafSigningKey() throws Exception {
        if (cafSigning == null) {
            char[] pass = Passphrase.from(null, CAF_PASS);
            cafSigning = PgpKeys.signingKey(PgpKeys.readSecretKeyRing(CAF_SEC), pass, NOW);
            Passphrase.wipe(pass);
        }
        return cafSigning;
    }

    static synchronized PartnerKey villeKey() throws Exception {
        if (ville == null) {
            ville = PgpKeys.partnerKey("ville-rouen", VILLE_PUB, VILLE_FPR, NOW);
        }
        return ville;
    }

    static synchronized DecryptionKeys villeDecryptionKeys() throws Exception {
        if (villeDecryption == null) {
            char[] pass = Passphrase.from(null, VILLE_PASS);
            villeDecryption = PgpKeys.decryptionKeys(PgpKeys.readSecretKeyRing(VILLE_SEC), pass);
            Passphrase.wipe(pass);
        }
        return villeDecryption;
    }

    static synchronized DecryptionKeys cafDecryptionKeys() throws Exception {
        if (cafDecryption == null) {
            char[] pass = Passphrase.from(null, CAF_PASS);
            cafDecryption = PgpKeys.decryptionKeys(PgpKeys.readSecretKeyRing(CAF_SEC), pass);
            Passphrase.wipe(pass);
        }
        return cafDecryption;
    }

    static PGPPublicKeyRing cafPublic() throws Exception {
        return PgpKeys.readPublicKeyRing(CAF_PUB);
    }

    static PGPPublicKeyRing villePublic() throws Exception {
        return PgpKeys.readPublicKeyRing(VILLE_PUB);
    }

    /** CSV-like bytes, deterministic. */
    static byte[] sampleCsv(int size) {
        StringBuilder sb = new StringBuilder("commune;annee;allocataires\n");
        Random random = new Random(42);
        while (sb.length() < size) {
            sb.append("76540;").append(2020 + random.nextInt(5)).append(';').append(random.nextInt(5000)).append('\n');
        }
        return sb.substring(0, size).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
