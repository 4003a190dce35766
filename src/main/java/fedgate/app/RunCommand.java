package fedgate.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code fedgate run}: starts the gateway and keeps it running until SIGTERM / Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the gateway (embedded broker, SFTP and mail servers by default, all on loopback).")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--home", description = "State directory (default: $FEDGATE_HOME or the working directory).")
    String home;

    @Option(names = "--profile", description = "Configuration profile: reads fedgate-<profile>.properties from the "
            + "home directory, over the defaults and fedgate.properties, under the environment and -D "
            + "(e.g. production; also FEDGATE_PROFILE).")
    String profile;

    @Override
    public Integer call() throws Exception {
        Properties system = new Properties();
        system.putAll(System.getProperties());
        if (home != null) {
            system.setProperty("fedgate.home", home);
        }
        if (profile != null) {
            // read by GatewayConfig between fedgate.properties and the environment (env and -D still win)
            system.setProperty("fedgate.profile", profile);
        }
        Gateway gateway = Gateway.start(GatewayConfig.load(System.getenv(), system, new Properties()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "fedgate-shutdown"));
        stopped.await();
        return 0;
    }
}
