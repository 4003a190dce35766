package fedgate.validation;

import fedgate.partner.Partner;
import fedgate.partner.Partner.Territory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Until the real geography is wired in: the partner's own territories (by code, name, alias, or a generic
 * word for their kind — "commune", "ville", "agglomération", "métropole", "EPCI"), any INSEE commune code of
 * the département ({@code 76xxx}, Annexe 1 compares the commune with its agglomeration) and any IRIS code
 * (9 characters) whose first five are such a commune. Whether an infra-communal territory may be published
 * (Art. 2: ≥ 100 allocataires) is decided later, by disclosure control, not here.
 */
public final class DefaultTerritoryDirectory implements TerritoryDirectory {

    private static final Pattern COMMUNE = Pattern.compile("[0-9][0-9AB][0-9]{3}");
    private static final Pattern NINE = Pattern.compile("[0-9][0-9AB][0-9]{7}");
    private static final Pattern CODE_TOKEN = Pattern.compile("(?<![0-9A-Z])([0-9][0-9AB][0-9]{7}|[0-9][0-9AB][0-9]{3})(?![0-9A-Z])");
    private static final Set<String> COMMUNE_WORDS = Set.of("commune", "ville", "territoire communal",
            "echelle communale", "niveau communal");
    private static final Set<String> EPCI_WORDS = Set.of("agglomeration", "agglo", "metropole", "epci",
            "intercommunalite", "communaute d agglomeration", "communaute urbaine", "communaute de communes",
            "echelle de l agglomeration", "territoire de l agglomeration", "niveau intercommunal");

    private final String departement;

    /** Communes of département {@code 76} (Seine-Maritime), as for the sample partner. */
    public DefaultTerritoryDirectory() {
        this("76");
    }

    public DefaultTerritoryDirectory(String departement) {
        this.departement = departement;
    }

    @Override
    public Optional<String> resolve(Partner partner, String text) {
        if (Text.isBlank(text)) {
            return Optional.empty();
        }
        String raw = text.strip().toUpperCase(Locale.ROOT);
        if (COMMUNE.matcher(raw).matches() || NINE.matcher(raw).matches()) {
            return known(partner, raw) ? Optional.of(raw) : Optional.empty();
        }
        String key = Text.key(text);
        for (Territory t : partner.territories()) {
            if (names(t).contains(key)) {
                return Optional.of(t.code());
            }
        }
        // "Rouen (76540)", "IRIS 765400101 - Jouvenet": one code in the text decides.
        Matcher m = CODE_TOKEN.matcher(raw);
        Set<String> codes = new LinkedHashSet<>();
        while (m.find()) {
            codes.add(m.group(1));
        }
        if (codes.size() == 1) {
            String code = codes.iterator().next();
            return known(partner, code) ? Optional.of(code) : Optional.empty();
        }
        return Optional.empty();
    }

    private Set<String> names(Territory t) {
        Set<String> names = new LinkedHashSet<>();
        names.add(Text.key(t.name()));
        t.aliases().forEach(a -> names.add(Text.key(a)));
        if (t.kind() == Partner.TerritoryKind.COMMUNE) {
            names.add(Text.key("commune de " + t.name()));
            names.add(Text.key("ville de " + t.name()));
            names.addAll(COMMUNE_WORDS);
        } else if (t.kind() == Partner.TerritoryKind.EPCI) {
            names.addAll(EPCI_WORDS);
        }
        return names;
    }

    private boolean known(Partner partner, String code) {
        if (partner.territoryCodes().contains(code)) {
            return true;
        }
        if (code.length() == 5) {
            return isCommune(partner, code);
        }
        // 9 characters: an IRIS of a known commune (an EPCI other than the partner's own is not known here).
        return isCommune(partner, code.substring(0, 5));
    }

    private boolean isCommune(Partner partner, String code) {
        return code.startsWith(departement) || partner.territories().stream()
                .anyMatch(t -> t.kind() == Partner.TerritoryKind.COMMUNE && t.code().equals(code));
    }

    @Override
    public String describeKnown(Partner partner) {
        List<String> own = partner.territories().stream().map(t -> t.code() + " (" + t.name() + ")").toList();
        return String.join(", ", own) + ", ou le code INSEE d'une commune du département " + departement
                + " (5 chiffres) ou d'un de ses IRIS (9 chiffres)";
    }
}
