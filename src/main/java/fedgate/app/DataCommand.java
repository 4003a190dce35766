package fedgate.app;

import fedgate.extract.Geography;
import fedgate.extract.SnapshotGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code fedgate data generate}: synthetic allocataire snapshots. */
@Command(name = "data", description = "Synthetic data.", mixinStandardHelpOptions = true,
        subcommands = {DataCommand.Generate.class})
public final class DataCommand implements Runnable {

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate a synthetic allocataire snapshot (.parquet or .csv), reproducible for a seed.")
    public static final class Generate implements Callable<Integer> {
        @Option(names = "--households", defaultValue = "250000", description = "Number of households (default ${DEFAULT-VALUE}).")
        long households;
        @Option(names = "--year", defaultValue = "2024", description = "Reference year (snapshot date 31/12/<year>).")
        int year;
        @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
        long seed;
        @Option(names = "--geography", defaultValue = "metropole",
                description = "metropole (Métropole Rouen Normandie) or national (synthetic France).")
        String geography;
        @Option(names = "--out", required = true, description = "Output file, .parquet or .csv.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Geography geo = switch (geography) {
                case "metropole" -> Geography.metropoleRouen();
                case "national" -> Geography.syntheticNational(seed);
                default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--geography must be metropole or national");
            };
            SnapshotGenerator.Result r = SnapshotGenerator.generate(geo, households, year, seed, out);
            System.out.printf("%d households over %d territorial units written to %s in %d ms%n",
                    r.households(), r.leafUnits(), r.file(), r.millis());
            return 0;
        }
    }
}
