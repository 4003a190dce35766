package fedgate.app;

import fedgate.app.embedded.EmbeddedBroker;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code fedgate broker}: only the Artemis broker of the embedded default, in its own process — the same queues,
 * users, roles and redelivery settings — for gateway instances started with {@code fedgate.broker.embedded=false}.
 * It listens on 127.0.0.1 only (a trial or test of several instances on one machine); a production broker pair is
 * the Artemis distribution configured as docs/production.md says.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run only the gateway's Artemis broker (CORE + AMQP 1.0, 127.0.0.1), for gateways using an "
                + "external broker.")
public final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--home", description = "State directory: journal under data/broker, passwords under secrets/ "
            + "(default: $FEDGATE_HOME or the working directory).")
    String home;

    @Option(names = "--port", description = "Port (default: fedgate.broker.port, 61616; 0 = any free port).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Properties system = new Properties();
        system.putAll(System.getProperties());
        if (home != null) {
            system.setProperty("fedgate.home", home);
        }
        GatewayConfig config = GatewayConfig.load(System.getenv(), system, new Properties());
        PartnerRegistry partners = PartnerRegistry.withSamples(
                Path.of(config.get("fedgate.partners.dir")).toAbsolutePath());
        EmbeddedBroker.Settings defaults = EmbeddedBroker.Settings.fromHome(config.home(),
                port != null ? port : config.port("fedgate.broker.port"),
                partners.all().stream().map(Partner::id).toList());
        EmbeddedBroker broker = new EmbeddedBroker(new EmbeddedBroker.Settings(defaults.port(), defaults.dataDir(),
                defaults.internalPassword(), defaults.partnerPasswords(),
                Integer.parseInt(config.get("fedgate.broker.max-delivery-attempts")), 1000,
                config.bytes("fedgate.intake.max-bytes")));
        broker.start();
        System.out.println("fedgate broker listening on " + broker.url());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (Exception e) {
                System.err.println("broker stop failed: " + e.getMessage());
            }
            stopped.countDown();
        }, "fedgate-broker-shutdown"));
        stopped.await();
        return 0;
    }
}
