package fedgate.extract;

import fedgate.disclosure.Cell;
import fedgate.disclosure.CellStatus;
import fedgate.disclosure.DisclosureControl;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Outcome of an extract. When the audit fails the extract is refused: {@code delivered} is false, {@code files}
 * holds only the disclosure reports and no {@code extract.csv}/{@code extract.json} exists.
 *
 * @param cells  the delivered cells (requested indicators, territory and levels) with their statuses
 * @param counts delivered cells per status
 */
public record ExtractResult(boolean delivered, boolean auditPassed, List<Cell> cells, Map<CellStatus, Long> counts,
                            Map<String, Path> files, LocalDate snapshotDate, String policyVersion,
                            String catalogueVersion, DisclosureControl.Outcome disclosure, Timings timings) {

    /** Milliseconds per stage. */
    public record Timings(long aggregation, long disclosure, long audit, long output, long total) {
    }

    public long suppressed() {
        return counts.entrySet().stream().filter(e -> e.getKey().suppressed()).mapToLong(Map.Entry::getValue).sum();
    }
}
