package fedgate.app;

import fedgate.crypto.DecryptionKeys;
import fedgate.crypto.Passphrase;
import fedgate.crypto.PgpException;
import fedgate.crypto.PgpKeys;
import fedgate.delivery.DeliveryManifest;
import fedgate.delivery.ReceiptVerifier;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * {@code fedgate receipt}: delivery receipts. {@code fedgate receipt verify MANIFEST} checks the CAF's signature of
 * the manifest and the size and SHA-256 of every delivered file next to it (and, with the partner's secret key, the
 * decrypted content). Exit 0 when everything matches, {@value #MISMATCH} with one French line per problem otherwise,
 * {@value #ERROR} when the keys cannot be read.
 */
@Command(name = "receipt", mixinStandardHelpOptions = true, description = "Delivery receipts (signed manifests).",
        subcommands = {ReceiptCommand.Verify.class, CommandLine.HelpCommand.class})
public final class ReceiptCommand implements Runnable {

    public static final int MISMATCH = 1;
    public static final int ERROR = 2;
    /** The sample CAF key of certs-sample/pgp (throw-away); production gives its own with --caf-key and --caf-fingerprint. */
    public static final String SAMPLE_CAF_FINGERPRINT = "FC9E95962F83426053AE8D594A44F6A0F6937519";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a delivery manifest: CAF signature, then size and SHA-256 of each delivered file.")
    static final class Verify implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MANIFEST", description = "manifest.json of the delivery (files next to it).")
        Path manifest;
        @Option(names = "--signature", paramLabel = "FILE", description = "Detached signature (default: MANIFEST.asc).")
        Path signature;
        @Option(names = "--caf-key", paramLabel = "FILE", defaultValue = "certs-sample/pgp/caf-rouen.pub.asc",
                description = "The CAF's public key (default: ${DEFAULT-VALUE}).")
        Path cafKey;
        @Option(names = "--caf-fingerprint", paramLabel = "FPR", defaultValue = SAMPLE_CAF_FINGERPRINT,
                description = "The CAF key's fingerprint, as published in the convention (default: the sample key's).")
        String cafFingerprint;
        @Option(names = "--partner-key", paramLabel = "FILE",
                description = "The partner's secret key: also decrypt each file and check its content hash.")
        Path partnerKey;
        @Option(names = "--partner-passphrase-file", paramLabel = "FILE",
                description = "Passphrase of --partner-key (or environment variable FEDGATE_PARTNER_PASSPHRASE).")
        Path partnerPassphraseFile;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ReceiptVerifier verifier;
            try {
                PGPPublicKeyRing caf = PgpKeys.readPublicKeyRing(cafKey);
                verifier = new ReceiptVerifier(caf, cafFingerprint, Clock.systemUTC());
                if (partnerKey != null) {
                    char[] pass = Passphrase.from("FEDGATE_PARTNER_PASSPHRASE", partnerPassphraseFile);
                    try {
                        DecryptionKeys keys = PgpKeys.decryptionKeys(PgpKeys.readSecretKeyRing(partnerKey), pass);
                        verifier = verifier.withDecryption(keys);
                    } finally {
                        Passphrase.wipe(pass);
                    }
                }
            } catch (PgpException e) {
                err.println("ERREUR : " + e.reason());
                return ERROR;
            } catch (java.io.IOException | IllegalArgumentException | IllegalStateException e) {
                err.println("ERREUR : clé illisible ou phrase de passe introuvable (" + e.getClass().getSimpleName() + ")");
                return ERROR;
            }
            ReceiptVerifier.Result r = signature == null ? verifier.verify(manifest) : verifier.verify(manifest, signature);
            for (ReceiptVerifier.Problem p : r.problems()) {
                out.println("ÉCHEC : " + p.message());
            }
            if (!r.ok()) {
                out.println("Reçu NON conforme : " + r.problems().size() + " problème(s).");
                out.flush();
                return MISMATCH;
            }
            DeliveryManifest m = r.manifest();
            out.println("OK : signature de la CAF valide (" + m.signerFingerprint() + ")");
            out.println("OK : livraison " + m.deliveryId() + (m.requestId() == null ? " (envoi ponctuel)" : " (demande " + m.requestId() + ")")
                    + " pour " + m.partnerId() + ", " + m.createdAt());
            for (DeliveryManifest.FileEntry f : m.files()) {
                out.println("OK : " + f.encryptedName() + " — " + f.encryptedSize() + " octets, SHA-256 " + f.encryptedSha256()
                        + (r.decrypted() > 0 ? " ; contenu déchiffré conforme (" + f.plainSize() + " octets)" : ""));
            }
            out.println("Reçu conforme : " + r.filesChecked() + " fichier(s) vérifié(s)"
                    + (r.decrypted() > 0 ? ", " + r.decrypted() + " déchiffré(s)" : "") + ".");
            out.flush();
            return 0;
        }
    }
}
