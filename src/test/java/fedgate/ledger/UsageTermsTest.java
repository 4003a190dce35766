package fedgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fedgate.fed.Feuillet1;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class UsageTermsTest {

    /** Published terms never change: a new wording is a new version. Update only together with a new version file. */
    static final String V1_SHA256 = "10f70d0d56b0be90ad66ef0e48f202045591dff3506dcdab67081aaf42284245";

    @Test
    void currentTermsAreVersionOneWithAStableHash() {
        UsageTerms t = UsageTerms.current();
        assertThat(t.version()).isEqualTo("1");
        assertThat(t.sha256()).isEqualTo(V1_SHA256);
        assertThat(UsageTerms.sha256(t.text())).isEqualTo(t.sha256());
        assertThat(UsageTerms.version("1")).containsSame(t);
    }

    @Test
    void textCoversArticlesTwoThreeAndFour() {
        String text = UsageTerms.current().text();
        assertThat(text)
                .contains("seul cadre du droit d'usage")                                   // Art. 2
                .contains("communication à des tiers, à titre onéreux ou gratuit, est interdite") // Art. 2
                .contains("secret statistique").contains("moins de cent allocataires")      // Art. 2
                .contains("ré-identification")                                              // Art. 2
                .contains("analyse")                                                        // Art. 4
                .contains("partagée entre la CAF de Rouen et le bénéficiaire")
                .contains("accord préalable du Bureau d'Études")                            // Art. 4
                .contains("« Source : CAF de Rouen — <date des données> »")                 // Art. 4
                .contains("exemplaire")                                                     // Art. 3
                .contains("date d'échéance");
        assertThat(text).doesNotContain("\r");
    }

    @Test
    void hashIgnoresLineEndingsOfTheCheckout() {
        String crlf = UsageTerms.current().text().replace("\n", "\r\n");
        assertThat(UsageTerms.sha256(UsageTerms.normalise(crlf))).isEqualTo(UsageTerms.current().sha256());
    }

    @Test
    void unknownOrMalformedVersionsAreEmpty() {
        assertThat(UsageTerms.version("999")).isEmpty();
        assertThat(UsageTerms.version("../../partners/ville-rouen")).isEmpty();
        assertThat(UsageTerms.version(null)).isEmpty();
    }

    @Test
    void forDeliveryBindsRecipientPurposeDiffusionAndDueDate() {
        Partner ville = PartnerRegistry.readClasspath("ville-rouen");
        UsageTerms.Applied a = UsageTerms.current().forDelivery(ville, "  Diagnostic\nsocial 2027 ",
                Feuillet1.Diffusion.EXTERNE, LocalDate.parse("2027-12-31"));
        assertThat(a.version()).isEqualTo("1");
        assertThat(a.sha256()).isEqualTo(V1_SHA256);
        assertThat(a.recipientId()).isEqualTo("ville-rouen");
        assertThat(a.recipientName()).isEqualTo("Ville de Rouen");
        assertThat(a.purpose()).isEqualTo("Diagnostic social 2027");
        assertThat(a.textMatchesHash()).isTrue();
        assertThat(a.sourceMention()).isNull();
        UsageTerms.Applied withSource = a.withSourceMention(UsageTerms.Applied.sourceMentionFor(LocalDate.parse("2026-12-31")));
        assertThat(withSource.sourceMention()).isEqualTo("Source : CAF de Rouen — 31/12/2026");
        assertThat(withSource.frenchSummary())
                .contains("Bénéficiaire : Ville de Rouen (ville-rouen)")
                .contains("Diffusion : externe — accord préalable du Bureau d'Études")
                .contains("au plus tard le 31/12/2027")
                .contains("« Source : CAF de Rouen — 31/12/2026 »");
        UsageTerms.Applied altered = new UsageTerms.Applied(a.version(), a.sha256(), a.text().replace("interdite", "permise"),
                a.recipientId(), a.recipientName(), a.purpose(), a.diffusion(), a.studyDueDate(), null);
        assertThat(altered.textMatchesHash()).isFalse();
    }

    @Test
    void purposeAndDueDateAreRequired() {
        Partner ville = PartnerRegistry.readClasspath("ville-rouen");
        assertThatThrownBy(() -> UsageTerms.current().forDelivery(ville, " ", Feuillet1.Diffusion.INTERNE, LocalDate.now()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UsageTerms.current().forDelivery(ville, "Étude", Feuillet1.Diffusion.INTERNE, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("Art. 3");
    }
}
