package fedgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.app.Gateway;
import fedgate.app.GatewayConfig;
import fedgate.app.embedded.EmbeddedBroker;
import fedgate.state.RequestRepository.HistoryEntry;
import fedgate.state.RequestStatus;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.qpid.jms.JmsConnectionFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load benchmark of intake (issue 7), not a test. Starts a whole gateway in a temporary home (embedded broker,
 * mail server, H2; decisions not auto-approved, so that only intake is measured), then in the same run, with the
 * same producer set-up for the baseline and for intake ({@code bench.producers} AMQP connections, one thread each,
 * synchronous persistent sends — each send returns once the broker has journalled the message):
 * <ol>
 *   <li>baseline: raw Artemis persistent send-and-receive on the same embedded broker — a durable queue of its
 *       own, the same message size, the gateway's internal user, one AMQP consumer; sent as fast as the
 *       producers can (closed loop); rate = N / (first send → last receipt);</li>
 *   <li>warm-up ({@link #warmUp}): W AMQP requests (80 000 by default) in batches, not counted; then the assess
 *       stage works off their backlog and the partner's events they caused are read, so that neither competes with
 *       the measured run;</li>
 *   <li>AMQP intake, throughput: N JSON requests as fast as the producers can (closed loop), each request with its
 *       own study text, JMSCorrelationID set, reply-to {@code fed.events.ville-rouen}; the acknowledgement is
 *       consumed there with selector {@code JMSType = 'fed.acknowledgement'} (a second consumer drains the other
 *       events); rate = N / (first send → last acknowledgement), compared with the baseline;</li>
 *   <li>the baseline again, the JVM warm, once the assess stage has worked off its backlog ({@code fed.validated}
 *       empty: it would compete for the CPU): every ratio is taken against the faster of the two baseline runs;</li>
 *   <li>the broker skeleton of intake ({@link #skeleton}): the same messages through the same broker without the
 *       gateway's work — the broker's share of a request ({@code -Dbench.skeleton=false} skips it);</li>
 *   <li>AMQP intake, latency: N more requests at a fixed offered rate ({@code bench.rate} per second, open
 *       workload: request i is due at start + i / rate whatever happened to the earlier ones); latency = due time
 *       → acknowledgement received (a late send counts against the gateway, no coordinated omission);</li>
 *   <li>M mails over SMTP; latency = send → VALIDATED in the request history.</li>
 * </ol>
 * {@code -Dbench.stop-assess=true} stops the assess route first (diagnosis: intake without the next stage
 * competing for the CPU). Run from the repository root (the gateway reads {@code certs-sample/}):
 * {@code java -cp target/classes:target/test-classes:<deps> fedgate.bench.IntakeLoadBenchmark 10000 1000}
 * (arguments: N, M, W warm-up requests; system properties {@code bench.producers} (16), {@code bench.rate} (500,
 * 0 skips the fixed-rate run)).
 */
public final class IntakeLoadBenchmark {

    private static final ObjectMapper JSON = Gateway.json();
    private static final int PRODUCERS = Integer.getInteger("bench.producers", 16);
    private static final int RATE = Integer.getInteger("bench.rate", 500);
    private static final int MAIL_SENDERS = 4;
    private static final int WARMUP_BATCH = 2000;
    private static final String PARTNER = "ville-rouen";
    private static final String EVENTS = "fed.events." + PARTNER;
    private static final String REFERENT = "referent@ville-rouen.example";
    private static final String INTAKE = "fed@caf-rouen.example";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 80_000;
        Path home = Files.createTempDirectory("fedgate-bench-");
        Properties system = new Properties();
        system.setProperty("fedgate.home", home.toString());
        // settings to try (e.g. -Dfedgate.intake.broker-consumers=64) pass through to the gateway
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("fedgate."))
                .forEach(k -> system.setProperty(k, System.getProperty(k)));
        Properties o = new Properties();
        o.setProperty("fedgate.http.port", "0");
        o.setProperty("fedgate.broker.port", "0");
        o.setProperty("fedgate.sftp.port", "0");
        int smtpPort = freePort();
        o.setProperty("fedgate.mail.smtp.port", Integer.toString(smtpPort));
        o.setProperty("fedgate.mail.imap.port", Integer.toString(freePort()));
        o.setProperty("fedgate.mail.poll-delay", "500");
        o.setProperty("fedgate.sftp.poll-delay", "500");
        o.setProperty("fedgate.snapshot.sample-households", "100000");
        o.setProperty("fedgate.partners.dir", home.resolve("partners").toString());
        o.setProperty("fedgate.decision.auto-approve", "false");

        try {
            run(home, system, o, n, m, warmup, smtpPort);
        } finally {
            TempHome.delete(home); // 1–2 GB of journal, database and mailbox per run
        }
    }

    private static void run(Path home, Properties system, Properties o, int n, int m, int warmup, int smtpPort)
            throws Exception {
        long t0 = System.nanoTime();
        try (Gateway gw = Gateway.start(GatewayConfig.load(Map.of(), system, o))) {
            System.out.printf("gateway started in %d ms, home %s%n", (System.nanoTime() - t0) / 1_000_000, home);
            if (Boolean.getBoolean("bench.stop-assess")) {
                // diagnosis only: without the assess stage (DuckDB feasibility per validated request) competing
                // for the CPU; validated requests then wait in fed.validated
                gw.camelContext().getRouteController().stopRoute("assess");
                System.out.println("route assess stopped (-Dbench.stop-assess=true)");
            }
            String url = "amqp://127.0.0.1:" + gw.broker().port();
            String internal = Files.readString(home.resolve("secrets/broker-" + EmbeddedBroker.INTERNAL_USER)).trim();
            String partner = Files.readString(home.resolve("secrets/broker-" + PARTNER)).trim();
            byte[] sample = readResource("/fed/demande-rouen.json");
            int size = fed(sample, "p0-000000").length;

            gw.broker().server().createQueue(QueueConfiguration.of("bench.raw").setRoutingType(RoutingType.ANYCAST)
                    .setDurable(true).setAutoCreateAddress(true));
            String loadBefore = loadAverage();
            Result rawWarm = raw(url, internal, size, Math.min(warmup, n));
            Result raw = raw(url, internal, size, n);

            warmUp(gw, url, partner, sample, warmup);
            if (!Boolean.getBoolean("bench.stop-assess")) {
                drained(gw, "fed.validated"); // the warm-up's backlog would compete with the measured run
            }
            // so would the partner's unread events of the warm-up (the measured run's own are read as they come)
            consumeAll(url, partner, EVENTS);
            Result amqp = amqp(gw, url, partner, sample, n, "r", 0);
            // the baseline again, the JVM now warm: the ratio is taken against the faster of the two (the first
            // one, measured cold, ranged from 1 894 to 2 623/s on the same machine)
            if (!Boolean.getBoolean("bench.stop-assess")) {
                drained(gw, "fed.validated"); // the assess stage's backlog would compete with the baseline
            }
            Result rawAgain = raw(url, internal, size, n);
            Result baseline = rawAgain.rate() > raw.rate() ? rawAgain : raw;
            // the same messages as a broker submission, without the gateway's work: the most intake could reach
            Result skeleton = Boolean.parseBoolean(System.getProperty("bench.skeleton", "true"))
                    ? skeleton(gw, url, internal, sample, n) : null;
            Result paced = null;
            if (RATE > 0) {
                consumeAll(url, partner, EVENTS); // the events of the throughput run, sent while the baseline ran
                paced = amqp(gw, url, partner, sample, n, "p", RATE);
            }
            Result mail = m > 0 ? mail(gw, smtpPort, m) : null;
            String loadAfter = loadAverage();

            System.out.println();
            System.out.printf("message size %d bytes, %d producer connections (synchronous persistent sends), "
                    + "warm-up %d (raw %d) not counted%n", size, PRODUCERS, warmup, rawWarm.count);
            System.out.printf("load average before: %s; after: %s (nproc %d)%n", loadBefore, loadAfter,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("%-40s %8s %10s %9s %9s %9s %8s%n", "run", "count", "rate/s", "p50 ms", "p99 ms",
                    "max ms", "vs raw");
            print("raw Artemis persistent send+recv (max)", raw, baseline);
            print("raw again, after the intake run (max)", rawAgain, baseline);
            if (skeleton != null) {
                print("broker skeleton of intake (max)", skeleton, baseline);
            }
            print("AMQP JSON request -> ack (max)", amqp, baseline);
            if (paced != null) {
                print("AMQP JSON request -> ack (" + RATE + "/s offered)", paced, baseline);
            }
            if (mail != null) {
                print("SMTP mail -> VALIDATED", mail, null);
            }
            System.out.printf("AMQP acknowledgements accepted=true: %d / %d (max), %s (offered rate); "
                    + "other events drained: %d%n", amqp.accepted, amqp.count,
                    paced == null ? "-" : paced.accepted + " / " + paced.count, amqp.others);
            System.out.printf("intake / raw broker rate (the faster raw run): %.1f %%%n",
                    100 * amqp.rate() / baseline.rate());
            if (skeleton != null) {
                System.out.printf("skeleton / raw: %.1f %%; intake / skeleton (the gateway's own work): %.1f %%%n",
                        100 * skeleton.rate() / baseline.rate(), 100 * amqp.rate() / skeleton.rate());
            }
            System.out.printf("broker consumers %s; intake group commit (max %s): %s%n",
                    gw.config().get("fedgate.intake.broker-consumers"),
                    gw.config().get("fedgate.intake.group-commit.max-batch"), gw.requests().groupCommitStats());
        }
    }

    record Result(int count, double seconds, long[] latenciesMicros, int accepted, int others) {
        double rate() {
            return count / seconds;
        }

        double pct(double p) {
            if (latenciesMicros.length == 0) {
                return Double.NaN;
            }
            long[] s = latenciesMicros.clone();
            Arrays.sort(s);
            int i = (int) Math.ceil(p * s.length) - 1;
            return s[Math.max(0, Math.min(s.length - 1, i))] / 1000.0;
        }
    }

    private static void print(String name, Result r, Result raw) {
        System.out.printf("%-34s %8d %10.1f %9.1f %9.1f %9.1f %8s%n", name, r.count, r.rate(), r.pct(0.50),
                r.pct(0.99), r.pct(1.0), raw == null ? "-" : String.format("%.1f %%", 100 * r.rate() / raw.rate()));
    }

    // ------------------------------------------------------------------ warm-up

    /**
     * {@code total} AMQP requests in batches of {@link #WARMUP_BATCH}, each batch's rate and the share of the CPU
     * its JIT compiler threads took printed. Intake runs through far more code than the raw baseline (Camel, Spring
     * JMS, H2, Jackson, the broker's AMQP conversions): on two cores the batches' rate climbed from about 320/s to
     * 1 200–1 700/s over 80 000 requests, the compiler threads taking a quarter of the CPU all along; a warm-up of a
     * few hundred requests measured the JIT compiler as much as the gateway.
     */
    private static void warmUp(Gateway gw, String url, String partner, byte[] sample, int total) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        for (int k = 0; k * WARMUP_BATCH < total; k++) {
            long compiler = compilerCpuNanos();
            long t0 = System.nanoTime();
            Result r = amqp(gw, url, partner, sample, Math.min(WARMUP_BATCH, total - k * WARMUP_BATCH), "w" + k, 0);
            double share = (compilerCpuNanos() - compiler) / ((double) (System.nanoTime() - t0) * cores);
            System.out.printf("warm-up batch %d: %d requests, %.1f /s, JIT compiler threads %.1f %% of the CPU%n", k,
                    r.count, r.rate(), 100 * share);
        }
    }

    /** CPU time used so far by this JVM's JIT compiler threads (Linux: /proc/self/task, in clock ticks of 10 ms). */
    private static long compilerCpuNanos() throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (!Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // after "(comm)": state is field 3, utime and stime fields 14 and 15
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException gone) {
                    // a compiler thread that ended meanwhile
                }
            }
        }
        return ticks * 10_000_000L;
    }

    // ------------------------------------------------------------------ raw broker baseline

    private static Result raw(String url, String password, int size, int n) throws Exception {
        JmsConnectionFactory cf = new JmsConnectionFactory(EmbeddedBroker.INTERNAL_USER, password, url);
        char[] chars = new char[size];
        Arrays.fill(chars, 'x');
        String body = new String(chars);
        long[] sent = new long[n];
        long[] lat = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        long[] last = new long[1];
        try (Connection c = cf.createConnection()) {
            Session cs = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = cs.createConsumer(cs.createQueue("bench.raw"));
            consumer.setMessageListener(msg -> {
                try {
                    int i = msg.getIntProperty("i");
                    long now = System.nanoTime();
                    lat[i] = (now - sent[i]) / 1000;
                    last[0] = now;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                done.countDown();
            });
            c.start();
            long start = produce(n, 0, cf, (s, p, i, due) -> {
                TextMessage t = s.createTextMessage(body);
                t.setIntProperty("i", i);
                sent[i] = due;
                p.send(t);
            }, "bench.raw");
            if (!done.await(600, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw: " + done.getCount() + " not received");
            }
            return new Result(n, (last[0] - start) / 1e9, lat, n, 0);
        }
    }

    /** Reads and drops every message waiting in {@code queue}, as the partner would read them. */
    private static void consumeAll(String url, String password, String queue) throws Exception {
        long t = System.nanoTime();
        int n = 0;
        try (Connection c = new JmsConnectionFactory(PARTNER, password, url).createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            c.start();
            while (consumer.receive(2000) != null) {
                n++;
            }
        }
        System.out.printf("%s: %d waiting messages read in %.1f s%n", queue, n, (System.nanoTime() - t) / 1e9);
    }

    /** Waits until {@code queue} is empty (at most 10 minutes) and says how long it took. */
    private static void drained(Gateway gw, String queue) throws InterruptedException {
        long t = System.nanoTime();
        org.apache.activemq.artemis.core.server.Queue q =
                gw.broker().server().locateQueue(org.apache.activemq.artemis.api.core.SimpleString.of(queue));
        while (q.getMessageCount() > 0 && System.nanoTime() - t < 600e9) {
            Thread.sleep(200);
        }
        System.out.printf("%s drained in %.1f s (%d left)%n", queue, (System.nanoTime() - t) / 1e9,
                q.getMessageCount());
    }

    // ------------------------------------------------------------------ broker skeleton of intake

    /**
     * The broker's share of a broker submission, measured: the same producers and the same partner-side consumers as
     * {@link #amqp} (acknowledgements selected by JMSType, the rest drained), and as many consumers as the gateway
     * ({@code fedgate.intake.broker-consumers}, in-VM, the gateway's user), each in a local transaction per message:
     * receive the submission, send {@code {"requestId":…}} to a forward queue, send a copy of a real acknowledgement
     * to the events queue, commit. No database, no parsing, no Camel: the rate intake would reach if its own work
     * cost nothing.
     */
    private static Result skeleton(Gateway gw, String url, String internal, byte[] sample, int n) throws Exception {
        for (String q : List.of("bench.skeleton.in", "bench.skeleton.validated", "bench.skeleton.events")) {
            gw.broker().server().createQueue(QueueConfiguration.of(q).setRoutingType(RoutingType.ANYCAST)
                    .setDurable(true).setAutoCreateAddress(true));
        }
        String ack = "{\"requestId\":\"FED-2026-000000\",\"accepted\":true,\"status\":\"VALIDATED\","
                + "\"receivedAt\":\"2026-11-29T00:00:00Z\",\"partnerId\":\"ville-rouen\",\"reasons\":[],"
                + "\"message\":\"Votre demande FED-2026-000000 est recevable. Elle est transmise au Bureau d'études "
                + "de la CAF pour instruction.\"}";
        int consumers = Integer.parseInt(gw.config().get("fedgate.intake.broker-consumers"));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(consumers);
        try (org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory cf =
                     new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(gw.broker().inVmUrl(),
                             EmbeddedBroker.INTERNAL_USER, internal);
             Connection c = cf.createConnection()) {
            c.start();
            for (int k = 0; k < consumers; k++) {
                pool.submit(() -> {
                    Session s = c.createSession(true, Session.SESSION_TRANSACTED);
                    MessageConsumer in = s.createConsumer(s.createQueue("bench.skeleton.in"));
                    MessageProducer forward = s.createProducer(s.createQueue("bench.skeleton.validated"));
                    MessageProducer events = s.createProducer(s.createQueue("bench.skeleton.events"));
                    forward.setDeliveryMode(DeliveryMode.PERSISTENT);
                    events.setDeliveryMode(DeliveryMode.PERSISTENT);
                    while (!stop.get()) {
                        jakarta.jms.Message m = in.receive(200);
                        if (m == null) {
                            continue;
                        }
                        forward.send(s.createTextMessage("{\"requestId\":\"FED-2026-000000\"}"));
                        TextMessage reply = s.createTextMessage(ack);
                        reply.setJMSCorrelationID(m.getJMSCorrelationID());
                        reply.setJMSType("fed.acknowledgement");
                        events.send(reply);
                        s.commit();
                    }
                    s.close();
                    return null;
                });
            }
            return amqp(url, EmbeddedBroker.INTERNAL_USER, internal, sample, n, "s", 0, "bench.skeleton.in",
                    "bench.skeleton.events");
        } finally {
            stop.set(true);
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ AMQP intake

    /** @param rate offered requests per second, 0 for as fast as the producers can send */
    private static Result amqp(Gateway gw, String url, String password, byte[] sample, int n, String tag, int rate)
            throws Exception {
        return amqp(url, PARTNER, password, sample, n, tag, rate, EmbeddedBroker.REQUESTS_IN, EVENTS);
    }

    private static Result amqp(String url, String user, String password, byte[] sample, int n, String tag, int rate,
                               String requests, String events) throws Exception {
        if (n == 0) {
            return new Result(0, 1, new long[0], 0, 0);
        }
        JmsConnectionFactory cf = new JmsConnectionFactory(user, password, url);
        ConcurrentHashMap<String, Long> sent = new ConcurrentHashMap<>();
        long[] lat = new long[n];
        AtomicInteger received = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger others = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        long[] last = new long[1];
        try (Connection c = cf.createConnection(); Connection drain = cf.createConnection()) {
            Session cs = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = cs.createConsumer(cs.createQueue(events), "JMSType = 'fed.acknowledgement'");
            consumer.setMessageListener(msg -> {
                try {
                    long now = System.nanoTime();
                    Long t = sent.remove(msg.getJMSCorrelationID());
                    if (t == null) {
                        return; // an acknowledgement of an earlier run
                    }
                    lat[received.getAndIncrement()] = (now - t) / 1000;
                    if (JSON.readTree(msg.getBody(String.class)).path("accepted").asBoolean()) {
                        accepted.incrementAndGet();
                    }
                    last[0] = now;
                    done.countDown();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            Session ds = drain.createSession(false, Session.AUTO_ACKNOWLEDGE);
            ds.createConsumer(ds.createQueue(events), "JMSType IS NULL OR JMSType <> 'fed.acknowledgement'")
                    .setMessageListener(msg -> others.incrementAndGet());
            c.start();
            drain.start();
            long start = produce(n, rate, cf, (s, p, i, due) -> {
                String corr = tag + "-" + i;
                TextMessage t = s.createTextMessage(new String(fed(sample, corr), StandardCharsets.UTF_8));
                t.setJMSCorrelationID(corr);
                t.setJMSReplyTo(s.createQueue(events));
                sent.put(corr, due);
                p.send(t);
            }, requests);
            if (!done.await(Math.max(300, n / 10), TimeUnit.SECONDS)) {
                System.out.printf("AMQP %s: %d acknowledgements missing after the timeout%n", tag, done.getCount());
            }
            int count = received.get();
            return new Result(count, (last[0] - start) / 1e9, Arrays.copyOf(lat, count), accepted.get(),
                    others.get());
        }
    }

    interface Send {
        /** @param due System.nanoTime() at which message i was due (now, for a closed loop) */
        void send(Session s, MessageProducer p, int i, long due) throws Exception;
    }

    /**
     * {@link #PRODUCERS} threads, each on its own connection (opened before the clock starts), sending persistent
     * messages 0..n-1 between them: as fast as they can ({@code rate} 0), or message i at start + i / rate.
     */
    private static long produce(int n, int rate, JmsConnectionFactory cf, Send send, String queue)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
        CountDownLatch ready = new CountDownLatch(PRODUCERS);
        long[] start = new long[1];
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int k = 0; k < PRODUCERS; k++) {
                int first = k;
                fs.add(pool.submit(() -> {
                    try (Connection c = cf.createConnection()) {
                        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                        MessageProducer p = s.createProducer(s.createQueue(queue));
                        p.setDeliveryMode(DeliveryMode.PERSISTENT);
                        ready.countDown();
                        go.await();
                        for (int i = first; i < n; i += PRODUCERS) {
                            long due = System.nanoTime();
                            if (rate > 0) {
                                due = start[0] + (long) (i * (1e9 / rate));
                                for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                                }
                            }
                            send.send(s, p, i, due);
                        }
                    }
                    return null;
                }));
            }
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("producers not connected after 60 s");
            }
            start[0] = System.nanoTime();
            go.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return start[0];
    }

    // ------------------------------------------------------------------ SMTP intake

    private static Result mail(Gateway gw, int smtpPort, int m) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "127.0.0.1");
        p.setProperty("mail.smtp.port", Integer.toString(smtpPort));
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(p);
        String text = new String(readResource("/fed/demande-rouen.txt"), StandardCharsets.UTF_8);
        String[] ids = new String[m];
        long[] sentAtMillis = new long[m];
        long start = System.currentTimeMillis();
        ExecutorService pool = Executors.newFixedThreadPool(MAIL_SENDERS);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int k = 0; k < MAIL_SENDERS; k++) {
                int first = k;
                fs.add(pool.submit(() -> {
                    for (int i = first; i < m; i += MAIL_SENDERS) {
                        String id = "<bench-" + i + "-" + start + "@ville-rouen.example>";
                        MimeMessage msg = new MimeMessage(session) {
                            @Override
                            protected void updateMessageID() throws jakarta.mail.MessagingException {
                                setHeader("Message-ID", id);
                            }
                        };
                        msg.setFrom(new InternetAddress(REFERENT));
                        msg.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(INTAKE));
                        msg.setSubject("Demande de données FED " + i, "UTF-8");
                        msg.setText(text.replace("2026 :", "2026 (charge " + i + ") :"), "UTF-8");
                        ids[i] = id;
                        sentAtMillis[i] = System.currentTimeMillis();
                        Transport.send(msg);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        long deadline = System.currentTimeMillis() + Math.max(300_000L, m * 1000L);
        long[] lat = new long[m];
        long lastAt = start;
        int validated = 0;
        boolean[] seen = new boolean[m];
        int pending = m;
        while (pending > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            for (int i = 0; i < m; i++) {
                if (seen[i]) {
                    continue;
                }
                Optional<String> rid = gw.requests().findIdBySourceRef("MAIL", ids[i]);
                if (rid.isEmpty()) {
                    continue;
                }
                List<HistoryEntry> h = gw.requests().history(rid.get());
                Optional<HistoryEntry> v = h.stream().filter(e -> e.status() == RequestStatus.VALIDATED).findFirst();
                Optional<HistoryEntry> rej = h.stream().filter(e -> e.status() == RequestStatus.REJECTED).findFirst();
                if (v.isPresent()) {
                    long at = v.get().at().toEpochMilli();
                    lat[validated++] = (at - sentAtMillis[i]) * 1000;
                    lastAt = Math.max(lastAt, at);
                    seen[i] = true;
                    pending--;
                } else if (rej.isPresent()) {
                    System.out.println("mail " + i + " rejected: " + rej.get().detail());
                    seen[i] = true;
                    pending--;
                }
            }
        }
        if (pending > 0) {
            System.out.println("mail: " + pending + " not VALIDATED before the deadline");
        }
        return new Result(validated, (lastAt - start) / 1000.0, Arrays.copyOf(lat, validated), validated, 0);
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] fed(byte[] sample, String study) throws IOException {
        ObjectNode fed = (ObjectNode) JSON.readTree(sample);
        fed.put("study", "Diagnostic social de territoire — charge " + study);
        return JSON.writeValueAsBytes(fed);
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in = IntakeLoadBenchmark.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
