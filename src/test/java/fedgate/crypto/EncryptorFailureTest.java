package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A failing input or output ends signAndEncrypt with an IOException, and the encryption thread stops. */
class EncryptorFailureTest {

    @ParameterizedTest(name = "pipeline={0}")
    @ValueSource(booleans = {true, false})
    void failingOutput(boolean pipeline) throws Exception {
        OutputStream broken = new OutputStream() {
            long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written += len;
                if (written > 3 * SeipdOutput.CHUNK) {
                    throw new IOException("disk full");
                }
            }
        };
        assertThatThrownBy(() -> new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey()).withPipeline(pipeline)
                .signAndEncrypt(new ByteArrayInputStream(Fixtures.sampleCsv(8 << 20)), broken, "x.csv", 0))
                .isInstanceOf(IOException.class).hasMessageContaining("disk full");
        assertNoEncryptionThread();
    }

    @ParameterizedTest(name = "pipeline={0}")
    @ValueSource(booleans = {true, false})
    void failingInput(boolean pipeline) throws Exception {
        InputStream broken = new InputStream() {
            long read;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > 5 * SeipdOutput.CHUNK) {
                    throw new IOException("source gone");
                }
                read += len;
                return len;
            }
        };
        assertThatThrownBy(() -> new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey()).withPipeline(pipeline)
                .signAndEncrypt(broken, OutputStream.nullOutputStream(), "x.csv", 0))
                .isInstanceOf(IOException.class).hasMessageContaining("source gone");
        assertNoEncryptionThread();
    }

    private static void assertNoEncryptionThread() throws InterruptedException {
        for (int i = 0; i < 50 && encryptionThreads() > 0; i++) {
            Thread.sleep(20);
        }
        assertThat(encryptionThreads()).isZero();
    }

    private static long encryptionThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("pgp-encrypt")).count();
    }
}
