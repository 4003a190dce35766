package fedgate.validation;

import fedgate.fed.Feuillet1;
import fedgate.partner.Partner;

import java.util.List;
import java.util.Optional;

/**
 * The verdict on one request.
 *
 * @param reasons  every problem found (not only the first), then the information notes
 * @param feuillet the canonical request: partner from the channel, catalogue codes, territory codes, defaults
 *                 filled in — also when rejected, for the quarantine record
 * @param partner  the partner the channel identified, null when none
 */
public record ValidationResult(List<Reason> reasons, Feuillet1 feuillet, Partner partner) {

    public ValidationResult {
        reasons = List.copyOf(reasons);
    }

    /** True when no reason is blocking. */
    public boolean accepted() {
        return reasons.stream().noneMatch(Reason::blocking);
    }

    public List<Reason> blocking() {
        return reasons.stream().filter(Reason::blocking).toList();
    }

    public List<Reason> notes() {
        return reasons.stream().filter(r -> !r.blocking()).toList();
    }

    public boolean has(Reason.Code code) {
        return reasons.stream().anyMatch(r -> r.code() == code);
    }

    /** Art. 4: the study is to be diffused externally, which needs the Bureau d'Études' prior approval. */
    public boolean needsExternalApproval() {
        return feuillet.diffusion() == Feuillet1.Diffusion.EXTERNE;
    }

    public Optional<Partner> partnerOpt() {
        return Optional.ofNullable(partner);
    }

    /** The reasons as a French text for a rejection or an acknowledgement, one per line. */
    public String toFrench() {
        StringBuilder b = new StringBuilder(accepted()
                ? "Votre demande est recevable."
                : "Votre demande ne peut pas être traitée en l'état, pour les raisons suivantes :");
        for (Reason r : accepted() ? notes() : blocking()) {
            b.append("\n- ").append(r.text());
        }
        if (!accepted() && !notes().isEmpty()) {
            b.append("\nPour information :");
            notes().forEach(r -> b.append("\n- ").append(r.text()));
        }
        return b.toString();
    }
}
