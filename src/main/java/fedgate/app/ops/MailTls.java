package fedgate.app.ops;

import fedgate.app.GatewayConfig;
import fedgate.app.Secrets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The Jakarta Mail settings for an external mail server: TLS (implicit for imaps/smtps, required STARTTLS for
 * smtp with {@code fedgate.mail.smtp.starttls=true}), the server's name checked against its certificate
 * ({@code mail.<protocol>.ssl.checkserveridentity}), certificates trusted from {@code fedgate.mail.tls.trust-store}
 * (PKCS12 or JKS; password {@code FEDGATE_MAIL_TRUST_STORE_PASSWORD}) or else the JDK's cacerts, TLS 1.2+ only, and
 * timeouts so that a hung server never holds a poller.
 */
public final class MailTls {

    private final GatewayConfig config;
    private final Map<String, String> env;

    public MailTls(GatewayConfig config, Map<String, String> env) {
        this.config = config;
        this.env = env;
    }

    /** Properties for {@code protocol} (imap, imaps, smtp, smtps), for camel-mail's additionalJavaMailProperties. */
    public Properties javaMailProperties(String protocol) {
        String p = protocol.toLowerCase(Locale.ROOT);
        Properties props = new Properties();
        String prefix = "mail." + p + ".";
        props.setProperty(prefix + "connectiontimeout", "15000");
        props.setProperty(prefix + "timeout", "60000");
        props.setProperty(prefix + "writetimeout", "60000");
        boolean tls = p.endsWith("s") || (p.equals("smtp") && config.flag("fedgate.mail.smtp.starttls"));
        if (!tls) {
            return props;
        }
        if (p.equals("smtp")) {
            props.setProperty(prefix + "starttls.enable", "true");
            props.setProperty(prefix + "starttls.required", "true");
        } else {
            props.setProperty(prefix + "ssl.enable", "true");
        }
        props.setProperty(prefix + "ssl.checkserveridentity",
                Boolean.toString(config.flag("fedgate.mail.tls.check-server-identity")));
        props.setProperty(prefix + "ssl.protocols", "TLSv1.3 TLSv1.2");
        props.put(prefix + "ssl.socketFactory", sslContext().getSocketFactory());
        return props;
    }

    public SSLContext sslContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            String store = config.get("fedgate.mail.tls.trust-store", "");
            if (store.isEmpty()) {
                tmf.init((KeyStore) null); // the JDK's cacerts
            } else {
                Path file = config.path("fedgate.mail.tls.trust-store");
                String password = env.get("FEDGATE_MAIL_TRUST_STORE_PASSWORD");
                if (password == null || password.isBlank()) {
                    Path secret = config.secretsDir().resolve("mail-trust-store-password");
                    password = Files.isRegularFile(secret) ? Secrets.readSecretFile(secret) : "";
                }
                KeyStore ks = KeyStore.getInstance(config.get("fedgate.mail.tls.trust-store-type", "PKCS12"));
                try (InputStream in = Files.newInputStream(file)) {
                    ks.load(in, password.isEmpty() ? null : password.toCharArray());
                }
                tmf.init(ks);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("fedgate.mail.tls.trust-store cannot be read: " + e.getMessage(), e);
        }
    }
}
