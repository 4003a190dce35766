package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import fedgate.app.embedded.EmbeddedBroker;
import fedgate.app.embedded.EmbeddedMailServer;
import fedgate.app.embedded.EmbeddedSftpServer;
import fedgate.app.cluster.PollerCluster;
import fedgate.app.ops.ExternalParts;
import fedgate.app.ops.ExternalProbes;
import fedgate.app.ops.MailTls;
import fedgate.app.ops.Metrics;
import fedgate.app.ops.MetricsEndpoint;
import fedgate.app.ops.RequestIdMdc;
import fedgate.app.ops.RouteMetricsNotifier;
import fedgate.delivery.DeliveryService;
import fedgate.fed.FedDocumentReader;
import fedgate.fed.MailFedReader;
import fedgate.extract.IndicatorCatalogue;
import fedgate.intake.IntakeService;
import fedgate.intake.RequestSignatures;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.ledger.AuditLedger;
import fedgate.state.Database;
import fedgate.state.DeliveryRepository;
import fedgate.state.RequestRepository;
import fedgate.validation.RequestValidator;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

import javax.sql.DataSource;
import java.security.PublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The running gateway: state store, embedded servers (when configured), Camel routes from {@code routes/},
 * and the HTTP API. {@link #start(GatewayConfig)} returns once everything listens; {@link #close()} stops it
 * in reverse order.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private EmbeddedBroker broker;
    private EmbeddedSftpServer sftp;
    private EmbeddedMailServer mail;
    private DataSource dataSource;
    private RequestRepository requests;
    private AuditLedger ledger;
    private DeliveryRepository deliveries;
    private volatile DeliveryService delivery;
    private PartnerRegistry partners;
    private Main camel;
    private HttpApi http;
    private String adminPassword;
    private String mailPassword;
    private Clock storyClock = Clock.systemUTC();
    private StoryStage story;
    private ExternalProbes probes;
    private org.apache.camel.cluster.CamelClusterService cluster;
    private Metrics metrics;

    private Gateway(GatewayConfig config) {
        this.config = config;
    }

    public static Gateway start(GatewayConfig config) throws Exception {
        return start(config, Clock.systemUTC());
    }

    /** @param storyClock drives study reminders and the socle's schedule (tests move it instead of waiting) */
    public static Gateway start(GatewayConfig config, Clock storyClock) throws Exception {
        Gateway g = new Gateway(config);
        g.storyClock = storyClock;
        try {
            g.startAll();
        } catch (Exception | Error e) {
            g.close();
            throw e;
        }
        return g;
    }

    private void startAll() throws Exception {
        Path home = config.home();
        Files.createDirectories(home);
        Files.createDirectories(config.dataDir());
        LOG.info("fedgate starting, home {}{}", home,
                config.get("fedgate.profile", "").isEmpty() ? "" : ", profile " + config.get("fedgate.profile"));
        Map<String, String> env = System.getenv();
        // an external part with missing or incoherent settings stops the start here, every problem listed
        new ExternalParts(config, env).check();
        if (!config.flag("fedgate.mail.embedded") && config.flag("fedgate.mail.allow-plaintext")) {
            LOG.warn("fedgate.mail.allow-plaintext=true: the external mail server may be used WITHOUT TLS (tests only)");
        }

        adminPassword = Secrets.secret("FEDGATE_ADMIN_PASSWORD", config.secretsDir().resolve("admin-password"));
        mailPassword = Secrets.secret("FEDGATE_MAIL_PASSWORD", config.secretsDir().resolve("mail-fed"));

        dataSource = Database.migrate(openDatabase());
        ledger = new AuditLedger(dataSource, Clock.systemUTC());
        // concurrent intakes share one database transaction and commit (group commit, README "Messaging interface")
        requests = new RequestRepository(dataSource, ledger,
                Integer.parseInt(config.get("fedgate.intake.group-commit.max-batch")));
        partners = PartnerRegistry.withSamples(Path.of(config.get("fedgate.partners.dir")).toAbsolutePath());
        LOG.info("partners: {}", partners.all().stream().map(Partner::id).collect(Collectors.joining(", ")));
        deliveries = new DeliveryRepository(dataSource, requests);
        delivery = DeliveryStage.service(config, partners, requests, deliveries, json(), Clock.systemUTC());

        String brokerPassword = Secrets.secret("FEDGATE_BROKER_PASSWORD", config.secretsDir().resolve("broker-fedgate"));
        String brokerUrl = config.get("fedgate.broker.url");
        String brokerUser = config.get("fedgate.broker.user", EmbeddedBroker.INTERNAL_USER);
        if (config.flag("fedgate.broker.embedded")) {
            brokerUser = EmbeddedBroker.INTERNAL_USER;
            EmbeddedBroker.Settings defaults = EmbeddedBroker.Settings.fromHome(home, config.port("fedgate.broker.port"),
                    partners.all().stream().map(Partner::id).toList());
            broker = new EmbeddedBroker(new EmbeddedBroker.Settings(defaults.port(), defaults.dataDir(),
                    defaults.internalPassword(), defaults.partnerPasswords(),
                    Integer.parseInt(config.get("fedgate.broker.max-delivery-attempts")), 1000,
                    config.bytes("fedgate.intake.max-bytes")));
            broker.start();
            started.add(broker);
            // the gateway's own consumers and producers: in-VM, no TCP round trip (partners and other instances: TCP)
            brokerUrl = broker.inVmUrl();
        }

        GatewayConfig effective = config;
        if (config.flag("fedgate.sftp.embedded")) {
            sftp = startSftp();
            started.add(sftp);
            effective = effective.with("fedgate.sftp.port", Integer.toString(sftp.port()));
        }
        if (config.flag("fedgate.mail.embedded")) {
            mail = new EmbeddedMailServer(new EmbeddedMailServer.Settings(config.port("fedgate.mail.smtp.port"),
                    config.port("fedgate.mail.imap.port"), mailPassword, Map.of()));
            mail.start();
            started.add(mail);
            effective = effective.with("fedgate.mail.smtp.port", Integer.toString(mail.smtpPort()))
                    .with("fedgate.mail.imap.port", Integer.toString(mail.imapPort()));
        }

        ObjectMapper json = json();
        Clock clock = Clock.systemUTC();
        IntakeService intake = new IntakeService(requests, new FedDocumentReader(), new MailFedReader(),
                new RequestValidator(partners, IndicatorCatalogue.load()), partners,
                new RequestSignatures(Path.of(config.get("fedgate.pgp.partner-keys-dir")).toAbsolutePath(), clock,
                        config.bytes("fedgate.intake.max-bytes")), json, home.resolve("quarantine"),
                config.bytes("fedgate.intake.max-bytes"), clock);

        camel = new Main();
        java.util.Properties props = effective.asProperties();
        props.setProperty("fedgate.mail.password", mailPassword);
        props.setProperty("fedgate.sftp.private-key", effective.path("fedgate.sftp.private-key").toString());
        props.setProperty("fedgate.sftp.known-hosts", effective.path("fedgate.sftp.known-hosts").toString());
        camel.setInitialProperties(props);
        camel.configure().withRoutesIncludePattern("file:" + routesDir() + "/*.camel.yaml");
        camel.configure().routeControllerConfig().setEnabled(true);
        camel.configure().routeControllerConfig().setBackOffDelay(2000);
        camel.configure().withJmxEnabled(false);
        MailTls mailTls = new MailTls(config, env);
        // external servers: the same mail routes, with TLS, server identity checked, the configured trust store and
        // timeouts. Always: IMAP reads a message in fetch-size pieces, and the JavaMail default (16 KiB) made one
        // 50 MiB mail hold the intake mailbox for many minutes (HostileInputProofIT)
        for (String protocol : new java.util.LinkedHashSet<>(List.of(config.get("fedgate.mail.imap.protocol"),
                config.get("fedgate.mail.smtp.protocol")))) {
            String bean = "fedgateJavaMail" + protocol;
            java.util.Properties mailProperties = config.flag("fedgate.mail.embedded") ? new java.util.Properties()
                    : mailTls.javaMailProperties(protocol);
            mailProperties.setProperty("mail." + protocol + ".fetchsize", Integer.toString(1 << 20));
            camel.bind(bean, mailProperties);
            camel.addInitialProperty("camel.component." + protocol + ".additionalJavaMailProperties",
                    "#bean:" + bean);
        }
        probes = new ExternalProbes(effective, brokerUrl, brokerPassword, mailPassword, mailTls);
        probes.verifyCredentials(!config.flag("fedgate.broker.embedded"), !config.flag("fedgate.mail.embedded"));
        // pollers (master:fedgate-pollers:… routes) run on one instance at a time
        cluster = PollerCluster.create(config, dataSource);
        camel.bind("pollerCluster", cluster);
        metrics = new Metrics(dataSource);
        camel.bind("routeMetrics", new RouteMetricsNotifier(metrics));
        camel.bind("requestIdMdc", new RequestIdMdc());
        // which failures are a server away (retried in place, routes/errors.camel.yaml), and the line that says so
        camel.bind("outages", new fedgate.app.ops.Outages());
        camel.bind("intakeEndpoints", new IntakeEndpoints(intake, requests, partners, json, clock));
        PipelineEndpoints pipeline = PipelineEndpoints.create(config, dataSource, requests, partners, json, clock);
        camel.bind("pipelineEndpoints", pipeline);
        story = StoryStage.create(config, dataSource, ledger, requests, partners, delivery, pipeline, json, storyClock);
        story.bind(camel);
        pipeline.service().observeTimings(t -> metrics.extractTimes(t.total(), t.audit()));
        JmsComponent jms = jms(brokerUrl, brokerUser, brokerPassword);
        camel.bind("jms", jms);
        // closed after Camel has stopped and before the broker does, so no consumer sees the broker vanish
        started.add(() -> ((CachingConnectionFactory) jms.getConnectionFactory()).destroy());
        // sends committed at once, outside any stage transaction (the delivery notice: see DeliveryEndpoints)
        JmsComponent committed = jms(brokerUrl, brokerUser, brokerPassword);
        camel.bind("jmsCommitted", committed);
        started.add(() -> ((CachingConnectionFactory) committed.getConnectionFactory()).destroy());
        camel.bind("deliveryEndpoints", new DeliveryEndpoints(delivery,
                Integer.parseInt(config.get("fedgate.broker.max-delivery-attempts"))));
        camel.start();
        started.add(camel::stop);
        pipeline.attach(camelContext());
        story.attach(camelContext());

        http = new HttpApi(config.get("fedgate.http.host"), config.port("fedgate.http.port"), adminPassword, requests,
                json, this::health);
        http.addRequestSection("deliveries", id -> DeliveryStage.deliveriesOf(id, deliveries, json));
        org.apache.camel.ProducerTemplate producer = camelContext().createProducerTemplate();
        http.addHandler(new SendsEndpoint(partners, deliveries, delivery.settings().sendsRoot(),
                config.bytes("fedgate.delivery.send-max-bytes"),
                order -> producer.sendBody("jms:queue:" + DeliveryEndpoints.QUEUE + "?exchangePattern=InOnly", order),
                json, clock));
        new DecisionApi(pipeline, json).register(http);
        story.register(http, json);
        metrics.health(this::health);
        metrics.leadership(() -> PollerCluster.leadership(cluster));
        metrics.deadLetters(deadLetterDepth(jms));
        http.addContext("/metrics", new MetricsEndpoint(metrics), MetricsEndpoint.authenticator(HttpApi.OPERATOR,
                adminPassword, Secrets.secret("FEDGATE_METRICS_TOKEN", config.secretsDir().resolve("metrics-token"))));
        http.start();
        started.add(http);
        LOG.info("fedgate started: {} route(s) from {}", camelContext().getRoutes().size(), routesDir());
    }

    /**
     * The embedded drop-box: one account per partner (its registered key), plus the gateway's service account
     * whose key pair is generated on first start; the known_hosts file the routes pin is rewritten each start.
     */
    private EmbeddedSftpServer startSftp() throws Exception {
        Map<String, List<PublicKey>> keys = new LinkedHashMap<>();
        for (Partner p : partners.all()) {
            keys.put(p.id(), List.of(AuthorizedKeyEntry.parseAuthorizedKeyEntry(p.sftpPublicKey())
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING)));
        }
        EmbeddedSftpServer server = new EmbeddedSftpServer(new EmbeddedSftpServer.Settings(
                config.port("fedgate.sftp.port"), Path.of(config.get("fedgate.sftp.host-key")).toAbsolutePath(),
                config.dataDir().resolve("sftp"), keys),
                d -> { // retrieval receipts (the server logs each download itself)
                    DeliveryService stage = delivery;
                    if (stage != null) {
                        stage.downloaded(d.account(), d.path(), d.bytesRead(), d.fileSize(), d.at());
                    }
                });
        server.setServiceAccount(config.get("fedgate.sftp.user"),
                SshKeys.loadOrGenerate(config.path("fedgate.sftp.private-key"), "fedgate-gateway").getPublic());
        server.start();
        server.writeKnownHosts(config.path("fedgate.sftp.known-hosts"));
        return server;
    }

    private DataSource openDatabase() {
        String url = config.get("fedgate.db.url", "");
        if (url.isEmpty()) {
            Path db = config.dataDir().resolve("db");
            LOG.info("state: embedded H2 database under {}", db);
            return Database.h2(db);
        }
        LOG.info("state: external database {}", url.replaceAll("password=[^&;]*", "password=***"));
        return Database.fromUrl(url, config.get("fedgate.db.user"),
                Secrets.secret("FEDGATE_DB_PASSWORD", config.secretsDir().resolve("db-password")),
                Integer.parseInt(config.get("fedgate.db.pool-size")));
    }

    private Path routesDir() {
        return Path.of(config.get("fedgate.routes.dir")).toAbsolutePath().normalize();
    }

    /**
     * The depth of fed.dlq: from the embedded server directly, else by browsing the queue as the gateway's user
     * (cached 15 s; at most 100 000 counted).
     */
    private java.util.function.LongSupplier deadLetterDepth(JmsComponent jms) {
        long[] cache = {0, -1};
        return () -> {
            if (broker != null && broker.server() != null) {
                org.apache.activemq.artemis.core.server.Queue q = broker.server()
                        .locateQueue(org.apache.activemq.artemis.api.core.SimpleString.of(EmbeddedBroker.DLQ));
                return q == null ? -1 : q.getMessageCount();
            }
            synchronized (cache) {
                if (System.currentTimeMillis() - cache[0] < 15_000) {
                    return cache[1];
                }
                long n = -1;
                try (jakarta.jms.Connection c = jms.getConnectionFactory().createConnection()) {
                    c.start();
                    jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
                    try (jakarta.jms.QueueBrowser b = s.createBrowser(s.createQueue(EmbeddedBroker.DLQ))) {
                        n = 0;
                        for (var e = b.getEnumeration(); e.hasMoreElements() && n < 100_000; e.nextElement()) {
                            n++;
                        }
                    }
                } catch (Exception e) {
                    LOG.warn("metrics: cannot browse {} ({})", EmbeddedBroker.DLQ, e.getMessage());
                }
                cache[0] = System.currentTimeMillis();
                cache[1] = n;
                return n;
            }
        };
    }

    private static JmsComponent jms(String url, String user, String password) {
        ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url, user, password);
        // a JMS send resolves its queue by name: without this, every send made a blocking queue query to the broker
        cf.setCacheDestinations(true);
        CachingConnectionFactory caching = new CachingConnectionFactory(cf);
        caching.setSessionCacheSize(10);
        // a transacted route's listener closes its consumer after each transaction: a cached consumer would stay
        // open on an idle cached session, holding prefetched messages nobody reads (seen: requests stuck in
        // fed.requests.in until restart)
        caching.setCacheConsumers(false);
        // the broker away: say so in one line; the shared connection is dropped and made again on next use, the stage
        // consumers recover by themselves (Spring's listener recovery, every 5 s) and unacknowledged messages come again
        caching.setReconnectOnException(true);
        caching.setExceptionListener(e -> LOG.warn("broker unavailable ({}): the stage consumers reconnect by themselves "
                + "and every unacknowledged message is delivered again; nothing is lost", brokerCause(e)));
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(caching);
        // a transacted stage consumes its order and sends the next one on its listener's own session: one broker
        // commit for both. Camel's default (a JmsTransactionManager made lazily) sends on a second session, committed
        // after the listener's: a crash between the two commits acknowledged an order whose successor was discarded
        // (StageTransactionsIT; CrashAllStagesProofIT found a request APPROVED and never extracted)
        jms.getConfiguration().setLazyCreateTransactionManager(false);
        return jms;
    }

    private static String brokerCause(Throwable e) {
        Throwable root = e;
        for (int i = 0; i < 20 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + m;
    }

    public static ObjectMapper json() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    private Map<String, Boolean> health() {
        Map<String, Boolean> h = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            h.put("database", c.isValid(2));
        } catch (Exception e) {
            h.put("database", false);
        }
        if (broker != null) {
            h.put("broker", broker.server() != null && broker.server().isActive());
        } else if (probes != null) {
            h.put("broker", probes.broker());
        }
        if (sftp != null) {
            h.put("sftp", sftp.isRunning());
        } else if (probes != null) {
            h.put("sftp", probes.sftp());
        }
        if (mail != null) {
            h.put("mail", mail.isRunning());
        } else if (probes != null) {
            h.put("mail", probes.mail());
        }
        h.put("routes", camel.getCamelContext() != null && camel.getCamelContext().isStarted());
        return h;
    }

    public CamelContext camelContext() {
        return camel.getCamelContext();
    }

    public AuditLedger ledger() {
        return ledger;
    }

    public RequestRepository requests() {
        return requests;
    }

    public DeliveryRepository deliveries() {
        return deliveries;
    }

    public PartnerRegistry partners() {
        return partners;
    }

    public int httpPort() {
        return http.port();
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    public EmbeddedSftpServer sftp() {
        return sftp;
    }

    public EmbeddedMailServer mail() {
        return mail;
    }

    public String adminPassword() {
        return adminPassword;
    }

    public String mailPassword() {
        return mailPassword;
    }

    /** The leader election of the pollers (for tests and operations). */
    public org.apache.camel.cluster.CamelClusterService cluster() {
        return cluster;
    }

    public GatewayConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}", started.get(i).getClass().getSimpleName(), e);
            }
        }
        started.clear();
        if (dataSource != null) {
            if (config.get("fedgate.db.url", "").isEmpty()) {
                try (Connection c = dataSource.getConnection()) {
                    c.createStatement().execute("SHUTDOWN");
                } catch (Exception e) {
                    LOG.warn("H2 shutdown failed", e);
                }
            }
            Database.close(dataSource); // the pool's connections (H2's after its SHUTDOWN)
            dataSource = null;
        }
        LOG.info("fedgate stopped");
    }
}
