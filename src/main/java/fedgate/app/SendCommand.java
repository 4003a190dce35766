package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.delivery.DeliveryFileName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;

/**
 * {@code fedgate send --partner ID --file F [--channel sftp|email]}: the Bureau's ad-hoc send of any file, through
 * the same pipeline as extracts (packaging, signature and encryption, channel, notice, receipts). Uploads the file to
 * the running gateway's {@code POST /api/sends} as the operator {@code bureau} (password {@code FEDGATE_ADMIN_PASSWORD}
 * or {@code $FEDGATE_HOME/secrets/admin-password}) and prints the queued delivery; with {@code --wait}, waits for it.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Deliver a file to a partner (signed, encrypted, with a receipt) through the running gateway.")
public final class SendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;
    @Option(names = "--partner", required = true, description = "Partner id, e.g. ville-rouen.")
    String partner;
    @Option(names = "--file", required = true, description = "The file to send (its name must be [A-Za-z0-9._-]).")
    Path file;
    @Option(names = "--channel", defaultValue = "sftp", description = "sftp or email (default ${DEFAULT-VALUE}).")
    String channel;
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "The gateway's HTTP API (default ${DEFAULT-VALUE}).")
    String url;
    @Option(names = "--home", description = "Gateway home, for secrets/admin-password (default: $FEDGATE_HOME or .).")
    Path home;
    @Option(names = "--wait", defaultValue = "0", description = "Seconds to wait for DELIVERED (0: do not wait).")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!DeliveryFileName.isSafe(name) || !Files.isRegularFile(file)) {
            err.println("refused: " + DeliveryFileName.printable(name) + " is not a readable file with a plain name "
                    + "([A-Za-z0-9._-], no leading dot)");
            err.flush();
            return 2;
        }
        if (!"sftp".equals(channel) && !"email".equals(channel)) {
            err.println("--channel must be sftp or email");
            err.flush();
            return 2;
        }
        String password = System.getenv("FEDGATE_ADMIN_PASSWORD");
        if (password == null || password.isBlank()) {
            Path base = home != null ? home : Path.of(System.getenv().getOrDefault("FEDGATE_HOME", "."));
            password = Secrets.readSecretFile(base.resolve("secrets/admin-password"));
        }
        String auth = "Basic " + Base64.getEncoder().encodeToString((HttpApi.OPERATOR + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = URI.create(url + "/api/sends?partner=" + enc(partner) + "&channel=" + enc(channel) + "&name=" + enc(name));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Authorization", auth)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            err.println("refused by the gateway (" + r.statusCode() + "): " + r.body());
            err.flush();
            return 1;
        }
        out.println(r.body());
        out.flush();
        if (waitSeconds <= 0) {
            return 0;
        }
        String id = new ObjectMapper().readTree(r.body()).path("deliveryId").asText();
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> d = client.send(HttpRequest.newBuilder(URI.create(url + "/api/deliveries/" + enc(id)))
                    .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (d.statusCode() == 200) {
                JsonNode n = new ObjectMapper().readTree(d.body());
                String status = n.path("status").asText();
                if (!"PENDING".equals(status)) {
                    out.println(d.body());
                    out.flush();
                    return "FAILED".equals(status) ? 1 : 0;
                }
            }
            Thread.sleep(500);
        }
        err.println("delivery " + id + " not made within " + waitSeconds + " s");
        err.flush();
        return 1;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
