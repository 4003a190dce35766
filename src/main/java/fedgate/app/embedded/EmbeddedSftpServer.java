package fedgate.app.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import fedgate.app.SshKeys;

/**
 * The SFTP drop-box (Apache MINA SSHD): one chrooted home per partner under {@code <root>/<partnerId>} with
 * {@code /inbox} (the partner uploads requests) and {@code /outbox} (the gateway leaves deliveries).
 * <ul>
 *   <li>public-key authentication only, against each partner's authorized keys; password and
 *   keyboard-interactive are not offered;</li>
 *   <li>the sftp subsystem only: no shell, no exec, no port, agent or X11 forwarding;</li>
 *   <li>uploads to {@code /inbox} are atomic, links are refused, a partner writes nowhere but in {@code /inbox}
 *   ({@link DropBoxFileSystemAccessor});</li>
 *   <li>every file read from {@code /outbox} and closed is reported to a {@link DownloadListener}.</li>
 * </ul>
 * The gateway itself writes to {@code <root>/<partnerId>/outbox} on the local file system; it should write
 * under a dot-name and rename, so a partner never downloads a half-written delivery.
 */
public final class EmbeddedSftpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSftpServer.class);
    public static final int DEFAULT_PORT = 2222;
    private static final Pattern PARTNER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /**
     * @param port           TCP port on 127.0.0.1, 0 for an ephemeral one
     * @param hostKeyFile    OpenSSH private host key; generated (ed25519, mode 0600) if missing
     * @param root           parent of the partners' homes
     * @param authorizedKeys partner id (= SFTP account) → its public keys
     */
    public record Settings(int port, Path hostKeyFile, Path root, Map<String, List<PublicKey>> authorizedKeys) {
        public Settings {
            Objects.requireNonNull(hostKeyFile, "hostKeyFile");
            Objects.requireNonNull(root, "root");
            Map<String, List<PublicKey>> copy = new LinkedHashMap<>();
            authorizedKeys.forEach((id, keys) -> {
                if (!PARTNER_ID.matcher(id).matches()) {
                    throw new IllegalArgumentException("invalid partner id: " + id);
                }
                copy.put(id, List.copyOf(keys));
            });
            authorizedKeys = Map.copyOf(copy);
        }
    }

    private final Settings settings;
    private final DownloadListener downloadListener;
    private final Clock clock;
    private SshServer server;
    private PublicKey hostKey;
    private String serviceAccount;
    private PublicKey serviceKey;

    public EmbeddedSftpServer(Settings settings, DownloadListener downloadListener) {
        this(settings, downloadListener, Clock.systemUTC());
    }

    public EmbeddedSftpServer(Settings settings, DownloadListener downloadListener, Clock clock) {
        this.settings = settings;
        this.downloadListener = Objects.requireNonNull(downloadListener, "downloadListener");
        this.clock = clock;
    }

    /**
     * The gateway's own account, whose home is the root: it sees {@code <partner>/inbox} and
     * {@code <partner>/outbox} of every partner, so the intake and delivery routes use plain SFTP against this
     * server exactly as against an external one. Public-key only, like every account.
     */
    public synchronized void setServiceAccount(String name, PublicKey key) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        if (!PARTNER_ID.matcher(name).matches() || settings.authorizedKeys().containsKey(name)) {
            throw new IllegalArgumentException("invalid service account name: " + name);
        }
        this.serviceAccount = name;
        this.serviceKey = Objects.requireNonNull(key, "key");
    }

    /** The public keys of an OpenSSH {@code .pub} or {@code authorized_keys} file (options are ignored). */
    public static List<PublicKey> readPublicKeys(Path file) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            try {
                keys.add(AuthorizedKeyEntry.parseAuthorizedKeyEntry(trimmed)
                        .resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
            } catch (GeneralSecurityException e) {
                throw new IOException("unreadable public key in " + file, e);
            }
        }
        return keys;
    }

    /** The partner's home on the local file system: {@code <root>/<partnerId>}. */
    public Path home(String partnerId) {
        if (!settings.authorizedKeys().containsKey(partnerId)) {
            throw new IllegalArgumentException("unknown SFTP account: " + partnerId);
        }
        return settings.root().resolve(partnerId);
    }

    public Path inbox(String partnerId) {
        return home(partnerId).resolve(DropBoxFileSystemAccessor.INBOX);
    }

    public Path outbox(String partnerId) {
        return home(partnerId).resolve(DropBoxFileSystemAccessor.OUTBOX);
    }

    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        KeyPair hostKeyPair = loadOrGenerateHostKey(settings.hostKeyFile());
        VirtualFileSystemFactory fileSystems = new VirtualFileSystemFactory();
        for (String partner : settings.authorizedKeys().keySet()) {
            Path home = settings.root().resolve(partner);
            Files.createDirectories(home.resolve(DropBoxFileSystemAccessor.INBOX));
            Files.createDirectories(home.resolve(DropBoxFileSystemAccessor.OUTBOX));
            fileSystems.setUserHomeDir(partner, home.toAbsolutePath());
        }
        if (serviceAccount != null) {
            fileSystems.setUserHomeDir(serviceAccount, settings.root().toAbsolutePath());
        }

        DropBoxFileSystemAccessor accessor = new DropBoxFileSystemAccessor(serviceAccount);
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder().withFileSystemAccessor(accessor).build();
        sftp.addSftpEventListener(accessor);
        sftp.addSftpEventListener(new DownloadRecorder(downloadListener, clock));

        SshServer ssh = SshServer.setUpDefaultServer();
        ssh.setHost("127.0.0.1");
        ssh.setPort(settings.port());
        ssh.setKeyPairProvider(session -> List.of(hostKeyPair));
        ssh.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        ssh.setPasswordAuthenticator(null);
        ssh.setKeyboardInteractiveAuthenticator(null);
        ssh.setGSSAuthenticator(null);
        ssh.setHostBasedAuthenticator(null);
        ssh.setPublickeyAuthenticator((username, key, session) -> username.equals(serviceAccount)
                ? KeyUtils.compareKeys(serviceKey, key)
                : settings.authorizedKeys().getOrDefault(username, List.of()).stream()
                        .anyMatch(k -> KeyUtils.compareKeys(k, key)));
        ssh.setSubsystemFactories(List.of(sftp));
        ssh.setShellFactory(null);
        ssh.setCommandFactory(null);
        ssh.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        ssh.setFileSystemFactory(fileSystems);
        ssh.start();
        server = ssh;
        hostKey = hostKeyPair.getPublic();
        LOG.info("SFTP drop-box listening on 127.0.0.1:{} (public-key only)", port());
    }

    public synchronized void stop() throws IOException {
        if (server != null) {
            server.stop(true);
            server = null;
            LOG.info("SFTP drop-box stopped");
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    public int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return ((InetSocketAddress) server.getBoundAddresses().iterator().next()).getPort();
    }

    public synchronized boolean isRunning() {
        return server != null && server.isStarted();
    }

    public PublicKey hostKey() {
        return hostKey;
    }

    /** Writes the known_hosts line clients need for strict host key checking. */
    public void writeKnownHosts(Path file) throws IOException {
        String line = "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey) + "\n";
        Files.writeString(file, line, StandardCharsets.UTF_8);
    }

    private static KeyPair loadOrGenerateHostKey(Path file) throws IOException {
        try {
            return SshKeys.loadOrGenerate(file, "fedgate-sftp-host");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate an ed25519 host key", e);
        }
    }
}
