package fedgate.app;

import fedgate.app.embedded.EmbeddedSftpServer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;

/**
 * Clients the proof suites drive a gateway with, at the byte level: a raw SMTP client (so malformed mail reaches
 * the server exactly as written, not as jakarta.mail would re-serialise it), MINA's SFTP client (arbitrary file
 * names, one session for hundreds of uploads), and HTTP with or without Basic credentials.
 */
final class ProofClients {

    /**
     * Keeps, for whoever reads a failure, what a gateway run as a process in {@code home} leaves behind: its log
     * ({@code process.log}, every start) and its H2 database files, under {@code target/failsafe-reports/<test>-…}.
     */
    static void keepGatewayFiles(Path home, String test) throws IOException {
        if (Files.exists(home.resolve("process.log"))) {
            Path kept = Path.of("target/failsafe-reports/" + test + "-gateway.log");
            Files.createDirectories(kept.getParent());
            Files.copy(home.resolve("process.log"), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path data = home.resolve("data");
        if (Files.exists(data)) {
            Path keptData = Path.of("target/failsafe-reports/" + test + "-data");
            try (var files = Files.walk(data)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path to = keptData.resolve(data.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else if (f.toString().endsWith(".mv.db")) {
                        Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    private ProofClients() {
    }

    // ------------------------------------------------------------------ SMTP, raw

    /** Sends {@code rfc822} as written (CRLF line ends expected; dot-stuffed here) and returns the final reply code. */
    static int smtp(int port, String mailFrom, String rcptTo, byte[] rfc822) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(120_000);
            InputStream in = s.getInputStream();
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            expect(in, 220);
            command(out, "EHLO proof.example");
            expect(in, 250);
            command(out, "MAIL FROM:<" + mailFrom + ">");
            expect(in, 250);
            command(out, "RCPT TO:<" + rcptTo + ">");
            expect(in, 250);
            command(out, "DATA");
            expect(in, 354);
            boolean lineStart = true;
            for (byte b : rfc822) {
                if (lineStart && b == '.') {
                    out.write('.');
                }
                out.write(b);
                lineStart = b == '\n';
            }
            if (!lineStart) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int code = reply(in);
            command(out, "QUIT");
            return code;
        }
    }

    private static void command(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void expect(InputStream in, int code) throws IOException {
        int got = reply(in);
        if (got != code) {
            throw new IOException("SMTP: expected " + code + ", got " + got);
        }
    }

    /** Reads a (multi-line) SMTP reply; returns its code. */
    private static int reply(InputStream in) throws IOException {
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                line.write(c);
            }
            String l = line.toString(StandardCharsets.US_ASCII);
            if (c == -1 && l.isEmpty()) {
                throw new IOException("SMTP: connection closed");
            }
            if (l.length() < 4 || l.charAt(3) != '-') {
                return Integer.parseInt(l.substring(0, 3));
            }
        }
    }

    // ------------------------------------------------------------------ SFTP (MINA)

    /** One authenticated SFTP session as {@code user}, the embedded server's host key pinned. */
    static final class Sftp implements AutoCloseable {
        final SshClient client;
        final ClientSession session;
        final SftpClient sftp;

        Sftp(int port, String user, Path privateKey, Path hostPublicKey) throws Exception {
            client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier(new RequiredServerKeyVerifier(
                    EmbeddedSftpServer.readPublicKeys(hostPublicKey).get(0)));
            client.start();
            ClientSession s = null;
            SftpClient c = null;
            try {
                s = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(20)).getSession();
                KeyPair key = SshKeys.loadOrGenerate(privateKey, "proof");
                s.addPublicKeyIdentity(key);
                s.auth().verify(Duration.ofSeconds(20));
                c = SftpClientFactory.instance().createSftpClient(s);
            } catch (Exception e) {
                if (s != null) {
                    s.close();
                }
                client.stop();
                throw e;
            }
            session = s;
            sftp = c;
        }

        void put(String path, byte[] content) throws IOException {
            try (OutputStream out = sftp.write(path)) {
                for (int off = 0; off < content.length; off += 1 << 16) {
                    out.write(content, off, Math.min(1 << 16, content.length - off));
                }
            }
        }

        @Override
        public void close() throws IOException {
            try {
                sftp.close();
                session.close();
            } finally {
                client.stop();
            }
        }
    }

    // ------------------------------------------------------------------ HTTP

    static HttpResponse<String> http(int port, String method, String path, String credentials) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, "POST".equals(method) || "PUT".equals(method)
                        ? HttpRequest.BodyPublishers.ofString("x") : HttpRequest.BodyPublishers.noBody());
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String secret(Path home, String name) throws IOException {
        return Files.readString(home.resolve("secrets").resolve(name)).trim();
    }
}
