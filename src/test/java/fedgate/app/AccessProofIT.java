package fedgate.app;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7, access: every HTTP route, SFTP account and path, and broker address, tried without credentials, with
 * wrong ones, and with a partner's own credentials where they must not reach. The only anonymous route is
 * {@code /health}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessProofIT {

    private static final String OTHER = "ville-autre";

    private GatewayFixture fx;
    private Path home;
    private Path otherKey;
    private Path strangerKey;

    /** Every route of HttpApi and of the handlers added to it (SendsEndpoint), with a method it answers to. */
    private static final List<String[]> ROUTES = List.of(
            new String[]{"GET", "/api/requests"},
            new String[]{"GET", "/api/requests/FED-2026-000001"},
            new String[]{"GET", "/api/requests/FED-2026-000001/raw"},
            new String[]{"POST", "/api/sends?partner=ville-rouen&channel=sftp&name=x.csv"},
            new String[]{"GET", "/api/deliveries/D-20261128-000001"});

    @BeforeAll
    void start() throws Exception {
        home = Files.createTempDirectory("fedgate-access-");
        fx = new GatewayFixture(home);
        Files.createDirectories(home.resolve("partners"));
        otherKey = home.resolve("ville-autre-key");
        KeyPair kp = SshKeys.loadOrGenerate(otherKey, "ville-autre");
        strangerKey = home.resolve("stranger-key");
        SshKeys.loadOrGenerate(strangerKey, "stranger");
        String pub = Files.readString(Path.of(otherKey + ".pub")).trim();
        Files.writeString(home.resolve("partners/" + OTHER + ".json"), otherPartner(pub));
        fx.start();
        assertThat(kp.getPublic()).isNotNull();
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    // ------------------------------------------------------------------ HTTP

    @Test
    void everyApiRouteRefusesMissingAndWrongCredentials() throws Exception {
        int port = fx.gateway.httpPort();
        String pw = fx.gateway.adminPassword();
        List<String> wrong = new ArrayList<>(List.of("bureau:wrong", "bureau:", "admin:" + pw, "BUREAU:" + pw,
                "bureau:" + pw + "x", "bureau:" + pw.substring(1), "ville-rouen:" + ProofClients.secret(home,
                        "broker-ville-rouen"), "fedgate:" + ProofClients.secret(home, "broker-fedgate")));
        for (String[] route : ROUTES) {
            for (String method : List.of(route[0], "GET", "POST", "PUT", "DELETE")) {
                assertThat(ProofClients.http(port, method, route[1], null).statusCode())
                        .as("anonymous " + method + " " + route[1]).isEqualTo(401);
                for (String credentials : wrong) {
                    assertThat(ProofClients.http(port, method, route[1], credentials).statusCode())
                            .as(method + " " + route[1] + " as " + credentials.split(":")[0]).isEqualTo(401);
                }
            }
            // the route exists: the operator is not told 401 (so the list above is not a list of dead paths)
            int ok = ProofClients.http(port, route[0], route[1], "bureau:" + pw).statusCode();
            assertThat(ok).as("operator " + route[0] + " " + route[1]).isNotEqualTo(401);
        }
        // malformed Authorization headers
        for (String header : List.of("Basic", "Basic !!!", "Bearer " + pw, "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("bureau" + pw).getBytes(StandardCharsets.UTF_8)), "Digest username=\"bureau\"")) {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/api/requests")).header("Authorization", header).build();
            assertThat(java.net.http.HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as(header).isEqualTo(401);
        }
    }

    @Test
    void theOnlyAnonymousRouteIsHealth() throws Exception {
        int port = fx.gateway.httpPort();
        Set<String> probes = new LinkedHashSet<>(List.of("/", "/health", "/health/", "/health/x", "/api", "/api/",
                "/api/requests", "/api//requests", "//api/requests", "/API/requests", "/api/requests/",
                "/api/requests;x", "/api%2frequests", "/api/requests%2f..", "/health/../api/requests",
                "/./api/requests", "/api/./requests", "/api/sends", "/api/deliveries/", "/admin", "/metrics",
                "/actuator", "/actuator/health", "/console", "/jolokia", "/h2-console", "/api/requests/../../health",
                "/health%00", "/.env", "/secrets/admin-password", "/data/db/fedgate.mv.db"));
        ROUTES.forEach(r -> probes.add(r[1]));
        Set<String> anonymous = new TreeSet<>();
        for (String path : probes) {
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS")) {
                HttpResponse<String> r;
                try {
                    r = ProofClients.http(port, method, path, null);
                } catch (IllegalArgumentException e) {
                    continue; // a URI the client itself refuses to send
                }
                if (r.statusCode() < 300) {
                    anonymous.add(java.net.URI.create("http://h" + path).normalize().getPath());
                }
                assertThat(r.body()).as(method + " " + path).doesNotContain("FED-20", "sha256", "ville-rouen");
            }
        }
        assertThat(anonymous).isEqualTo(Set.of("/health"));
    }

    // ------------------------------------------------------------------ SFTP

    @Test
    void sftpAccountsAndPathsOutsideThePartnersOwnAreRefused() throws Exception {
        Path partnerKey = fx.partnerKey;
        // another partner's account, the gateway's service account, and system names, with the partner key
        for (String user : List.of(OTHER, "fedgate", "root", "admin", "ville-rouen/../" + OTHER, "../ville-rouen",
                "VILLE-ROUEN", "")) {
            assertThat(fx.sftp(partnerKey, user, "ls /").exitCode()).as("login as '" + user + "'").isNotZero();
        }
        // an unknown key for the partner's account
        assertThat(fx.sftp(strangerKey, "ville-rouen", "ls /").exitCode()).isNotZero();
        // the other partner's key cannot open ville-rouen
        assertThat(fx.sftp(otherKey, "ville-rouen", "ls /").exitCode()).isNotZero();

        // seed the other partner's outbox with something to steal
        Path secret = fx.gateway.sftp().outbox(OTHER).resolve("extrait-confidentiel.csv");
        Files.createDirectories(secret.getParent());
        Files.writeString(secret, "confidentiel");
        Path local = home.resolve("stolen");
        Path plant = home.resolve("plant.json");
        Files.writeString(plant, "{}");
        for (String path : List.of("/../" + OTHER + "/outbox/extrait-confidentiel.csv",
                "../" + OTHER + "/outbox/extrait-confidentiel.csv", "/../../" + OTHER + "/outbox/extrait-confidentiel.csv",
                "/inbox/../../" + OTHER + "/outbox/extrait-confidentiel.csv", "/" + OTHER + "/outbox/extrait-confidentiel.csv",
                "/../../../../etc/passwd", "/../../secrets/admin-password", "/../../../secrets/broker-fedgate",
                "/../../db/fedgate.mv.db")) {
            GatewayFixture.Sftp get = fx.sftp(partnerKey, "ville-rouen", "get " + path + " " + local);
            assertThat(get.exitCode()).as("get " + path + ": " + get.output()).isNotZero();
            assertThat(local).doesNotExist();
        }
        for (String path : List.of("/../" + OTHER + "/inbox/plant.json", "/../../plant.json", "/../../../plant.json",
                "/../../secrets/plant.json")) {
            fx.sftp(partnerKey, "ville-rouen", "put " + plant + " " + path);
        }
        // '..' stops at the chroot, and in its own home a partner writes only in /inbox: nothing was planted anywhere
        Path data = fx.gateway.config().dataDir();
        try (var all = Files.walk(home)) {
            assertThat(all.filter(p -> p.getFileName().toString().equals("plant.json")).filter(p -> !p.equals(plant)))
                    .as("planted files").isEmpty();
        }
        assertThat(data.resolve("plant.json")).doesNotExist();
        try (var files = Files.list(fx.gateway.sftp().inbox(OTHER))) {
            assertThat(files).isEmpty();
        }
        // the chroot's top is the partner's own: '/' and '..' list only inbox and outbox
        for (String dir : List.of("/", "..", "/..", "/inbox/../..")) {
            GatewayFixture.Sftp ls = fx.sftp(partnerKey, "ville-rouen", "ls -a " + dir);
            assertThat(ls.output()).as("ls " + dir).doesNotContain(OTHER, "secrets", "db", "broker");
        }
        // links out of the chroot are refused
        assertThat(fx.sftp(partnerKey, "ville-rouen", "symlink /etc/passwd /inbox/lien").exitCode()).isNotZero();
        assertThat(fx.sftp(partnerKey, "ville-rouen", "ln /etc/passwd /inbox/lien2").exitCode()).isNotZero();
    }

    /**
     * Inside its own chroot a partner writes only files in /inbox: with the real OpenSSH client, every write, mkdir,
     * rename, remove and setstat elsewhere (its home's top, /outbox, a directory under /inbox) is refused with
     * "Permission denied", while an upload to /inbox and a download from /outbox still work.
     */
    @Test
    void partnerCannotWriteOutsideInbox() throws Exception {
        Path partnerKey = fx.partnerKey;
        Path sftpHome = fx.gateway.sftp().home("ville-rouen");
        Path outbox = fx.gateway.sftp().outbox("ville-rouen");
        Path delivered = outbox.resolve("livraison-test.txt");
        Files.writeString(delivered, "livré");
        Path local = home.resolve("outside.json");
        Files.writeString(local, "{}");
        List<String> before = tree(sftpHome);
        for (String command : List.of("put " + local + " /outside.json", "put " + local + " /outbox/outside.json",
                "put " + local + " outside.json", "mkdir /depot", "mkdir /outbox/sous-dossier", "mkdir /inbox/sous-dossier",
                "rename /outbox/livraison-test.txt /inbox/vole.txt", "rename /outbox/livraison-test.txt /outbox/x.txt",
                "rm /outbox/livraison-test.txt", "rmdir /outbox", "rmdir /inbox", "chmod 777 /outbox/livraison-test.txt",
                "chmod 777 /outbox", "chmod 777 /inbox", "chmod 777 /", "chgrp 0 /outbox/livraison-test.txt",
                "symlink /outbox/livraison-test.txt /outbox/lien")) {
            GatewayFixture.Sftp r = fx.sftp(partnerKey, "ville-rouen", command);
            assertThat(r.exitCode()).as(command + ": " + r.output()).isNotZero();
            assertThat(r.output()).as(command).containsIgnoringCase("permission denied");
        }
        assertThat(tree(sftpHome)).as("ville-rouen's home after the attempts").isEqualTo(before)
                .contains("outbox/livraison-test.txt");
        assertThat(Files.readString(delivered)).isEqualTo("livré");
        // what a partner may do: download from /outbox, upload to /inbox
        Path got = home.resolve("livraison-recue.txt");
        GatewayFixture.Sftp get = fx.sftp(partnerKey, "ville-rouen", "get /outbox/livraison-test.txt " + got);
        assertThat(get.exitCode()).as(get.output()).isZero();
        assertThat(Files.readString(got)).isEqualTo("livré");
        Files.delete(delivered);
    }

    private static List<String> tree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            return files.map(p -> dir.relativize(p).toString()).filter(p -> !p.isEmpty()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ broker

    private static final List<String> INTERNAL = List.of("fed.intake", "fed.validated", "fed.assess", "fed.extract",
            "fed.deliver", "fed.dlq", "fed.expiry");

    @Test
    void partnerCannotSendToOrReadAnyAddressButItsOwn() throws Exception {
        String pw = ProofClients.secret(home, "broker-ville-rouen");
        List<String> forbidden = new ArrayList<>(INTERNAL);
        forbidden.addAll(List.of("fed.events." + OTHER, "fed.events.x", "fed.events", "fed.events.#", "#",
                "brand.new.address", "activemq.management", "$sys.mqtt.queue", "fed.requests.in.divert"));
        for (boolean core : new boolean[]{false, true}) {
            ConnectionFactory cf = factory(core, "ville-rouen", pw);
            try (Connection c = cf.createConnection()) {
                c.start();
                for (String address : forbidden) {
                    assertRefused(c, address, true, true, (core ? "CORE " : "AMQP ") + address);
                }
                // fed.requests.in: send only; its own events: consume only
                assertRefused(c, "fed.requests.in", false, true, "consume fed.requests.in");
                assertRefused(c, "fed.events.ville-rouen", true, false, "send to own events");
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                s.createConsumer(s.createQueue("fed.events.ville-rouen")).close(); // allowed (control)
            }
        }
        for (String q : INTERNAL) {
            assertThat(fx.gateway.broker().server().locateQueue(q).getMessageCount()).as(q).isZero();
        }
        assertThat(fx.gateway.broker().server().locateQueue("fed.events." + OTHER).getMessageCount()).isZero();
        assertThat(fx.gateway.broker().server().locateQueue("brand.new.address")).isNull();
    }

    @Test
    void anonymousUnknownAndWrongPasswordConnectionsAreRefused() throws Exception {
        String pw = ProofClients.secret(home, "broker-ville-rouen");
        String otherPw = ProofClients.secret(home, "broker-" + OTHER);
        List<String[]> credentials = List.of(new String[]{null, null}, new String[]{"", ""},
                new String[]{"ville-rouen", "wrong"}, new String[]{"ville-rouen", ""},
                new String[]{"ville-rouen", otherPw}, new String[]{OTHER, pw}, new String[]{"fedgate", pw},
                new String[]{"fedgate", "wrong"}, new String[]{"guest", "guest"}, new String[]{"admin", "admin"},
                new String[]{"artemis", "artemis"}, new String[]{"ville-rouen' OR '1'='1", "x"});
        for (boolean core : new boolean[]{false, true}) {
            for (String[] cred : credentials) {
                String what = (core ? "CORE " : "AMQP ") + cred[0] + "/" + (cred[1] == null ? null : "***");
                ConnectionFactory cf = factory(core, cred[0], cred[1]);
                boolean refused;
                try (Connection c = cf.createConnection()) {
                    c.start();
                    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    // if the connection got through, every address must still refuse it
                    for (String address : List.of("fed.requests.in", "fed.events.ville-rouen", "fed.validated")) {
                        assertRefused(c, address, true, true, what + " " + address);
                    }
                    s.close();
                    refused = false;
                } catch (JMSException e) {
                    refused = true;
                }
                assertThat(refused).as(what + " connection").isTrue();
            }
        }
    }

    private static void assertRefused(Connection c, String address, boolean send, boolean consume, String what)
            throws Exception {
        if (send) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try {
                boolean refused;
                try {
                    s.createProducer(s.createQueue(address)).send(s.createTextMessage("{\"x\":1}"));
                    refused = false;
                } catch (JMSException e) {
                    refused = true;
                }
                assertThat(refused).as("send " + what).isTrue();
            } finally {
                closeQuietly(s);
            }
        }
        if (consume) {
            for (boolean browse : new boolean[]{false, true}) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try {
                    boolean refused;
                    try {
                        if (browse) {
                            s.createBrowser(s.createQueue(address)).getEnumeration().hasMoreElements();
                        } else {
                            s.createConsumer(s.createQueue(address)).receive(200);
                        }
                        refused = false;
                    } catch (JMSException e) {
                        refused = true;
                    }
                    assertThat(refused).as((browse ? "browse " : "consume ") + what).isTrue();
                } finally {
                    closeQuietly(s);
                }
            }
        }
    }

    private static void closeQuietly(Session s) {
        try {
            s.close();
        } catch (JMSException ignored) {
            // a session the broker already closed
        }
    }

    private ConnectionFactory factory(boolean core, String user, String password) {
        int port = fx.gateway.broker().port();
        if (core) {
            ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port
                    + "?reconnectAttempts=0&initialConnectAttempts=1", user, password);
            return cf;
        }
        return user == null ? new JmsConnectionFactory("amqp://127.0.0.1:" + port)
                : new JmsConnectionFactory(user, password, "amqp://127.0.0.1:" + port);
    }

    private static String otherPartner(String sshPublicKey) {
        return """
                {
                  "id": "ville-autre",
                  "name": "Ville Autre",
                  "convention": { "signedOn": "2025-01-15", "termYears": 1, "tacitRenewal": true },
                  "referent": { "name": "Alex Autre", "email": "referent@ville-autre.example",
                                "phone": "02 00 00 00 02", "service": "Observatoire" },
                  "sftpPublicKey": "%s",
                  "pgpFingerprint": "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406",
                  "allowedChannels": ["MAIL", "SFTP", "BROKER"],
                  "territories": [ { "code": "76540", "kind": "COMMUNE", "name": "Rouen" } ]
                }
                """.formatted(sshPublicKey);
    }
}
