package fedgate.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets (passwords, key passphrases) come from the environment or from files under
 * {@code $FEDGATE_HOME/secrets}, never from the repository and never into a log.
 */
public final class Secrets {

    private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /**
     * The value of {@code envVar} if set and non-blank; else the trimmed content of {@code file} if it exists;
     * else a new random secret (24 bytes, URL-safe base64) written to {@code file} with mode 0600.
     */
    public static String secret(String envVar, Path file) {
        return secret(envVar, file, System.getenv());
    }

    /** As {@link #secret(String, Path)} with an explicit environment (for tests and composition). */
    public static String secret(String envVar, Path file, Map<String, String> env) {
        String fromEnv = envVar == null ? null : env.get(envVar);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        if (Files.exists(file)) {
            return readSecretFile(file);
        }
        return generate(file);
    }

    /** The trimmed content of a secret file (a passphrase alone in its file). */
    public static String readSecretFile(Path file) {
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (value.isEmpty()) {
                throw new IllegalStateException("secret file is empty: " + file);
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret file " + file, e);
        }
    }

    /** The passphrase of a key, as a char array the caller can wipe after use. */
    public static char[] readPassphrase(Path file) {
        return readSecretFile(file).toCharArray();
    }

    private static synchronized String generate(Path file) {
        try {
            if (Files.exists(file)) { // another caller generated it meanwhile
                return readSecretFile(file);
            }
            Path dir = file.toAbsolutePath().getParent();
            createPrivateDirectories(dir);
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            // write to a 0600 temp file then rename, so the secret is never readable by others, even briefly
            Path tmp = Files.createTempFile(dir, ".secret", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, value, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            LOG.info("generated {}", file);
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate secret file " + file, e);
        }
    }

    /** Creates {@code dir} and missing parents with mode 0700 (existing directories are left alone). */
    public static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
            // created concurrently: fine
        }
    }
}
