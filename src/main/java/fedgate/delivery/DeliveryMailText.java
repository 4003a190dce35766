package fedgate.delivery;

import fedgate.partner.Partner;

import java.text.NumberFormat;
import java.util.Locale;

/**
 * The French mail that carries a delivery to the partner's referent (files attached), or that announces it when
 * the files are too large for mail and were left on the partner's SFTP drop-box instead.
 */
public final class DeliveryMailText {

    private DeliveryMailText() {
    }

    public static String subject(Delivery d) {
        DeliveryManifest m = d.manifest();
        return "Livraison de données de la CAF de Rouen — " + (m.requestId() != null ? "demande " + m.requestId()
                : "envoi ponctuel") + " (" + m.deliveryId() + ")";
    }

    /**
     * @param attached     whether the files are attached to this mail
     * @param emailMaxBytes the limit above which files travel by SFTP (said in the mail when not attached)
     */
    public static String body(Partner partner, Delivery d, boolean attached, long emailMaxBytes) {
        DeliveryManifest m = d.manifest();
        StringBuilder b = new StringBuilder();
        b.append("Bonjour ").append(partner.referent().name()).append(",\n\n");
        b.append(m.requestId() != null
                ? "La CAF de Rouen vous transmet les données de votre demande " + m.requestId()
                : "Le Bureau d'Études de la CAF de Rouen vous transmet un envoi ponctuel")
                .append(" (livraison ").append(m.deliveryId()).append(", version ").append(m.deliveryVersion()).append(").\n\n");
        if (attached) {
            b.append("Les fichiers joints sont chiffrés pour votre clé OpenPGP (empreinte ")
                    .append(m.recipient().fingerprint()).append(") et signés par la CAF (empreinte ")
                    .append(m.signerFingerprint()).append(") :\n");
        } else {
            b.append("Les fichiers chiffrés représentent ").append(octets(d.encryptedBytes()))
                    .append(", au-delà de la taille maximale d'un envoi par messagerie (").append(octets(emailMaxBytes))
                    .append(") : ils ne sont pas joints à ce message mais ont été déposés dans votre espace SFTP, dans le "
                            + "dossier /outbox/").append(m.deliveryId()).append("/ :\n");
        }
        for (DeliveryManifest.FileEntry f : m.files()) {
            b.append("  - ").append(f.encryptedName()).append(" (").append(octets(f.encryptedSize())).append(", SHA-256 ")
                    .append(f.encryptedSha256()).append(")\n");
        }
        b.append("  - ").append(DeliveryFileName.MANIFEST).append(" (reçu de livraison) et ").append(DeliveryFileName.SIGNATURE)
                .append(" (sa signature par la CAF)\n\n");
        b.append("Pour vérifier : gpg --verify manifest.json.asc manifest.json, puis gpg --decrypt <fichier>.pgp ; "
                + "les empreintes SHA-256 doivent être celles du reçu.\n\n");
        b.append(m.usageTerms().frenchSummary()).append('\n');
        b.append("Ces données vous sont confiées pour un droit d'usage exclusivement (article 2 de la convention) : "
                + "aucune reproduction ni communication à des tiers. Le texte complet des conditions d'usage figure dans le reçu.\n\n");
        b.append("Le Bureau d'Études de la CAF de Rouen\n");
        return b.toString();
    }

    private static String octets(long n) {
        return NumberFormat.getIntegerInstance(Locale.FRANCE).format(n).replace('\u202f', ' ').replace('\u00a0', ' ') + " octets";
    }
}
