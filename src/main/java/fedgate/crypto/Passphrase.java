package fedgate.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Reads a key passphrase from an environment variable or a file, never from the repository or a log.
 * The result is a {@code char[]} the caller wipes ({@link #wipe(char[])}) as soon as the key is unlocked.
 */
public final class Passphrase {

    private Passphrase() {
    }

    /**
     * The passphrase from {@code envVar} when it is set and not empty, else from {@code file} (UTF-8;
     * one trailing newline is dropped so that {@code echo secret > file} works).
     *
     * @throws IllegalStateException when neither source holds a passphrase (names the sources, not a value)
     */
    public static char[] from(String envVar, Path file) {
        return from(envVar, file, System::getenv);
    }

    static char[] from(String envVar, Path file, Function<String, String> env) {
        if (envVar != null) {
            String value = env.apply(envVar);
            if (value != null && !value.isEmpty()) {
                return value.toCharArray();
            }
        }
        if (file != null && Files.isRegularFile(file)) {
            byte[] bytes = null;
            try {
                bytes = Files.readAllBytes(file);
                int len = bytes.length;
                if (len > 0 && bytes[len - 1] == '\n') {
                    len--;
                    if (len > 0 && bytes[len - 1] == '\r') {
                        len--;
                    }
                }
                if (len > 0) {
                    return decodeUtf8(bytes, len);
                }
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read the passphrase file " + file + ": " + e.getClass().getSimpleName(), e);
            } finally {
                if (bytes != null) {
                    Arrays.fill(bytes, (byte) 0);
                }
            }
        }
        throw new IllegalStateException("No passphrase: environment variable " + envVar + " is unset or empty and file "
                + file + " is missing or empty");
    }

    private static char[] decodeUtf8(byte[] bytes, int len) {
        CharBuffer chars = null;
        try {
            chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, len));
            char[] result = new char[chars.remaining()];
            chars.get(result);
            return result;
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("The passphrase file is not valid UTF-8");
        } finally {
            if (chars != null && chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
        }
    }

    /** Overwrites a passphrase once it is no longer needed. */
    public static void wipe(char[] passphrase) {
        if (passphrase != null) {
            Arrays.fill(passphrase, '\0');
        }
    }
}
