package fedgate.app;

import fedgate.delivery.Delivery;
import fedgate.delivery.DeliveryChannel;
import fedgate.delivery.DeliveryException;
import fedgate.delivery.DeliveryFileName;
import fedgate.delivery.DeliveryMailText;
import fedgate.delivery.DeliveryOrder;
import fedgate.delivery.DeliveryService;
import fedgate.delivery.DeliveryService.Plan;
import jakarta.activation.DataHandler;
import jakarta.activation.FileDataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.attachment.AttachmentMessage;
import org.apache.camel.attachment.DefaultAttachmentMessage;
import org.apache.camel.component.jms.JmsMessage;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The thin Camel-facing adapter of {@code routes/deliver.camel.yaml}: reads the {@code fed.deliver} message, asks
 * {@link DeliveryService} for a {@link Plan}, and shapes the exchange for each channel (SFTP outbox, mail, notice on
 * {@code fed.events.<partner>}, dead-letter queue). Decisions are exchange properties the YAML branches on;
 * paths, addresses and queue names come from the registry and the validated delivery id, never from the message.
 */
public final class DeliveryEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryEndpoints.class);

    public static final String MESSAGE = "fedgateDeliveryMessage";
    public static final String DELIVERY_COUNT = "fedgateDeliveryCount";
    public static final String ORDER = "fedgateDeliveryOrder";
    public static final String PLAN = "fedgateDeliveryPlan";
    public static final String ACTION = "fedgateDeliveryAction";
    public static final String CHANNEL = "fedgateDeliveryChannel";
    public static final String MAIL = "fedgateDeliveryMail";
    public static final String DEAD_LETTER = "fedgateDeadLetter";
    /** Properties of a message the delivery stage dead-letters itself (read by {@code fedgate dlq list}). */
    public static final String ORIGINAL_ADDRESS = "_AMQ_ORIG_ADDRESS";
    public static final String FAILURE = "fedgateFailure";
    public static final String ATTEMPTS = "fedgateAttempts";
    public static final String QUEUE = "fed.deliver";
    private static final Pattern SECRET_PARAMETER = Pattern.compile("(?i)(password|passphrase|secret|privateKey\\w*)=[^&\\s]*");

    private final DeliveryService service;
    private final int maxAttempts;

    public DeliveryEndpoints(DeliveryService service, int maxAttempts) {
        this.service = service;
        this.maxAttempts = maxAttempts;
    }

    /** Reads the order and packages the delivery; what to do next is in the exchange properties. */
    public void prepare(Exchange ex) throws Exception {
        String body = ex.getIn().getBody(String.class);
        ex.setProperty(MESSAGE, body);
        ex.setProperty(DELIVERY_COUNT, deliveryCount(ex));
        DeliveryOrder order = DeliveryOrder.parse(body);
        ex.setProperty(ORDER, order);
        Plan plan = service.prepare(order);
        ex.setProperty(PLAN, plan);
        ex.setProperty(ACTION, plan.action().name());
        ex.setProperty(CHANNEL, plan.channel() == null ? null : plan.channel().code());
        ex.setProperty(MAIL, plan.action() == DeliveryService.Action.SEND
                && (plan.channel() == DeliveryChannel.EMAIL || plan.emailFellBackToSftp()));
    }

    /** The local files to put in the outbox, in transfer order (encrypted files, signature, manifest last). */
    public List<String> outboxFiles(Exchange ex) {
        return plan(ex).delivery().filesInTransferOrder().stream().map(p -> p.toAbsolutePath().toString()).toList();
    }

    /**
     * One file for {@code direct:sftp-put}: {@code <partner>/outbox/<delivery id>/<name>} as the gateway's service
     * account sees it; the body is the local file (streamed by the producer). Only the plan's own files are accepted.
     */
    public void outboxFile(Exchange ex) {
        Plan plan = plan(ex);
        String wanted = ex.getIn().getBody(String.class);
        Path file = plan.delivery().filesInTransferOrder().stream()
                .filter(p -> p.toAbsolutePath().toString().equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalStateException("not a file of delivery " + plan.deliveryId()));
        String name = file.getFileName().toString();
        if (!DeliveryFileName.isSafe(name)) {
            throw new IllegalStateException("unsafe file name in delivery " + plan.deliveryId());
        }
        Message m = new DefaultMessage(ex);
        m.setHeader(Exchange.FILE_NAME, plan.partner().id() + "/outbox/" + plan.deliveryId() + "/" + name);
        m.setBody(file.toFile());
        ex.setIn(m);
    }

    /**
     * The mail to the registry's referent (never an address from a message): the encrypted files, the manifest and
     * its signature attached; or, when they were too large, a text saying they are in the SFTP outbox.
     */
    public void prepareMail(Exchange ex) {
        Plan plan = plan(ex);
        Delivery d = plan.delivery();
        boolean attach = plan.channel() == DeliveryChannel.EMAIL;
        AttachmentMessage m = new DefaultAttachmentMessage(new DefaultMessage(ex));
        m.setHeader("To", plan.partner().referent().email());
        m.setHeader("Subject", DeliveryMailText.subject(d));
        m.setHeader("Content-Type", "text/plain; charset=UTF-8");
        m.setBody(DeliveryMailText.body(plan.partner(), d, attach, service.settings().emailMaxBytes()));
        if (attach) {
            for (Path f : d.filesInTransferOrder()) {
                FileDataSource source = new FileDataSource(f.toFile());
                m.addAttachment(f.getFileName().toString(), new DataHandler(source));
            }
        }
        ex.setIn(m);
    }

    public void transferred(Exchange ex) {
        service.transferred(plan(ex));
    }

    /** The delivery notice on the partner's own events queue, correlated with the request id. */
    /** Artemis duplicate detection ({@code Message.HDR_DUPLICATE_DETECTION_ID}). */
    static final String DUPLICATE_ID = "_AMQ_DUPL_ID";

    public void prepareNotice(Exchange ex) {
        Plan plan = plan(ex);
        Message m = new DefaultMessage(ex);
        m.setHeader("CamelJmsDestinationName", "fed.events." + plan.partner().id());
        m.setHeader("JMSCorrelationID", plan.correlationId());
        m.setHeader("JMSType", "fed.delivery");
        // Sent in its own transaction, committed before the database records it (route deliver-notice): a crash
        // between the two sends it again, and Artemis drops the second copy by this duplicate-detection id, so the
        // partner gets exactly one notice per delivery (CrashAllStagesProofIT). Inside the order's transaction, a
        // kill after the database had recorded the notice lost it: the redelivered order then did nothing.
        m.setHeader(DUPLICATE_ID, "fed.delivery:" + plan.deliveryId());
        m.setBody(service.notice(plan));
        ex.setIn(m);
    }

    public void noticeSent(Exchange ex) {
        service.noticeSent(plan(ex));
    }

    /**
     * A failed attempt. A refusal (partner key, extract refused, malformed order…) is final: FAILED and dead-lettered
     * at once. Any other failure (SFTP, SMTP, broker, disk) is kept with the attempt and rolled back for the broker to
     * redeliver with back-off; the last attempt is dead-lettered. The dead letter is the original message with
     * {@code _AMQ_ORIG_ADDRESS}, the failure's first line and the attempt count, for {@code fedgate dlq list/replay}.
     */
    public void failed(Exchange ex) {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        DeliveryOrder order = ex.getProperty(ORDER, DeliveryOrder.class);
        Integer count = ex.getProperty(DELIVERY_COUNT, Integer.class);
        int attempt = count == null ? deliveryCount(ex) : count;
        String message = ex.getProperty(MESSAGE, String.class);
        boolean refused = e instanceof DeliveryException;
        boolean last = refused || attempt >= maxAttempts;
        String failure = refused ? ((DeliveryException) e).reason() : describe(e);
        if (refused) {
            service.refused(order, (DeliveryException) e);
        } else {
            service.attemptFailed(order, failure, last);
        }
        String id = order == null ? "(unreadable order)" : order.id().value();
        if (!last) {
            LOG.warn("delivery {} attempt {}/{} failed, the broker will redeliver: {}", id, attempt, maxAttempts, failure);
            ex.setProperty(DEAD_LETTER, false);
            return;
        }
        LOG.error("delivery {} {} after attempt {}: dead-lettered to fed.dlq", id, refused ? "refused" : "failed", attempt);
        Message m = new DefaultMessage(ex);
        m.setHeader(ORIGINAL_ADDRESS, QUEUE);
        m.setHeader(FAILURE, failure);
        m.setHeader(ATTEMPTS, attempt);
        if (order != null) {
            m.setHeader("JMSCorrelationID", order.id().requestId() != null ? order.id().requestId() : order.id().value());
        }
        m.setBody(message == null ? ex.getIn().getBody(String.class) : message);
        ex.setIn(m);
        ex.setProperty(DEAD_LETTER, true);
    }

    /** One line, bounded, with the root cause; URI parameters that could hold a secret are masked. */
    static String describe(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        while (e instanceof org.apache.camel.CamelExchangeException && e.getCause() != null) {
            e = e.getCause(); // the split's wrapper says nothing about what failed
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
        if (root != e) {
            text += " (cause: " + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
        }
        text = SECRET_PARAMETER.matcher(text).replaceAll("$1=***");
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    private static int deliveryCount(Exchange ex) {
        JmsMessage in = ex.getIn(JmsMessage.class);
        try {
            return in == null || in.getJmsMessage() == null ? 1
                    : Math.max(1, in.getJmsMessage().getIntProperty("JMSXDeliveryCount"));
        } catch (jakarta.jms.JMSException | NumberFormatException e) {
            return 1;
        }
    }

    private static Plan plan(Exchange ex) {
        Plan plan = ex.getProperty(PLAN, Plan.class);
        if (plan == null) {
            throw new IllegalStateException("no delivery plan on the exchange");
        }
        return plan;
    }
}
