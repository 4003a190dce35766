package fedgate.app.embedded;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQExceptionType;
import org.apache.activemq.artemis.api.core.ICoreMessage;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptor;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import fedgate.app.Secrets;

/**
 * The embedded ActiveMQ Artemis broker: persistent NIO journal under the data dir, one loopback acceptor for
 * CORE and AMQP 1.0, the gateway's queues pre-created, security on.
 *
 * <p>Users live in memory ({@link ActiveMQJAASSecurityManager} with Artemis' {@link InVMLoginModule}), rebuilt
 * from the configuration at every start: nothing about users is persisted in the journal, and a password
 * changed in the environment or in {@code secrets/} takes effect at the next start. (The non-deprecated
 * {@code ActiveMQBasicSecurityManager} stores users in the journal and needs them added after start.)
 *
 * <p>Authorisation (Artemis picks the most specific match, roles are not merged, so every rule repeats
 * {@value #GATEWAY_ROLE}):
 * <ul>
 *   <li>{@code #}: role {@value #GATEWAY_ROLE} (user {@value #INTERNAL_USER}) may do everything;</li>
 *   <li>{@code fed.requests.in}: any partner may send (and nothing else);</li>
 *   <li>{@code fed.events.<id>}: only partner {@code <id>} may consume and browse.</li>
 * </ul>
 * Partners get no create-queue/create-address right anywhere: Artemis checks a temporary queue against its
 * random UUID address, so allowing JMS temporary reply queues would mean allowing {@code #}, which lets a
 * partner bind its own queue to {@code fed.intake} and divert other messages. Replies and status events go
 * to {@code fed.events.<id>} with the JMS correlation id of the submission instead (a partner may set
 * {@code JMSReplyTo} to that queue).
 *
 * <p>{@code fed.events.<id>} is an anycast (point-to-point) durable queue, not a multicast address: events
 * must wait for a partner that is offline, and a multicast address keeps nothing for a subscriber that does
 * not exist yet.
 *
 * <p>Every message carries {@code _AMQ_VALIDATED_USER}, set by the broker to the authenticated user
 * (overwriting any value the sender put there), over CORE and over AMQP alike: the gateway takes the partner
 * id from it (Art. 5.1).
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    public static final int DEFAULT_PORT = 61616;
    public static final int DEFAULT_MAX_DELIVERY_ATTEMPTS = 5;
    public static final String INTERNAL_USER = "fedgate";
    public static final String GATEWAY_ROLE = "gateway";
    public static final String PARTNER_ROLE = "partner";
    public static final String VALIDATED_USER_PROPERTY = "_AMQ_VALIDATED_USER";
    /** The default of {@code fedgate.intake.max-bytes}. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 10L * 1024 * 1024;
    /** Room for the AMQP header, properties and body section encoding around a request of the maximum size. */
    public static final int AMQP_ENVELOPE_MARGIN = 1024 * 1024;
    /** Non-large messages live in memory and in one journal record: keep requests well below 2 GiB. */
    static final long MAX_REQUEST_BYTES_LIMIT = 256L * 1024 * 1024;

    public static final String REQUESTS_IN = "fed.requests.in";
    public static final String DLQ = "fed.dlq";
    public static final String EXPIRY = "fed.expiry";
    public static final String EVENTS_PREFIX = "fed.events.";
    /** The fixed queues, all anycast and durable (per-partner event queues are added to these). */
    public static final List<String> QUEUES = List.of(REQUESTS_IN, "fed.intake", "fed.validated", "fed.assess",
            "fed.decided", "fed.extract", "fed.deliver", DLQ, EXPIRY);

    /** A partner id becomes a user name and an address: no dots or wildcards ({@code # *}) may slip in. */
    private static final Pattern PARTNER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final String ACCEPTOR = "fedgate";
    private static final String IN_VM_ACCEPTOR = "fedgate-in-vm";
    /** In-VM server ids: several brokers may run in one JVM (tests), each its own. */
    private static final AtomicInteger IN_VM_IDS = new AtomicInteger();
    private static final int DEFAULT_JOURNAL_FILE_SIZE = 10 * 1024 * 1024;

    private final Settings settings;
    private final int inVmId;
    private ActiveMQServer server;
    private int actualPort;

    /**
     * @param port            TCP port on 127.0.0.1, 0 for an ephemeral one
     * @param dataDir         journal, bindings, paging and large messages go under it
     * @param internalPassword password of the gateway's own user {@value #INTERNAL_USER}
     * @param partnerPasswords partner id → broker password of that partner's user (same name as the id)
     * @param maxDeliveryAttempts deliveries before a message goes to {@value #DLQ}
     * @param redeliveryDelayMillis first redelivery delay, doubled at each attempt (at most 60 s)
     * @param maxRequestBytes the gateway's largest accepted request ({@code fedgate.intake.max-bytes}): an AMQP
     *                        message up to it (plus {@value #AMQP_ENVELOPE_MARGIN} bytes of envelope) is never a
     *                        large message, a larger one is refused at the door ({@link ValidatedUserStamp})
     */
    public record Settings(int port, Path dataDir, String internalPassword, Map<String, String> partnerPasswords,
                           int maxDeliveryAttempts, long redeliveryDelayMillis, long maxRequestBytes) {
        public Settings {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(internalPassword, "internalPassword");
            partnerPasswords = Map.copyOf(partnerPasswords);
            partnerPasswords.keySet().forEach(EmbeddedBroker::checkPartnerId);
            if (partnerPasswords.containsKey(INTERNAL_USER)) {
                throw new IllegalArgumentException("a partner cannot be called " + INTERNAL_USER);
            }
            if (maxDeliveryAttempts < 1) {
                throw new IllegalArgumentException("maxDeliveryAttempts must be at least 1");
            }
            if (maxRequestBytes < 1 || maxRequestBytes > MAX_REQUEST_BYTES_LIMIT) {
                throw new IllegalArgumentException("maxRequestBytes must be between 1 and " + MAX_REQUEST_BYTES_LIMIT);
            }
        }

        /** AMQP messages of this many encoded bytes or more are large messages (and refused). */
        public int amqpMinLargeMessageSize() {
            return Math.toIntExact(maxRequestBytes + AMQP_ENVELOPE_MARGIN);
        }

        /** Embedded default: passwords from the environment or {@code <home>/secrets/}, generated if absent. */
        public static Settings fromHome(Path home, int port, Collection<String> partnerIds) {
            Path secrets = home.resolve("secrets");
            Map<String, String> partners = new LinkedHashMap<>();
            for (String id : partnerIds) {
                checkPartnerId(id);
                partners.put(id, Secrets.secret(partnerPasswordEnvVar(id), secrets.resolve("broker-" + id)));
            }
            return new Settings(port, home.resolve("data/broker"),
                    Secrets.secret("FEDGATE_BROKER_PASSWORD", secrets.resolve("broker-fedgate")), partners,
                    DEFAULT_MAX_DELIVERY_ATTEMPTS, 1000, DEFAULT_MAX_REQUEST_BYTES);
        }

        @Override
        public String toString() { // never print the passwords
            return "Settings[port=" + port + ", dataDir=" + dataDir + ", partners=" + partnerPasswords.keySet()
                    + ", maxDeliveryAttempts=" + maxDeliveryAttempts + ", maxRequestBytes=" + maxRequestBytes + "]";
        }
    }

    public EmbeddedBroker(Settings settings) {
        this.settings = settings;
        this.inVmId = IN_VM_IDS.incrementAndGet();
    }

    /** {@code FEDGATE_BROKER_PASSWORD_VILLE_ROUEN} for {@code ville-rouen}. */
    public static String partnerPasswordEnvVar(String partnerId) {
        return "FEDGATE_BROKER_PASSWORD_" + partnerId.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public static String eventsQueue(String partnerId) {
        return EVENTS_PREFIX + checkPartnerId(partnerId);
    }

    private static String checkPartnerId(String id) {
        if (id == null || !PARTNER_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid partner id (expected [a-z0-9][a-z0-9-]*): " + id);
        }
        return id;
    }

    public synchronized void start() throws Exception {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        ActiveMQServer created = ActiveMQServers.newActiveMQServer(configuration(), null, securityManager());
        created.start();
        if (!created.isActive()) {
            created.stop();
            throw new IllegalStateException("Artemis broker did not become active");
        }
        server = created;
        actualPort = ((NettyAcceptor) created.getRemotingService().getAcceptor(ACCEPTOR)).getActualPort();
        LOG.info("Artemis broker listening on {} (CORE, AMQP 1.0)", url());
    }

    public synchronized void stop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
            LOG.info("Artemis broker stopped");
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    /** {@code tcp://127.0.0.1:PORT}, valid for CORE clients; AMQP clients use {@code amqp://127.0.0.1:PORT}. */
    public String url() {
        return "tcp://127.0.0.1:" + port();
    }

    /**
     * {@code vm://N}: the gateway's own connection to the broker it embeds, without TCP or Netty (the same users,
     * roles and stamps apply; nothing outside this JVM can reach it).
     */
    public String inVmUrl() {
        return "vm://" + inVmId;
    }

    public int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return actualPort;
    }

    /** The running server, for the gateway's health checks and for tests. */
    public ActiveMQServer server() {
        return server;
    }

    private Configuration configuration() throws Exception {
        Path dir = settings.dataDir().toAbsolutePath();
        Configuration config = new ConfigurationImpl()
                .setName("fedgate")
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO) // ASYNCIO needs libaio
                // an AMQP request of the maximum size is one journal record (not a large message): it must fit
                .setJournalFileSize(Math.max(DEFAULT_JOURNAL_FILE_SIZE, 2 * settings.amqpMinLargeMessageSize()))
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .setNodeManagerLockDirectory(dir.toString())
                .setCreateJournalDir(true)
                .setCreateBindingsDir(true)
                // a nearly full CI disk must not block producers: only a really full disk does
                .setMaxDiskUsage(100)
                .setJMXManagementEnabled(false)
                .setSecurityEnabled(true)
                .setPopulateValidatedUser(true); // Art. 5.1: who sent it, as authenticated by the broker
        // populate-validated-user only works for CORE messages (an AMQP message ignores setValidatedUserID):
        // this plugin stamps every message, whatever its protocol
        config.registerBrokerPlugin(new ValidatedUserStamp(settings.amqpMinLargeMessageSize()));
        // AMQP large messages lose the validated-user stamp (and keep a spoofed one) on their way to a CORE consumer:
        // no accepted request may be one, and ValidatedUserStamp refuses those above the threshold
        config.addAcceptorConfiguration(ACCEPTOR, "tcp://127.0.0.1:" + settings.port() + "?protocols=CORE,AMQP"
                + "&amqpMinLargeMessageSize=" + settings.amqpMinLargeMessageSize());
        config.addAcceptorConfiguration(IN_VM_ACCEPTOR, "vm://" + inVmId);

        AddressSettings all = new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(DLQ))
                .setExpiryAddress(SimpleString.of(EXPIRY))
                .setMaxDeliveryAttempts(settings.maxDeliveryAttempts())
                .setRedeliveryDelay(settings.redeliveryDelayMillis())
                .setRedeliveryMultiplier(2.0)
                .setMaxRedeliveryDelay(60_000);
        config.addAddressSetting("#", all);
        // never drop or loop what reached the dead-letter or expiry queue
        config.addAddressSetting(DLQ, new AddressSettings().setMaxDeliveryAttempts(-1));
        config.addAddressSetting(EXPIRY, new AddressSettings().setMaxDeliveryAttempts(-1));

        for (String queue : QUEUES) {
            config.addQueueConfiguration(durableAnycast(queue));
        }
        for (String partner : settings.partnerPasswords().keySet()) {
            config.addQueueConfiguration(durableAnycast(eventsQueue(partner)));
        }

        Role gateway = new Role(GATEWAY_ROLE, true, true, true, true, true, true, true, true, true, true, true, true);
        config.putSecurityRoles("#", Set.of(gateway));
        config.putSecurityRoles(REQUESTS_IN, Set.of(gateway, sendOnly(PARTNER_ROLE)));
        for (String partner : settings.partnerPasswords().keySet()) {
            config.putSecurityRoles(eventsQueue(partner), Set.of(gateway, consumeAndBrowse(partnerRole(partner))));
        }
        return config;
    }

    private ActiveMQJAASSecurityManager securityManager() {
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser(INTERNAL_USER, settings.internalPassword());
        users.addRole(INTERNAL_USER, GATEWAY_ROLE);
        settings.partnerPasswords().forEach((partner, password) -> {
            users.addUser(partner, password);
            users.addRole(partner, PARTNER_ROLE);
            users.addRole(partner, partnerRole(partner));
        });
        // no default user: an anonymous connection is refused
        return new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users);
    }

    static String partnerRole(String partnerId) {
        return PARTNER_ROLE + "-" + partnerId;
    }

    private static QueueConfiguration durableAnycast(String name) {
        return QueueConfiguration.of(name).setAddress(name).setRoutingType(RoutingType.ANYCAST).setDurable(true);
    }

    // Role(name, send, consume, createDurableQueue, deleteDurableQueue, createNonDurableQueue,
    //      deleteNonDurableQueue, manage, browse, createAddress, deleteAddress, view, edit)
    private static Role sendOnly(String role) {
        return new Role(role, true, false, false, false, false, false, false, false, false, false, false, false);
    }

    private static Role consumeAndBrowse(String role) {
        return new Role(role, false, true, false, false, false, false, false, true, false, false, false, false);
    }

    /**
     * Sets {@value #VALIDATED_USER_PROPERTY} to the sending session's authenticated user on every message, CORE or
     * AMQP, replacing whatever the client put there; a session with no validated user gets the property removed.
     * <p>
     * An AMQP large message (at least {@link Settings#amqpMinLargeMessageSize()} bytes) is refused: Artemis
     * converts it for CORE consumers from the bytes the client sent, so the stamp would be lost and a value the
     * client wrote would come through. The sender gets the refusal (an AMQP rejected outcome, its send fails) with
     * the reason in French; nothing is queued, so nothing is ever attributed to nobody or to someone else.
     */
    static final class ValidatedUserStamp implements ActiveMQServerMessagePlugin {
        private final long limit;

        ValidatedUserStamp(long limit) {
            this.limit = limit;
        }

        @Override
        public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct,
                               boolean noAutoCreateQueue) throws ActiveMQException {
            String user = session == null ? null : session.getValidatedUser();
            if (message.isLargeMessage() && !(message instanceof ICoreMessage)) {
                LOG.warn("AMQP message from {} refused: {} bytes or more (large message, the validated user cannot "
                        + "be stamped on it)", user == null ? "unknown user" : user, limit);
                throw new ActiveMQException(ActiveMQExceptionType.ILLEGAL_STATE, String.format(Locale.FRENCH,
                        "Message refusé : il dépasse la taille maximale acceptée (%d octets). Merci de transmettre "
                                + "un formulaire plus léger.", limit));
            }
            if (user == null) {
                message.removeProperty(SimpleString.of(VALIDATED_USER_PROPERTY));
            } else {
                message.putStringProperty(VALIDATED_USER_PROPERTY, user);
            }
            // an AMQP message is delivered to AMQP consumers from its original bytes unless re-encoded: without
            // this, a spoofed value sent by the client would reach them (BrokerValidatedUserSpoofingTest)
            message.reencode();
        }
    }
}
