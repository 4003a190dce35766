package fedgate.extract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Rule 6: aggregates only — no identifier column and no identifier value can reach any output file. */
class NoIdentifierColumnLeakTest {

    @TempDir
    Path tmp;

    @Test
    void noOutputFileHoldsTheIdentifierColumnOrAnyIdentifier() throws Exception {
        Path snapshot = SampleSnapshot.get();
        ExtractEngine.metropoleRouen().run(new ExtractSpec(snapshot, List.of("socle"), "200023414",
                EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI), Optional.empty(), tmp.resolve("out")));
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement p = c.prepareStatement("SELECT id_foyer FROM read_parquet(?)")) {
            p.setString(1, snapshot.toString());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        assertThat(ids).hasSize((int) SampleSnapshot.HOUSEHOLDS).allMatch(id -> id.matches("F[0-9A-F]{16}"));
        List<Path> files;
        try (Stream<Path> s = Files.list(tmp.resolve("out"))) {
            files = s.toList();
        }
        assertThat(files).hasSize(4);
        for (Path f : files) {
            String text = Files.readString(f);
            assertThat(text).doesNotContain("id_foyer").doesNotContain("revenus_activite").doesNotContain("\"age\"");
            // every identifier has the form F + 16 hex digits: none of that form may appear, known or not
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("F[0-9A-F]{16}").matcher(text);
            java.util.Set<String> known = new java.util.HashSet<>(ids);
            while (m.find()) {
                throw new AssertionError("identifier-shaped token " + m.group() + (known.contains(m.group())
                        ? " (a real household)" : "") + " found in " + f.getFileName());
            }
        }
    }
}
