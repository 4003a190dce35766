package fedgate.intake;

import fedgate.partner.Channel;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The French accusé de réception sent to the referent by mail or dropped in the partner's outbox. */
public final class AcknowledgementText {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("dd/MM/yyyy", Locale.FRANCE);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.FRANCE);

    private AcknowledgementText() {
    }

    public static String subject(Acknowledgement ack) {
        return (ack.accepted() ? "Accusé de réception — demande " : "Demande non recevable — ") + ack.requestId();
    }

    public static String body(Acknowledgement ack, Channel channel) {
        StringBuilder b = new StringBuilder();
        b.append("Bonjour,\n\n");
        b.append("La CAF de Rouen (Bureau d'Études) accuse réception de votre demande de données ")
                .append("(formulaire d'échange de données, feuillet n° 1).\n\n");
        b.append("Numéro de la demande : ").append(ack.requestId()).append('\n');
        b.append("Reçue le : ").append(DAY.format(ack.receivedAt().atZone(PARIS))).append(" à ")
                .append(TIME.format(ack.receivedAt().atZone(PARIS))).append(" (heure de Paris)\n");
        b.append("Canal : ").append(label(channel)).append('\n');
        b.append("Empreinte SHA-256 de ce que nous avons reçu : ").append(ack.sha256()).append('\n');
        b.append("Taille reçue : ").append(ack.sizeBytes()).append(" octets\n\n");
        List<Acknowledgement.Reason> blocking = ack.reasons().stream().filter(Acknowledgement.Reason::blocking).toList();
        List<Acknowledgement.Reason> notes = ack.reasons().stream().filter(r -> !r.blocking()).toList();
        if (ack.accepted()) {
            b.append("Votre demande est recevable. Elle est transmise au Bureau d'Études, qui vous répondra ")
                    .append("par le feuillet n° 2 (conditions de faisabilité, Art. 5.3 de la convention).\n");
        } else {
            b.append("Votre demande ne peut pas être instruite en l'état, pour le(s) motif(s) suivant(s) :\n");
            blocking.forEach(r -> b.append("  - ").append(r.text()).append('\n'));
            b.append("\nVous pouvez nous adresser une demande corrigée ; elle recevra un nouveau numéro.\n");
        }
        if (!notes.isEmpty()) {
            b.append("\nÀ noter :\n");
            notes.forEach(r -> b.append("  - ").append(r.text()).append('\n'));
        }
        b.append("\nMerci de rappeler le numéro ").append(ack.requestId())
                .append(" dans toute correspondance relative à cette demande.\n\n");
        b.append("Le Bureau d'Études — CAF de Rouen\n");
        b.append("(message envoyé automatiquement par la passerelle d'échange de données)\n");
        return b.toString();
    }

    static String label(Channel channel) {
        return switch (channel) {
            case MAIL -> "courrier électronique";
            case SFTP -> "dépôt SFTP";
            case BROKER -> "messagerie applicative (broker)";
        };
    }
}
