package fedgate.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fedgate} command: {@code java -jar target/fedgate.jar <subcommand>}. */
@Command(name = "fedgate", mixinStandardHelpOptions = true, version = "fedgate 0.1.0",
        description = "Secure data-exchange gateway between a CAF and its partner cities.",
        subcommands = {RunCommand.class, BrokerCommand.class, SubmitCommand.class, SendCommand.class, ReceiptCommand.class,
                AuditCommand.class, DlqCommand.class, DecideCommand.class, SocleCommand.class, DataCommand.class, ExtractCommand.class,
                CommandLine.HelpCommand.class})
public final class Fedgate implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Fedgate()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
