package fedgate.decision;

import fedgate.extract.Feasibility;
import fedgate.extract.IndicatorCatalogue;
import fedgate.fed.Feuillet1;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The optional policy {@code fedgate.decision.auto-approve}: a request the Bureau d'Études would always grant is
 * approved without waiting — internal diffusion (an external one needs the Bureau's explicit approval, Art. 4),
 * every indicator asked belongs to the socle de données de cadrage (Annexe 1), and the feasibility draft finds
 * every one of them publishable at every level with nothing held back.
 */
public final class AutoApproval {

    public static final String ACTOR = "policy:auto-approve";
    public static final String MOTIF = "Demande couverte par le socle de données de cadrage (Annexe 1) : "
            + "toutes les données demandées sont disponibles et publiables dans le respect du secret statistique.";

    private AutoApproval() {
    }

    /** Empty when the request may be approved automatically, else why not (English, for the log). */
    public static Optional<String> refusal(Feuillet1 request, Feasibility.Draft draft, IndicatorCatalogue catalogue) {
        if (request.diffusion() == Feuillet1.Diffusion.EXTERNE) {
            return Optional.of("external diffusion needs the Bureau's explicit approval (Art. 4)");
        }
        Set<String> socle = catalogue.socle().stream().map(IndicatorCatalogue.Indicator::code)
                .collect(Collectors.toSet());
        if (request.indicators().isEmpty() || !socle.containsAll(request.indicators())) {
            return Optional.of("not every indicator asked is in the socle");
        }
        if (!draft.unknownIndicators().isEmpty() || draft.lines().isEmpty()) {
            return Optional.of("the draft has unknown indicators or no line");
        }
        for (Feasibility.Line l : draft.lines()) {
            if (!l.publishable() || !l.motifs().isEmpty()) {
                return Optional.of(l.indicator() + " at " + l.level().code() + " is not fully publishable");
            }
        }
        return Optional.empty();
    }
}
