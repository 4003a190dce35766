package fedgate.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything logged through logback's root logger while open (every level the configuration lets through, with the
 * MDC of each event and its exception chain), for tests that read what an operator would read.
 */
final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.setName("test-capture-" + System.nanoTime());
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return new ArrayList<>(appender.list);
        }
    }

    /** The whole capture as text: each line's level, logger, MDC, formatted message and exception chain. */
    String text() {
        StringBuilder b = new StringBuilder();
        for (ILoggingEvent e : events()) {
            b.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ').append(e.getMDCPropertyMap())
                    .append(" - ").append(e.getFormattedMessage()).append('\n');
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                b.append("  ").append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
                for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
                    b.append("    ").append(s.getSTEAsString()).append('\n');
                }
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
