package fedgate.app;

import fedgate.disclosure.DisclosurePolicy;
import fedgate.extract.ExtractEngine;
import fedgate.extract.ExtractResult;
import fedgate.extract.ExtractSpec;
import fedgate.extract.Geography;
import fedgate.extract.IndicatorCatalogue;
import fedgate.extract.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code fedgate extract}: an Annexe 1 extract with disclosure control. Exit 0 delivered, 3 refused by the audit. */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = "Extract indicators of Annexe 1 from a snapshot, with statistical disclosure control.")
public final class ExtractCommand implements Callable<Integer> {

    public static final int REFUSED = 3;

    @Option(names = "--snapshot", required = true, description = "Allocataire snapshot, .parquet or .csv.")
    Path snapshot;
    @Option(names = "--indicators", defaultValue = "socle", description = "Comma-separated catalogue codes, or socle.")
    String indicators;
    @Option(names = "--territory", required = true, description = "Territory code (EPCI, commune, IRIS, département; FR for all France in the national geography).")
    String territory;
    @Option(names = "--levels", defaultValue = "commune,epci", description = "Comma-separated: iris, commune, epci, departement, national.")
    String levels;
    @Option(names = "--geography", defaultValue = "metropole", description = "metropole, or national:<seed>.")
    String geography;
    @Option(names = "--request", description = "FED request id (FED-<year>-<6 digits>).")
    String requestId;
    @Option(names = "--out", required = true, description = "Output directory (must not exist or be empty).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Geography geo = geography.startsWith("national:")
                ? Geography.syntheticNational(Long.parseLong(geography.substring("national:".length())))
                : Geography.metropoleRouen();
        ExtractEngine engine = new ExtractEngine(geo, IndicatorCatalogue.load(), DisclosurePolicy.load());
        Set<Level> ls = EnumSet.noneOf(Level.class);
        for (String l : levels.split(",")) {
            ls.add(Level.parse(l));
        }
        List<String> codes = Arrays.stream(indicators.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        ExtractResult r = engine.run(new ExtractSpec(snapshot, codes, territory, ls, Optional.ofNullable(requestId), out));
        System.out.printf("%s: %d cells, %d suppressed %s, audit %s, %d ms -> %s%n",
                r.delivered() ? "delivered" : "REFUSED", r.cells().size(), r.suppressed(), r.counts(),
                r.auditPassed() ? "passed" : "FAILED", r.timings().total(), out);
        return r.delivered() ? 0 : REFUSED;
    }
}
