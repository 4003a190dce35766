package fedgate.decision;

import fedgate.extract.Geography;
import fedgate.extract.Level;
import fedgate.extract.Territory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a request's territories mean for the extract engine: one territory and the levels to publish.
 * Annexe 1: "à l'échelle de la Commune de ROUEN et de l'Agglomération" — commune and EPCI by default; IRIS when
 * an infra-communal territory is asked (Art. 2's 100-allocataire rule then applies). The territory is the commune
 * when the request names one commune (or IRIS of one commune): the extract then holds that commune, its IRIS if
 * asked, and its EPCI. A request over several communes is answered at the EPCI: every commune of it.
 *
 * @param territory code for {@code ExtractSpec.territory}
 * @param levels    levels for {@code ExtractSpec.levels}
 */
public record ExtractScope(String territory, Set<Level> levels) {

    public ExtractScope {
        levels = Set.copyOf(levels);
    }

    /**
     * @param territoryCodes the validated Feuillet 1's territory codes (empty = the partner's own)
     * @param partnerCodes   the partner's own territories from the registry (the default)
     * @throws IllegalArgumentException when no code is a territory of the geography
     */
    public static ExtractScope of(List<String> territoryCodes, List<String> partnerCodes, Geography geography) {
        List<String> codes = territoryCodes == null || territoryCodes.isEmpty() ? partnerCodes : territoryCodes;
        Set<Level> levels = EnumSet.of(Level.COMMUNE, Level.EPCI);
        Set<Territory> communes = new LinkedHashSet<>();
        List<Territory> epcis = new ArrayList<>();
        for (String code : codes) {
            Optional<Territory> found = geography.find(code == null ? null : code.strip());
            if (found.isEmpty()) {
                continue;
            }
            Territory t = found.get();
            switch (t.level()) {
                case IRIS -> {
                    levels.add(Level.IRIS);
                    geography.ancestorAt(t, Level.COMMUNE).ifPresent(communes::add);
                }
                case COMMUNE -> communes.add(t);
                case EPCI -> epcis.add(t);
                case DEPARTEMENT -> levels.add(Level.DEPARTEMENT);
            }
        }
        if (communes.size() == 1) {
            return new ExtractScope(communes.iterator().next().code(), levels);
        }
        if (!communes.isEmpty()) {
            Optional<Territory> epci = geography.ancestorAt(communes.iterator().next(), Level.EPCI);
            if (epci.isPresent()) {
                return new ExtractScope(epci.get().code(), levels);
            }
        }
        if (!epcis.isEmpty()) {
            return new ExtractScope(epcis.get(0).code(), levels);
        }
        throw new IllegalArgumentException("no territory of the request is in geography " + geography.name());
    }

    /** Levels as written in history and events: {@code commune,epci}. */
    public String levelCodes() {
        return String.join(",", levels.stream().sorted().map(Level::code).toList());
    }
}
