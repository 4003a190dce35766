package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The CBC-based CFB equals SunJCE's AES/CFB/NoPadding (zero IV), whatever the split of the stream into calls. */
class OpenPgpCfbTest {

    @Test
    void sameAsJdkCfbForAnySplit() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            byte[] plain = new byte[random.nextInt(round < 100 ? 200 : 300_000)];
            random.nextBytes(plain);
            Cipher jdk = Cipher.getInstance("AES/CFB/NoPadding");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            byte[] expected = jdk.doFinal(plain);

            byte[] ours = plain.clone();
            OpenPgpCfb cfb = new OpenPgpCfb(key);
            int off = 0;
            while (off < ours.length) {
                int n = Math.min(ours.length - off, random.nextBoolean() ? random.nextInt(40) : random.nextInt(200_000));
                cfb.encrypt(ours, off, n);
                off += n;
            }
            assertThat(ours).as("round %d, %d bytes", round, plain.length).isEqualTo(expected);
        }
    }
}
