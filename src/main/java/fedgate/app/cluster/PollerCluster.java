package fedgate.app.cluster;

import fedgate.app.GatewayConfig;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterService;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The leader election behind the {@code master:fedgate-pollers:…} routes (IMAP and SFTP inbox pollers, crash-recovery
 * timers), chosen by {@code fedgate.cluster.service}:
 * <ul>
 *   <li>{@code file} (default): Camel's {@code FileLockClusterService} on {@code fedgate.cluster.file.root}
 *       ({@code data/cluster}): one instance, or several on one machine or on a shared file system with working
 *       locks (not NFS without lockd) — the embedded default keeps working single-instance;</li>
 *   <li>{@code database}: {@link DatabaseLeaseClusterService}, a lease row in the shared PostgreSQL database, for
 *       instances on several machines.</li>
 * </ul>
 */
public final class PollerCluster {

    /** The namespace of every poller route: one instance runs them all. */
    public static final String NAMESPACE = "fedgate-pollers";

    private PollerCluster() {
    }

    public static CamelClusterService create(GatewayConfig config, DataSource dataSource) throws Exception {
        String kind = config.get("fedgate.cluster.service", "file");
        if (kind.equals("database")) {
            return new DatabaseLeaseClusterService(dataSource, memberId(config),
                    Duration.ofSeconds(Long.parseLong(config.get("fedgate.cluster.lease-seconds", "30"))),
                    Duration.ofMillis(Long.parseLong(config.get("fedgate.cluster.renew-millis", "5000"))));
        }
        Path root = config.path("fedgate.cluster.file.root");
        Files.createDirectories(root);
        FileLockClusterService file = new FileLockClusterService();
        file.setId("fedgate-file-lock");
        file.setRoot(root.toString());
        file.setAcquireLockDelay(500, TimeUnit.MILLISECONDS);
        file.setAcquireLockInterval(Long.parseLong(config.get("fedgate.cluster.renew-millis", "5000")),
                TimeUnit.MILLISECONDS);
        return file;
    }

    /** Namespace → whether this instance leads it, for /metrics. */
    public static Map<String, Boolean> leadership(CamelClusterService service) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        if (service instanceof AbstractCamelClusterService<?> s) {
            for (String ns : s.getNamespaces()) {
                out.put(ns, s.isLeader(ns));
            }
        }
        return out;
    }

    /** {@code fedgate.cluster.member-id}, else host name, process id and a random part (unique per run). */
    static String memberId(GatewayConfig config) {
        String configured = config.get("fedgate.cluster.member-id", "");
        if (!configured.isEmpty()) {
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        return host + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
    }
}
