package fedgate.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The French texts of the study obligation (Art. 3): reminders, acknowledgement of a study, refusal. */
public final class ObligationTexts {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MM/yyyy 'à' HH:mm:ss")
            .withZone(ZoneId.of("Europe/Paris"));
    static final String SIGNATURE = "\n--\nBureau d'Études de la CAF de Rouen\n"
            + "Message envoyé automatiquement par la passerelle d'échange de données FED.\n";

    private ObligationTexts() {
    }

    public static String reminderSubject(String requestId, int number, boolean overdue) {
        return "Rappel n° " + number + " : exemplaire de l'étude " + (overdue ? "attendu (échéance dépassée)"
                : "à transmettre") + " — demande " + requestId;
    }

    /**
     * @param study   the study as feuillet 1 names it ("Étude envisagée")
     * @param inbox   the SFTP file name to use, {@code etude-FED-….<ext>}
     */
    public static String reminderBody(String partnerName, String referentName, String requestId, String study,
                                      Instant deliveredAt, LocalDate dueDate, int number, boolean overdue) {
        StringBuilder b = new StringBuilder();
        b.append("Bonjour").append(referentName == null ? "" : " " + referentName).append(",\n\n");
        b.append("Les données demandées par ").append(partnerName).append(" (demande ").append(requestId)
                .append(") vous ont été livrées");
        if (deliveredAt != null) {
            b.append(" le ").append(DATE.format(deliveredAt.atZone(ZoneId.of("Europe/Paris"))));
        }
        b.append(".\n");
        b.append("Étude concernée : ").append(study == null ? "(non précisée)" : study).append("\n\n");
        b.append("En contrepartie de la livraison des données, la convention de partage de données prévoit que le ")
                .append("bénéficiaire fournit à la CAF de Rouen un exemplaire de l'étude réalisée (article 3).\n");
        if (overdue) {
            b.append("L'exemplaire était attendu au plus tard le ").append(DATE.format(dueDate))
                    .append(" et ne nous est pas encore parvenu.\n\n");
        } else {
            b.append("Il est attendu au plus tard le ").append(DATE.format(dueDate)).append(".\n\n");
        }
        b.append("Pour nous le transmettre, au choix :\n");
        b.append("  - répondez à ce courriel en joignant l'étude, en conservant la référence ").append(requestId)
                .append(" dans l'objet ;\n");
        b.append("  - ou déposez le fichier dans votre dépôt SFTP, répertoire /inbox, sous le nom ")
                .append("etude-").append(requestId).append(".<extension> (par exemple etude-").append(requestId)
                .append(".pdf).\n\n");
        b.append("Un accusé de réception vous sera adressé dès la réception de l'étude, et la demande sera close.\n");
        b.append("Ceci est le rappel n° ").append(number).append(".\n");
        b.append(SIGNATURE);
        return b.toString();
    }

    public static String receivedSubject(String requestId) {
        return "Accusé de réception : exemplaire de l'étude — demande " + requestId;
    }

    public static String receivedBody(String requestId, String study, String channelFr, String fileName, String sha256,
                                      long size, Instant at) {
        return "Bonjour,\n\n"
                + "Nous accusons réception de l'exemplaire de l'étude réalisée à partir des données de la demande "
                + requestId + " (article 3 de la convention).\n\n"
                + "Étude : " + (study == null ? "(non précisée)" : study) + "\n"
                + "Reçue le : " + TIME.format(at) + " (heure de Paris), " + channelFr + "\n"
                + "Fichier : " + fileName + " (" + size + " octets)\n"
                + "SHA-256 : " + sha256 + "\n\n"
                + "La demande " + requestId + " est désormais close. Merci de votre contribution à l'analyse "
                + "partagée (article 4).\n"
                + SIGNATURE;
    }

    public static String refusedSubject(String requestId) {
        return "Document non accepté : exemplaire de l'étude — demande " + requestId;
    }

    public static String refusedBody(String requestId, String fileName, String reasonFr, Instant at) {
        return "Bonjour,\n\n"
                + "Le document reçu le " + TIME.format(at) + " (heure de Paris)"
                + (fileName == null ? "" : ", fichier « " + fileName + " »,")
                + " comme exemplaire de l'étude de la demande " + requestId + " n'a pas pu être accepté :\n\n"
                + "  " + reasonFr + "\n\n"
                + "Le document est conservé par la CAF de Rouen. Pour toute question, contactez le Bureau d'Études.\n"
                + SIGNATURE;
    }

    public static String channelFr(String channel) {
        return switch (channel) {
            case "MAIL" -> "par courriel";
            case "SFTP" -> "par dépôt SFTP";
            default -> "par " + channel;
        };
    }
}
