package fedgate.validation;

import fedgate.partner.Partner;

import java.util.Optional;

/**
 * Which territories a partner may ask about, and what the names it writes stand for. The extract engine will
 * provide one backed by the real geography (communes, IRIS, EPCI of the snapshot); until then
 * {@link DefaultTerritoryDirectory} knows the partner's own territories and the shape of INSEE codes.
 */
public interface TerritoryDirectory {

    /**
     * The code {@code text} designates for {@code partner} — a code as such ("76540", "765400101") or a name
     * ("Rouen", "Commune de Rouen", "la Métropole") — or empty when it is not a known territory.
     */
    Optional<String> resolve(Partner partner, String text);

    /** In French, what the partner may ask for: used in the reason for an unknown territory. */
    String describeKnown(Partner partner);
}
