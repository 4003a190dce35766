package fedgate.validation;

import fedgate.partner.Channel;
import fedgate.validation.Reason.Code;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static fedgate.validation.Fixtures.TODAY;
import static fedgate.validation.Fixtures.draft;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Art. 5.1: only the designated referent's exact address identifies the partner. The principal handed over by
 * the mail intake is the bare From address; anything else — a look-alike domain, a display name, two addresses,
 * a header continuation — identifies nobody.
 */
class SpoofedSenderTest {

    private final RequestValidator validator = Fixtures.validator();

    @ParameterizedTest
    @ValueSource(strings = {
            "referent@ville-rouen.example.evil.com",
            "referent@sub.ville-rouen.example",
            "referent@ville-rouen.example.",
            "referent@vi11e-rouen.example",
            "referent@ville-rouen.examp1e",
            "referent@ville-rouеn.example",                       // Cyrillic "е"
            "referent@ville-rouen.example@evil.com",
            "referent%ville-rouen.example@evil.com",
            "\"referent@ville-rouen.example\" <attacker@evil.com>",
            "Camille Martin <referent@ville-rouen.example>",       // the intake must hand over the bare address
            "referent@ville-rouen.example <attacker@evil.com>",
            "referent@ville-rouen.example, attacker@evil.com",
            "referent@ville-rouen.example\r\nBcc: attacker@evil.com",
            "referent@ville-rouen.example (Camille)",
            "ville-rouen",
            "",
    })
    void lookAlikeSenderIdentifiesNobody(String from) {
        ValidationResult r = validator.validate(draft(), Submission.mail(from, true), TODAY);
        assertThat(r.accepted()).isFalse();
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Code.UNKNOWN_SENDER);
        assertThat(r.partner()).isNull();
        assertThat(r.feuillet().partnerId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"referent+caf@ville-rouen.example", "camille.martin@ville-rouen.example",
            "evil.com!referent@ville-rouen.example"})
    void otherAddressOfThePartnerDomainIsNotTheReferent(String from) {
        ValidationResult r = validator.validate(draft(), Submission.mail(from, true), TODAY);
        assertThat(r.reasons()).extracting(Reason::code).containsExactly(Code.NOT_REFERENT);
        assertThat(r.feuillet().partnerId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"referent@ville-rouen.example", "Referent@Ville-Rouen.Example",
            "REFERENT@VILLE-ROUEN.EXAMPLE", " referent@ville-rouen.example ", "<referent@ville-rouen.example>"})
    void onlyTheRegistryAddressPassesInAnyCase(String from) {
        ValidationResult r = validator.validate(draft(), Submission.mail(from, true), TODAY);
        assertThat(r.accepted()).isTrue();
        assertThat(r.feuillet().partnerId()).isEqualTo("ville-rouen");
        assertThat(r.feuillet().signature()).isEqualTo("MAIL referent@ville-rouen.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"referent@ville-rouen.example", "Ville-Rouen", "ville-rouen ", "../ville-rouen", "ville-rouen\n"})
    void sftpAndBrokerAccountsMustBeThePartnerIdExactly(String account) {
        for (Channel c : new Channel[] {Channel.SFTP, Channel.BROKER}) {
            ValidationResult r = validator.validate(draft(), new Submission(c, account, true, null), TODAY);
            if (account.strip().equals("ville-rouen")) {
                assertThat(r.accepted()).as(c + " " + account).isTrue();
            } else {
                assertThat(r.reasons()).as(c + " " + account).extracting(Reason::code).containsExactly(Code.UNKNOWN_SENDER);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void echoedSenderCannotForgeLinesInTheRejection() {
        String from = "x@evil.example\r\nSubject: Demande acceptée\r\n" + "A".repeat(500);
        ValidationResult r = validator.validate(draft(), Submission.mail(from, true), TODAY);
        String text = r.reasons().get(0).text();
        assertThat(text).doesNotContain("\r").doesNotContain("\n").contains("x@evil.example Subject: Demande acceptée");
        assertThat(text).doesNotContain("A".repeat(121));
    }
}
