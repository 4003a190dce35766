package fedgate.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
 * {@code fedgate socle run [--year YYYY]}: the yearly socle (Art. 1.2.1, Annexe 1) now, for every partner whose
 * convention is in force, through the HTTP API as the operator {@code bureau} (password {@code FEDGATE_ADMIN_PASSWORD}
 * or {@code <home>/secrets/admin-password}). Idempotent per partner and year. Exit 0 done, 1 refused or failed,
 * 2 usage error.
 */
@Command(name = "socle", mixinStandardHelpOptions = true,
        description = "The yearly socle de données de cadrage (Annexe 1).",
        subcommands = {SocleCommand.Run.class})
public final class SocleCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Produce and deliver the socle to every partner whose convention is in force.")
    static final class Run implements Callable<Integer> {

        @Option(names = "--year", description = "Year of the socle (default: the current year).")
        Integer year;

        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
                description = "Gateway API (default ${DEFAULT-VALUE}).")
        URI url;

        @Option(names = "--home", description = "Gateway home, for secrets/admin-password (default: $FEDGATE_HOME or .).")
        Path home;

        Map<String, String> env = System.getenv();
        PrintStream out = System.out;
        PrintStream err = System.err;

        @Override
        public Integer call() throws Exception {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                err.println("--url must be an http(s) URL");
                return 2;
            }
            if (year != null && (year < 2000 || year > 9999)) {
                err.println("--year must be a year");
                return 2;
            }
            String password = password();
            if (password == null) {
                err.println("no admin password: set FEDGATE_ADMIN_PASSWORD or give --home");
                return 2;
            }
            String base = url.toString().replaceAll("/+$", "");
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/socle/run"
                            + (year == null ? "" : "?year=" + year)))
                    .timeout(Duration.ofMinutes(5))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (HttpApi.OPERATOR + ":" + password).getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build();
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() == 200) {
                out.println(response.body());
                return response.body().contains("\"FAILED\"") ? 1 : 0;
            }
            err.println("socle run refused (HTTP " + response.statusCode() + "): " + response.body());
            return 1;
        }

        private String password() {
            String fromEnv = env.get("FEDGATE_ADMIN_PASSWORD");
            if (fromEnv != null && !fromEnv.isBlank()) {
                return fromEnv.trim();
            }
            Path h = home != null ? home : Path.of(env.getOrDefault("FEDGATE_HOME", "."));
            Path file = h.resolve("secrets/admin-password");
            return Files.isRegularFile(file) ? Secrets.readSecretFile(file) : null;
        }
    }
}
