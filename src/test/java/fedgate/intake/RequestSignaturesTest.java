package fedgate.intake;

import static org.assertj.core.api.Assertions.assertThat;

import fedgate.partner.PartnerRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** Where the signature of a request is, by channel, and what is refused without looking further. */
class RequestSignaturesTest {

    private static final String PART = "Content-Type: text/plain; charset=UTF-8\r\n\r\nOrganisme demandeur : Ville\r\n";
    private static final String SIG = "-----BEGIN PGP SIGNATURE-----\r\n\r\niQ==\r\n-----END PGP SIGNATURE-----\r\n";

    private static byte[] mail(String preamble) {
        return ("From: referent@ville-rouen.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; "
                + "micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\"; boundary=\"b-1\"\r\n\r\n" + preamble
                + "--b-1\r\n" + PART + "\r\n--b-1\r\nContent-Type: application/pgp-signature\r\n\r\n" + SIG
                + "\r\n--b-1--\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pgpMimeSignedPartIsTheFirstPartExactlyAsReceived() throws Exception {
        for (String preamble : new String[]{"", "This is an OpenPGP/MIME signed message\r\n"}) {
            byte[][] parts = RequestSignatures.pgpMimeParts(mail(preamble)).orElseThrow();
            assertThat(new String(parts[0], StandardCharsets.UTF_8)).isEqualTo(PART);
            assertThat(new String(parts[1], StandardCharsets.US_ASCII)).startsWith("-----BEGIN PGP SIGNATURE-----");
        }
    }

    @Test
    void otherMailsAreNotPgpMime() throws Exception {
        assertThat(RequestSignatures.pgpMimeParts(("From: a@b.example\r\nContent-Type: text/plain\r\n\r\nbonjour\r\n")
                .getBytes(StandardCharsets.US_ASCII))).isEmpty();
        // S/MIME is multipart/signed too, with another protocol: not ours to verify
        assertThat(RequestSignatures.pgpMimeParts(new String(mail(""), StandardCharsets.UTF_8)
                .replace("application/pgp-signature\"", "application/pkcs7-signature\"")
                .getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void brokenPgpMimeIsASignatureThatDoesNotVerify() {
        RequestSignatures signatures = new RequestSignatures(Path.of("certs-sample/pgp"), Clock.systemUTC(), 1 << 20);
        var rouen = PartnerRegistry.readClasspath("ville-rouen");
        byte[] truncated = new String(mail(""), StandardCharsets.UTF_8).replaceAll("--b-1--\r\n$", "")
                .replace("\r\n--b-1\r\nContent-Type: application/pgp-signature", "")
                .getBytes(StandardCharsets.UTF_8);
        RequestSignatures.Check check = signatures.mail(truncated, rouen);
        assertThat(check.signed()).isTrue();
        assertThat(check.signerFingerprint()).isNull();
        assertThat(check.refusal()).isNotBlank();
        RequestSignatures.Check bogus = signatures.mail(mail(""), rouen); // "iQ==" is no signature
        assertThat(bogus.signed()).isTrue();
        assertThat(bogus.refusal()).contains("signature");
    }

    @Test
    void aDetachedSignatureAloneIsRefusedAndAnOrdinaryDocumentIsUnsigned() {
        RequestSignatures signatures = new RequestSignatures(Path.of("certs-sample/pgp"), Clock.systemUTC(), 1 << 20);
        var rouen = PartnerRegistry.readClasspath("ville-rouen");
        RequestSignatures.Check detached = signatures.document(SIG.getBytes(StandardCharsets.US_ASCII), rouen);
        assertThat(detached.signed()).isTrue();
        assertThat(detached.refusal()).contains("signature OpenPGP détachée");
        byte[] json = "{\"study\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        RequestSignatures.Check plain = signatures.document(json, rouen);
        assertThat(plain.signed()).isFalse();
        assertThat(plain.content()).isEqualTo(json);
        assertThat(plain.refusal()).isNull();
    }
}
