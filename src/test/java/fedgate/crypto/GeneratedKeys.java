package fedgate.crypto;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/** Keys made by the real gpg for the attack tests (ed25519/cv25519: generated in milliseconds). */
final class GeneratedKeys {

    private GeneratedKeys() {
    }

    record Generated(String fingerprint, PGPPublicKeyRing ring) {
    }

    /** A key [S] + encryption subkey [E], both made at {@code fakedTime} (gpg syntax, null = now) with {@code expire}. */
    static Generated generate(Gpg gpg, String uid, String fakedTime, String expire) throws Exception {
        List<String> time = fakedTime == null ? List.of() : List.of("--faked-system-time", fakedTime + "!");
        Gpg.Result r = gpg.run(concat(time, List.of("--passphrase", "", "--pinentry-mode", "loopback",
                "--quick-gen-key", uid, "ed25519", "sign", expire)));
        check(r, "quick-gen-key");
        String fpr = fingerprintOf(gpg, uid);
        check(gpg.run(concat(time, List.of("--passphrase", "", "--pinentry-mode", "loopback", "--quick-add-key", fpr,
                "cv25519", "encr", expire))), "quick-add-key");
        return new Generated(fpr, export(gpg, fpr));
    }

    static PGPPublicKeyRing export(Gpg gpg, String fpr) throws Exception {
        Gpg.Result r = gpg.run(List.of("--armor", "--export", fpr));
        check(r, "export");
        return PgpKeys.readPublicKeyRing(new ByteArrayInputStream(r.status().getBytes(StandardCharsets.US_ASCII)));
    }

    /** Imports the revocation certificate gpg wrote at generation time: the key is then revoked. */
    static PGPPublicKeyRing revoke(Gpg gpg, String fpr) throws Exception {
        Path rev = gpg.home.resolve("openpgp-revocs.d").resolve(fpr + ".rev");
        String cert = Files.readString(rev).replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----");
        Path armored = Files.writeString(gpg.home.resolve("revocation.asc"), cert);
        check(gpg.run(List.of("--import", armored.toString())), "import revocation");
        return export(gpg, fpr);
    }

    static String fingerprintOf(Gpg gpg, String uid) throws Exception {
        Gpg.Result r = gpg.run(List.of("--with-colons", "--list-keys", uid));
        check(r, "list-keys");
        return r.status().lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
    }

    private static void check(Gpg.Result r, String what) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException("gpg " + what + " failed: " + r.stderr());
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
