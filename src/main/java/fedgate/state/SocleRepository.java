package fedgate.state;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The yearly socle (Art. 1.2.1, Annexe 1): one internal request per partner and year ({@code fed_socle_run}, primary
 * key partner + year), so that two runs — two timers, two instances, a manual run — make it once.
 */
public final class SocleRepository {

    private final DataSource dataSource;
    private final RequestRepository requests;

    public SocleRepository(DataSource dataSource, RequestRepository requests) {
        this.dataSource = dataSource;
        this.requests = requests;
    }

    /** The request of {@code partnerId}'s socle for {@code year}, if it was made. */
    public Optional<String> requestFor(String partnerId, int year) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT request_id FROM fed_socle_run WHERE partner_id = ? AND socle_year = ?")) {
            ps.setString(1, partnerId);
            ps.setInt(2, year);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot read the socle runs", e);
        }
    }

    /**
     * Creates the socle request of {@code partnerId} for {@code year} (VALIDATED, see
     * {@link RequestRepository#insertInternal}) with its run row, in one transaction. Empty when it exists already
     * (made meanwhile by another run: the unique keys decide).
     */
    public Optional<String> create(String partnerId, int year, RequestRepository.NewRequest in, String feuillet1Json,
                                   String actor, String detail, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String id = requests.insertInternal(c, in, partnerId, feuillet1Json, actor, detail);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO fed_socle_run (partner_id, socle_year, "
                        + "request_id, created_at) VALUES (?,?,?,?)")) {
                    ps.setString(1, partnerId);
                    ps.setInt(2, year);
                    ps.setString(3, id);
                    ps.setTimestamp(4, Timestamp.from(now));
                    ps.executeUpdate();
                }
                c.commit();
                return Optional.of(id);
            } catch (SQLException e) {
                Transactions.rollbackAfter(c, e);
                if ("23505".equals(e.getSQLState())) {
                    return Optional.empty();
                }
                throw e;
            } catch (RuntimeException e) {
                Transactions.rollbackAfter(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new RequestRepository.StateException("cannot create the socle request of " + partnerId, e);
        }
    }
}
