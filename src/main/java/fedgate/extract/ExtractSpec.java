package fedgate.extract;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What to extract: a snapshot, indicator codes (or the whole socle), a territory and the levels to publish.
 *
 * @param snapshot   Parquet or CSV allocataire snapshot (operator input: validated before use)
 * @param indicators catalogue codes; empty means the socle
 * @param territory  a territory code of the geography (EPCI, commune, IRIS or département)
 * @param levels     levels to publish; ancestors of the territory at a requested level are included (Annexe 1:
 *                   "à l'échelle de la Commune de ROUEN et de l'Agglomération")
 * @param requestId  the FED request id, if the extract answers one ({@code FED-<year>-<6 digits>})
 * @param outputDir  directory to create for the extract; must not exist or be empty
 */
public record ExtractSpec(Path snapshot, List<String> indicators, String territory, Set<Level> levels,
                          Optional<String> requestId, Path outputDir) {

    public ExtractSpec {
        indicators = indicators == null ? List.of() : List.copyOf(indicators);
        levels = Set.copyOf(levels);
        requestId = requestId == null ? Optional.empty() : requestId;
        if (levels.isEmpty()) {
            throw new IllegalArgumentException("at least one level is required");
        }
        requestId.ifPresent(id -> {
            if (!id.matches("FED-\\d{4}-\\d{6}")) {
                throw new IllegalArgumentException("request id must read FED-<year>-<6 digits>");
            }
        });
    }

    public static ExtractSpec socle(Path snapshot, String territory, Set<Level> levels, Path outputDir) {
        return new ExtractSpec(snapshot, List.of(), territory, levels, Optional.empty(), outputDir);
    }
}
