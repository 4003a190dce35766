package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fedgate decide ID --favorable|--defavorable --motif TEXT [--indicators CODES] [--delay TEXT]}: the Bureau
 * d'Études' answer to an assessed request (feuillet 2), through the HTTP API as the operator {@code bureau}, whose
 * password is {@code FEDGATE_ADMIN_PASSWORD} or {@code <home>/secrets/admin-password}. Exit 0 recorded, 1 refused
 * (the API's message is printed), 2 usage error.
 */
@Command(name = "decide", mixinStandardHelpOptions = true,
        description = "Record the Bureau d'Études' decision on an assessed request (sends feuillet 2).")
public final class DecideCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ID", description = "Request id, FED-<year>-<6 digits>.")
    String requestId;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Answer answer;

    static final class Answer {
        @Option(names = "--favorable", required = true, description = "Favorable answer.")
        boolean favorable;
        @Option(names = "--defavorable", required = true, description = "Défavorable answer.")
        boolean defavorable;
    }

    @Option(names = "--motif", required = true, description = "Motif (French, sent to the referent).")
    String motif;

    @Option(names = "--indicators", split = ",", description = "Catalogue codes to deliver (default: those the "
            + "feasibility draft found publishable).")
    String[] indicators;

    @Option(names = "--delay", description = "Délais de livraison, as written on feuillet 2.")
    String delay;

    @Option(names = "--approve-external-diffusion", description = "Also approve the external diffusion the "
            + "request declares (Art. 4).")
    boolean approveExternal;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Gateway API (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--home", description = "Gateway home, for secrets/admin-password (default: $FEDGATE_HOME or .).")
    Path home;

    Map<String, String> env = System.getenv();
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (!requestId.matches("FED-\\d{4}-\\d{6}")) {
            err.println("request id must read FED-<year>-<6 digits>");
            return 2;
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            err.println("--url must be an http(s) URL");
            return 2;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode();
        body.put("favorable", answer.favorable);
        body.put("motif", motif);
        if (indicators != null) {
            ArrayNode a = body.putArray("indicators");
            for (String i : indicators) {
                a.add(i.strip());
            }
        }
        if (delay != null) {
            body.put("delay", delay);
        }
        if (approveExternal) {
            body.put("externalDiffusionApproved", true);
        }
        String password = password();
        String base = url.toString().replaceAll("/+$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/requests/" + requestId + "/decision"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (HttpApi.OPERATOR + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                .build();
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                .send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() == 200) {
            out.println(response.body());
            return 0;
        }
        err.println("decision refused (HTTP " + response.statusCode() + "): " + response.body());
        return 1;
    }

    private String password() {
        String fromEnv = env.get("FEDGATE_ADMIN_PASSWORD");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path h = home != null ? home : Path.of(env.getOrDefault("FEDGATE_HOME", "."));
        Path file = h.resolve("secrets/admin-password");
        if (!Files.isRegularFile(file)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "no admin password: set FEDGATE_ADMIN_PASSWORD or give --home (" + file + " not found)");
        }
        return Secrets.readSecretFile(file);
    }
}
