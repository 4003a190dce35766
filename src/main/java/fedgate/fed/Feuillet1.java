package fedgate.fed;

import java.time.LocalDate;
import java.util.List;

/**
 * The canonical FED request, "feuillet numéro 1" of Annexe 2 (Art. 5.2, 5.3).
 * Every channel and every document layout ends up as one of these; its JSON form is described by
 * {@code src/main/resources/fedgate/schema/feuillet1.schema.json}.
 *
 * @param partnerId              the partner, taken from the authenticated channel, never from the document
 * @param requestingOrganisation "Organisme demandeur"
 * @param referent               "Le Référent"
 * @param requestingService      "Le Service demandeur" (Art. 5.3: origin of the service)
 * @param study                  "Étude envisagée" (Art. 5.3: objectives of the study)
 * @param indicatorsRequested    "Indicateurs sollicités" as written by the referent
 * @param indicators             catalogue codes the requested indicators map to (filled by validation)
 * @param territories            territories asked for (commune, agglomeration, infra-communal); empty = default
 * @param referenceYear          reference year of the data, null = latest available
 * @param diffusion              interne / externe (Art. 4)
 * @param desiredDeadline        "Délais souhaités", free text
 * @param date                   date of the form
 * @param signature              who signed: the authenticated channel and/or an OpenPGP signature
 */
public record Feuillet1(
        String partnerId,
        String requestingOrganisation,
        Referent referent,
        RequestingService requestingService,
        String study,
        List<String> indicatorsRequested,
        List<String> indicators,
        List<String> territories,
        Integer referenceYear,
        Diffusion diffusion,
        String desiredDeadline,
        LocalDate date,
        String signature) {

    public Feuillet1 {
        indicatorsRequested = indicatorsRequested == null ? List.of() : List.copyOf(indicatorsRequested);
        indicators = indicators == null ? List.of() : List.copyOf(indicators);
        territories = territories == null ? List.of() : List.copyOf(territories);
    }

    public record Referent(String lastName, String firstName, String service, String phone, String email) {
    }

    public record RequestingService(String title, String manager) {
    }

    /** Art. 4: external diffusion needs the Bureau d'Études' prior approval. */
    public enum Diffusion { INTERNE, EXTERNE }

    public Feuillet1 withPartnerId(String id) {
        return new Feuillet1(id, requestingOrganisation, referent, requestingService, study, indicatorsRequested,
                indicators, territories, referenceYear, diffusion, desiredDeadline, date, signature);
    }

    public Feuillet1 withIndicators(List<String> codes) {
        return new Feuillet1(partnerId, requestingOrganisation, referent, requestingService, study, indicatorsRequested,
                codes, territories, referenceYear, diffusion, desiredDeadline, date, signature);
    }

    public Feuillet1 withSignature(String s) {
        return new Feuillet1(partnerId, requestingOrganisation, referent, requestingService, study, indicatorsRequested,
                indicators, territories, referenceYear, diffusion, desiredDeadline, date, s);
    }
}
