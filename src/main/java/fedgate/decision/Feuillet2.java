package fedgate.decision;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * "FEUILLET numéro 2" of the FED (Annexe 2): the Bureau d'Études' answer to a request (Art. 5.3, "les conditions de
 * faisabilité du partage des données"). Sent to the partner's referent as mail text plus a PDF laid out like the
 * annex ({@link Feuillet2Pdf}), and as JSON ({@code type} {@value #TYPE}) on the partner's events queue.
 *
 * @param requestId             the request answered ({@code FED-<year>-<6 digits>})
 * @param partnerId             the partner (registry id)
 * @param requestingOrganisation the "Organisme demandeur" of feuillet 1
 * @param provider              "Organisme fournisseur"
 * @param referent              "Le Référent" of the provider: the Bureau d'Études
 * @param favorable             "Réponse de l'organisme fournisseur : favorable / défavorable"
 * @param motif                 "Motif"
 * @param indicators            "Indicateurs disponibles": the indicators that will be delivered
 * @param levels                levels of the extract, in French ("Commune, EPCI")
 * @param deliveryDelay         "Délais de livraison"
 * @param externalDiffusion     whether feuillet 1 declared an external diffusion (Art. 4)
 * @param externalDiffusionApproved whether the Bureau approved it (Art. 4: "accord préalable")
 * @param date                  "Date"
 * @param signature             "Signature du Référent": who decided, for the Bureau d'Études
 */
public record Feuillet2(String type, String requestId, String partnerId, String requestingOrganisation,
                        String provider, Referent referent, boolean favorable, String motif,
                        List<Indicator> indicators, String levels, String deliveryDelay, boolean externalDiffusion,
                        boolean externalDiffusionApproved, LocalDate date, String signature) {

    public static final String TYPE = "fed.feuillet2";
    private static final DateTimeFormatter FR_DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");

    public Feuillet2 {
        indicators = indicators == null ? List.of() : List.copyOf(indicators);
    }

    /** The provider's referent: "Nom, Prénom", "Tél", "E-mail" of Annexe 2. */
    public record Referent(String name, String phone, String email) {
    }

    /** One indicator to be delivered: catalogue code and French label. */
    public record Indicator(String code, String label) {
    }

    /** Whether the extract will be produced now (favorable, and any external diffusion approved). */
    public boolean proceedsToExtract() {
        return favorable && (!externalDiffusion || externalDiffusionApproved);
    }

    public String answer() {
        return favorable ? "favorable" : "défavorable";
    }

    public String subject() {
        return "Réponse à votre demande de données " + requestId + " (FED, feuillet n° 2) : " + answer();
    }

    /** The delivery delay as written on the form. */
    public String deliveryDelayText() {
        if (!favorable) {
            return "sans objet";
        }
        return deliveryDelay == null || deliveryDelay.isBlank() ? "à réception de l'extraction (sous quelques jours)"
                : deliveryDelay;
    }

    /** Art. 4 paragraph, or null when the study stays internal. */
    public String externalDiffusionText() {
        if (!externalDiffusion || !favorable) {
            return null;
        }
        return externalDiffusionApproved
                ? "Diffusion externe : le Bureau d'Études donne son accord préalable à la diffusion externe de l'étude "
                  + "(Art. 4), avec la mention de la source des données."
                : "Diffusion externe : l'accord préalable du Bureau d'Études à la diffusion externe de l'étude (Art. 4) "
                  + "n'est pas encore donné ; l'extraction sera produite et livrée après cet accord.";
    }

    public String dateText() {
        return FR_DATE.format(date);
    }

    /** The mail body (French, plain text) that carries the PDF. */
    public String mailText() {
        StringBuilder b = new StringBuilder();
        b.append("Bonjour,\n\n");
        b.append("Le Bureau d'Études de ").append(provider).append(" a examiné votre demande de données ")
                .append(requestId).append(" (").append(requestingOrganisation).append(").\n");
        b.append("Vous trouverez ci-dessous et en pièce jointe (PDF) le feuillet n° 2 du formulaire d'échange de "
                + "données (FED), qui précise les conditions de faisabilité (convention, Art. 5.3).\n\n");
        b.append(formText());
        b.append('\n');
        if (favorable) {
            b.append(proceedsToExtract()
                    ? "Les données vous seront transmises chiffrées, avec un accusé de livraison. Elles sont transmises "
                      + "dans le seul cadre du droit d'usage : leur reproduction ou communication à des tiers est "
                      + "interdite (Art. 2) ; la source doit être mentionnée sur tout document ou dans toute réunion "
                      + "où elles sont citées (Art. 4) ; un exemplaire de l'étude réalisée est attendu en retour (Art. 3).\n"
                    : "L'extraction sera produite après l'accord préalable du Bureau d'Études à la diffusion externe "
                      + "de l'étude (Art. 4).\n");
        }
        b.append("\nCordialement,\nLe Bureau d'Études — ").append(provider).append('\n');
        return b.toString();
    }

    /** The fields of the form, in the order of Annexe 2 (used by the mail; the PDF lays out the same). */
    public String formText() {
        StringBuilder b = new StringBuilder();
        b.append("FORMULAIRE D'ÉCHANGE DE DONNÉES — FEUILLET numéro 2\n");
        b.append("Demande : ").append(requestId).append('\n');
        b.append("Organisme fournisseur : ").append(provider).append('\n');
        b.append("Le Référent\n");
        b.append("  Nom, Prénom : ").append(referent.name()).append('\n');
        b.append("  Tél : ").append(nullToDash(referent.phone())).append('\n');
        b.append("  E-mail : ").append(nullToDash(referent.email())).append('\n');
        b.append("Réponse de l'organisme fournisseur : ").append(answer()).append('\n');
        b.append("Motif : ").append(motif).append('\n');
        b.append("Indicateurs disponibles :");
        if (indicators.isEmpty()) {
            b.append(" aucun\n");
        } else {
            b.append('\n');
            for (Indicator i : indicators) {
                b.append("  - ").append(i.label()).append(" (").append(i.code()).append(")\n");
            }
            if (levels != null && !levels.isBlank()) {
                b.append("  Niveaux géographiques : ").append(levels).append('\n');
            }
        }
        b.append("Délais de livraison : ").append(deliveryDelayText()).append('\n');
        String ext = externalDiffusionText();
        if (ext != null) {
            b.append(ext).append('\n');
        }
        b.append("Date : ").append(dateText()).append('\n');
        b.append("Signature du Référent : ").append(signature).append('\n');
        return b.toString();
    }

    private static String nullToDash(String s) {
        return s == null || s.isBlank() ? "—" : s;
    }
}
