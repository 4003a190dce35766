package fedgate.app.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The gateway's metrics in the Prometheus text exposition format (version 0.0.4), written by hand: a few gauges read
 * from the state store when scraped, counters kept in memory since start, two histograms. Names:
 * <ul>
 *   <li>{@code fedgate_requests{status}}: requests in the state store by status (all instances: it is the database);</li>
 *   <li>{@code fedgate_deliveries{status}}, {@code fedgate_delivery_retries}: deliveries by status, attempts beyond the
 *       first summed over deliveries;</li>
 *   <li>{@code fedgate_route_redeliveries_total{route}}, {@code fedgate_route_failures_total{route}}: Camel
 *       redeliveries and failed exchanges of this instance since start;</li>
 *   <li>{@code fedgate_dead_letter_messages}: messages waiting in {@code fed.dlq} (-1 when the broker cannot say);</li>
 *   <li>{@code fedgate_extract_seconds}, {@code fedgate_audit_seconds}: histograms of extract runs and of their
 *       disclosure LP audit, on this instance;</li>
 *   <li>{@code fedgate_dependency_up{component}}: the checks of {@code /health}, 1 up / 0 down;</li>
 *   <li>{@code fedgate_cluster_leader{namespace}}: 1 when this instance runs the pollers of the namespace.</li>
 * </ul>
 * No label value comes from input: statuses come from the schema's enums, routes from the route files.
 */
public final class Metrics {

    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
    private static final double[] SECONDS_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

    private final DataSource dataSource;
    private final Map<String, AtomicLong> redeliveries = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final Histogram extract = new Histogram();
    private final Histogram audit = new Histogram();
    private volatile LongSupplier deadLetters = () -> -1;
    private volatile Supplier<Map<String, Boolean>> health = Map::of;
    private volatile Supplier<Map<String, Boolean>> leadership = Map::of;

    public Metrics(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void deadLetters(LongSupplier depth) {
        this.deadLetters = depth;
    }

    public void health(Supplier<Map<String, Boolean>> health) {
        this.health = health;
    }

    public void leadership(Supplier<Map<String, Boolean>> leadership) {
        this.leadership = leadership;
    }

    public void redelivery(String routeId) {
        redeliveries.computeIfAbsent(label(routeId), k -> new AtomicLong()).incrementAndGet();
    }

    public void failure(String routeId) {
        failures.computeIfAbsent(label(routeId), k -> new AtomicLong()).incrementAndGet();
    }

    /** An extract run: total and audit times in milliseconds. */
    public void extractTimes(long totalMillis, long auditMillis) {
        extract.observe(totalMillis / 1000.0);
        audit.observe(auditMillis / 1000.0);
    }

    /** The exposition text. */
    public String scrape() {
        StringBuilder b = new StringBuilder(4096);
        gaugeByLabel(b, "fedgate_requests", "Requests in the state store by status.", "status",
                countBy("SELECT status, COUNT(*) FROM fed_request GROUP BY status"));
        gaugeByLabel(b, "fedgate_deliveries", "Deliveries in the state store by status.", "status",
                countBy("SELECT status, COUNT(*) FROM fed_delivery GROUP BY status"));
        header(b, "fedgate_delivery_retries", "Delivery attempts beyond the first, summed over all deliveries.", "gauge");
        b.append("fedgate_delivery_retries ").append(single(
                "SELECT COALESCE(SUM(attempts - 1), 0) FROM fed_delivery WHERE attempts > 1")).append('\n');
        counterByLabel(b, "fedgate_route_redeliveries_total", "Camel redelivery attempts since start, by route.",
                redeliveries);
        counterByLabel(b, "fedgate_route_failures_total", "Exchanges failed after their redeliveries, by route.",
                failures);
        header(b, "fedgate_dead_letter_messages", "Messages in the dead-letter queue fed.dlq (-1: unknown).", "gauge");
        long dlq;
        try {
            dlq = deadLetters.getAsLong();
        } catch (RuntimeException e) {
            dlq = -1;
        }
        b.append("fedgate_dead_letter_messages ").append(dlq).append('\n');
        extract.write(b, "fedgate_extract_seconds", "Extract runs (aggregation, disclosure control, audit, output).");
        audit.write(b, "fedgate_audit_seconds", "Linear-programming disclosure audit of each extract run.");
        Map<String, Long> up = new TreeMap<>();
        health.get().forEach((k, v) -> up.put(k, v ? 1L : 0L));
        gaugeByLabel(b, "fedgate_dependency_up", "Dependencies as seen by /health: 1 up, 0 down.", "component", up);
        Map<String, Long> leader = new TreeMap<>();
        leadership.get().forEach((k, v) -> leader.put(k, v ? 1L : 0L));
        gaugeByLabel(b, "fedgate_cluster_leader", "1 when this instance runs the pollers of the namespace.",
                "namespace", leader);
        return b.toString();
    }

    private Map<String, Long> countBy(String sql) {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql);
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.put(label(rs.getString(1)), rs.getLong(2));
            }
        } catch (SQLException e) {
            LOG.warn("metrics: state store unavailable ({})", e.getMessage());
        }
        return out;
    }

    private long single(String sql) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql);
             ResultSet rs = st.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            return -1;
        }
    }

    private static void header(StringBuilder b, String name, String help, String type) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gaugeByLabel(StringBuilder b, String name, String help, String label, Map<String, Long> values) {
        header(b, name, help, "gauge");
        values.forEach((k, v) -> b.append(name).append('{').append(label).append("=\"").append(k).append("\"} ")
                .append(v).append('\n'));
    }

    private static void counterByLabel(StringBuilder b, String name, String help, Map<String, AtomicLong> values) {
        header(b, name, help, "counter");
        new TreeMap<>(values).forEach((k, v) -> b.append(name).append("{route=\"").append(k).append("\"} ")
                .append(v.get()).append('\n'));
    }

    /** A label value: letters, digits and {@code . _ -} only (they come from our own enums and route ids). */
    static String label(String s) {
        return s == null ? "" : s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** A cumulative histogram with fixed buckets, as Prometheus expects. */
    static final class Histogram {
        private final long[] counts = new long[SECONDS_BUCKETS.length];
        private long count;
        private double sum;

        synchronized void observe(double seconds) {
            for (int i = 0; i < SECONDS_BUCKETS.length; i++) {
                if (seconds <= SECONDS_BUCKETS[i]) {
                    counts[i]++;
                }
            }
            count++;
            sum += seconds;
        }

        synchronized void write(StringBuilder b, String name, String help) {
            header(b, name, help, "histogram");
            for (int i = 0; i < SECONDS_BUCKETS.length; i++) {
                b.append(name).append("_bucket{le=\"").append(number(SECONDS_BUCKETS[i])).append("\"} ")
                        .append(counts[i]).append('\n');
            }
            b.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
            b.append(name).append("_sum ").append(number(sum)).append('\n');
            b.append(name).append("_count ").append(count).append('\n');
        }

        private static String number(double d) {
            return String.format(Locale.ROOT, "%s", d);
        }
    }
}
