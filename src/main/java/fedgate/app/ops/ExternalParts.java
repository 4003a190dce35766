package fedgate.app.ops;

import fedgate.app.GatewayConfig;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway checks, before it starts anything, about each part it does not embed (production profile): the
 * settings an external server needs are present and coherent, secrets come from the environment or an existing file
 * (nothing is generated for a server that cannot know it), TLS is on for mail, the SFTP host key is pinned. Every
 * problem is listed at once, in English, naming the key or variable to fix; no secret is ever printed.
 *
 * <p>Reachability is not checked here: a server that is down at start is the route controller's business (the
 * routes retry) and shows on {@code /health}; a server that refuses the gateway's credentials is a misconfiguration,
 * checked by {@link ExternalProbes#verifyCredentials} at start.
 */
public final class ExternalParts {

    private final GatewayConfig config;
    private final Map<String, String> env;

    public ExternalParts(GatewayConfig config, Map<String, String> env) {
        this.config = config;
        this.env = env;
    }

    /** A configuration the gateway refuses to start with; the message lists every problem. */
    public static final class MisconfiguredException extends IllegalStateException {
        private final List<String> problems;

        MisconfiguredException(List<String> problems) {
            super("fedgate cannot start, the configuration of its external parts is incomplete:\n  - "
                    + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Throws {@link MisconfiguredException} listing every problem found; returns quietly otherwise. */
    public void check() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new MisconfiguredException(problems);
        }
    }

    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (!config.flag("fedgate.broker.embedded")) {
            checkBroker(p);
        }
        if (!config.flag("fedgate.sftp.embedded")) {
            checkSftp(p);
        }
        if (!config.flag("fedgate.mail.embedded")) {
            checkMail(p);
        }
        checkDatabase(p);
        checkCluster(p);
        return p;
    }

    private void checkBroker(List<String> p) {
        String url = config.get("fedgate.broker.url", "");
        if (url.isEmpty()) {
            p.add("fedgate.broker.embedded=false needs fedgate.broker.url, e.g. "
                    + "(tcp://broker-a:61616,tcp://broker-b:61616)?ha=true&reconnectAttempts=-1");
        } else if (!url.matches("\\(?(tcp|ssl)://[^\\s]+")) {
            p.add("fedgate.broker.url must be an Artemis CORE URL starting with tcp:// or ssl:// (or a failover list "
                    + "in parentheses); got a value starting with '" + url.substring(0, Math.min(8, url.length())) + "'");
        }
        requireSecret(p, "FEDGATE_BROKER_PASSWORD", "secrets/broker-fedgate",
                "the password of the gateway's broker user '" + config.get("fedgate.broker.user", "fedgate") + "'");
    }

    private void checkSftp(List<String> p) {
        String host = config.get("fedgate.sftp.host", "");
        if (host.isEmpty()) {
            p.add("fedgate.sftp.embedded=false needs fedgate.sftp.host (the external SFTP server)");
        }
        Path key = config.path("fedgate.sftp.private-key");
        if (!Files.isRegularFile(key)) {
            p.add("fedgate.sftp.private-key: the gateway's service key " + key + " does not exist (an external server "
                    + "needs the key pair its administrator authorised; nothing is generated)");
        } else if (readableByOthers(key)) {
            p.add("fedgate.sftp.private-key: " + key + " is readable by group or others (chmod 600)");
        }
        Path knownHosts = config.path("fedgate.sftp.known-hosts");
        if (!Files.isRegularFile(knownHosts)) {
            p.add("fedgate.sftp.known-hosts: " + knownHosts + " does not exist; it must hold the pinned host key of "
                    + "the SFTP server (ssh-keyscan output checked out of band)");
        } else if (!host.isEmpty() && !knownHostsHas(knownHosts, host, config.port("fedgate.sftp.port"))) {
            p.add("fedgate.sftp.known-hosts: " + knownHosts + " has no key for " + hostPattern(host,
                    config.port("fedgate.sftp.port")) + " (strict host key checking would refuse every connection)");
        }
    }

    private void checkMail(List<String> p) {
        boolean plaintext = config.flag("fedgate.mail.allow-plaintext");
        String imap = config.get("fedgate.mail.imap.protocol").toLowerCase(Locale.ROOT);
        String smtp = config.get("fedgate.mail.smtp.protocol").toLowerCase(Locale.ROOT);
        if (!imap.equals("imaps") && !(plaintext && imap.equals("imap"))) {
            p.add("fedgate.mail.imap.protocol must be imaps for an external mail server (TLS), got '" + imap + "'");
        }
        boolean starttls = config.flag("fedgate.mail.smtp.starttls");
        if (!smtp.equals("smtps") && !(smtp.equals("smtp") && (starttls || plaintext))) {
            p.add("fedgate.mail.smtp.protocol must be smtps, or smtp with fedgate.mail.smtp.starttls=true, for an "
                    + "external mail server, got '" + smtp + "'");
        }
        for (String key : List.of("fedgate.mail.imap.host", "fedgate.mail.smtp.host", "fedgate.mail.intake.user",
                "fedgate.mail.from")) {
            if (config.get(key, "").isEmpty()) {
                p.add(key + " is required for an external mail server");
            }
        }
        requireSecret(p, "FEDGATE_MAIL_PASSWORD", "secrets/mail-fed", "the password of the intake mailbox");
        String trustStore = config.get("fedgate.mail.tls.trust-store", "");
        if (!trustStore.isEmpty() && !Files.isRegularFile(config.path("fedgate.mail.tls.trust-store"))) {
            p.add("fedgate.mail.tls.trust-store: " + config.path("fedgate.mail.tls.trust-store") + " does not exist");
        }
    }

    private void checkDatabase(List<String> p) {
        String url = config.get("fedgate.db.url", "");
        if (url.isEmpty()) {
            return;
        }
        if (!url.startsWith("jdbc:postgresql://") && !url.startsWith("jdbc:h2:")) {
            p.add("fedgate.db.url must be jdbc:postgresql://host:5432/db (or jdbc:h2:… for tests)");
        }
        if (url.toLowerCase(Locale.ROOT).contains("password=")) {
            p.add("fedgate.db.url must not carry the password: use FEDGATE_DB_PASSWORD or secrets/db-password");
        }
        if (url.startsWith("jdbc:postgresql:")) {
            requireSecret(p, "FEDGATE_DB_PASSWORD", "secrets/db-password",
                    "the password of database user '" + config.get("fedgate.db.user", "fedgate") + "'");
        }
    }

    private void checkCluster(List<String> p) {
        String service = config.get("fedgate.cluster.service", "file");
        if (!service.equals("file") && !service.equals("database")) {
            p.add("fedgate.cluster.service must be 'file' (one instance, or several sharing a directory) or "
                    + "'database' (several instances sharing the PostgreSQL database), got '" + service + "'");
        }
        if (service.equals("database") && config.get("fedgate.db.url", "").isEmpty()) {
            p.add("fedgate.cluster.service=database needs a shared database (fedgate.db.url=jdbc:postgresql://…): "
                    + "the embedded H2 database is private to one instance");
        }
        boolean external = !config.flag("fedgate.broker.embedded");
        if (!external && service.equals("database")) {
            p.add("several instances need one shared broker: set fedgate.broker.embedded=false and fedgate.broker.url");
        }
    }

    private void requireSecret(List<String> p, String envVar, String file, String what) {
        String v = env.get(envVar);
        if ((v == null || v.isBlank()) && !Files.isRegularFile(config.home().resolve(file))) {
            p.add(what + ": set " + envVar + " or write it to $FEDGATE_HOME/" + file + " (mode 600)");
        }
    }

    private static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    static String hostPattern(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    /** Whether a known_hosts file has an entry for the host and port, plain or hashed ({@code |1|salt|hash}). */
    static boolean knownHostsHas(Path file, String host, int port) {
        String pattern = hostPattern(host, port);
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.trim();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String hosts = t.split("\\s+")[0];
                if (hosts.startsWith("@")) { // @cert-authority / @revoked markers
                    continue;
                }
                if (hosts.startsWith("|1|")) {
                    if (hashedMatches(hosts, pattern)) {
                        return true;
                    }
                    continue;
                }
                for (String h : hosts.split(",")) {
                    if (h.equals(pattern)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hashedMatches(String entry, String host) {
        String[] parts = entry.split("\\|");
        if (parts.length != 4) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            byte[] expected = mac.doFinal(host.getBytes(StandardCharsets.UTF_8));
            return java.security.MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[3]));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }
}
