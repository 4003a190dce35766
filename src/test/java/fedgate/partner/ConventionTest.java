package fedgate.partner;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConventionTest {

    private static final LocalDate SIGNED = LocalDate.of(2025, 1, 15);
    private final Convention convention = Convention.signed(SIGNED);

    @Test
    void notInForceTheDayBeforeSignature() {
        assertThat(convention.inForce(SIGNED.minusDays(1))).isFalse();
        assertThat(convention.currentTermEnd(SIGNED.minusDays(1))).isEmpty();
        assertThat(convention.explainNotInForce(SIGNED.minusDays(1), "Ville de Rouen")).hasValue(
                "La convention entre la CAF de Rouen et Ville de Rouen n'est pas encore en vigueur : elle entre en "
                        + "vigueur à sa signature, le 15/01/2025 (Art. 8). Merci de renouveler votre demande à partir de "
                        + "cette date.");
    }

    @Test
    void inForceOnTheSigningDay() {
        assertThat(convention.inForce(SIGNED)).isTrue();
        assertThat(convention.currentTermEnd(SIGNED)).hasValue(LocalDate.of(2026, 1, 15));
        assertThat(convention.explainNotInForce(SIGNED, "Ville de Rouen")).isEmpty();
        assertThat(convention.effectiveEnd()).isEmpty();
    }

    @Test
    void tacitlyRenewedYearAfterYear() {
        assertThat(convention.inForce(LocalDate.of(2026, 1, 14))).isTrue();
        assertThat(convention.currentTermEnd(LocalDate.of(2026, 1, 14))).hasValue(LocalDate.of(2026, 1, 15));
        // one year later: renewed, second term
        assertThat(convention.inForce(LocalDate.of(2026, 1, 15))).isTrue();
        assertThat(convention.currentTermEnd(LocalDate.of(2026, 1, 15))).hasValue(LocalDate.of(2027, 1, 15));
        assertThat(convention.inForce(LocalDate.of(2034, 6, 1))).isTrue();
        assertThat(convention.currentTermEnd(LocalDate.of(2034, 6, 1))).hasValue(LocalDate.of(2035, 1, 15));
    }

    @Test
    void withoutTacitRenewalItEndsAfterOneTerm() {
        Convention once = new Convention(SIGNED, 1, false, null);
        assertThat(once.inForce(LocalDate.of(2026, 1, 14))).isTrue();
        assertThat(once.inForce(LocalDate.of(2026, 1, 15))).isFalse();
        assertThat(once.effectiveEnd()).hasValue(LocalDate.of(2026, 1, 15));
        assertThat(once.explainNotInForce(LocalDate.of(2026, 3, 1), "Ville de Rouen").orElseThrow())
                .contains("sans reconduction tacite", "a pris fin le 15/01/2026", "(Art. 8)");
    }

    @Test
    void terminationTakesEffectThreeMonthsAfterTheNotice() {
        Convention terminated = convention.withTerminationNotice(LocalDate.of(2026, 2, 1));
        assertThat(terminated.effectiveEnd()).hasValue(LocalDate.of(2026, 5, 1));
        assertThat(terminated.inForce(LocalDate.of(2026, 2, 1))).isTrue();
        // notice + 3 months − 1 day: still in force (Art. 6: three months' notice)
        assertThat(terminated.inForce(LocalDate.of(2026, 4, 30))).isTrue();
        assertThat(terminated.currentTermEnd(LocalDate.of(2026, 4, 30))).hasValue(LocalDate.of(2026, 5, 1));
        // notice + 3 months: ended
        assertThat(terminated.inForce(LocalDate.of(2026, 5, 1))).isFalse();
        assertThat(terminated.inForce(LocalDate.of(2027, 1, 1))).isFalse();
        assertThat(terminated.explainNotInForce(LocalDate.of(2026, 5, 1), "Ville de Rouen").orElseThrow())
                .startsWith("La convention entre la CAF de Rouen et Ville de Rouen a été dénoncée le 01/02/2026 ; "
                        + "elle a pris fin le 01/05/2026 (Art. 6).");
    }

    @Test
    void noticeBeforeSignatureIsAConfigurationError() {
        assertThatThrownBy(() -> convention.withTerminationNotice(SIGNED.minusDays(1)))
                .isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("convention.terminationNoticeOn");
    }

    @Test
    void leapDaySignatureDoesNotDrift() {
        Convention leap = Convention.signed(LocalDate.of(2024, 2, 29));
        assertThat(leap.currentTermEnd(LocalDate.of(2027, 6, 1))).hasValue(LocalDate.of(2028, 2, 29));
    }
}
