package fedgate.validation;

import fedgate.fed.Feuillet1;
import fedgate.partner.Channel;
import fedgate.validation.Reason.Code;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static fedgate.validation.Fixtures.REFERENT;
import static fedgate.validation.Fixtures.TODAY;
import static fedgate.validation.Fixtures.draft;
import static fedgate.validation.Fixtures.fromReferent;
import static fedgate.validation.Fixtures.validator;
import static fedgate.validation.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

class RequestValidatorTest {

    private final RequestValidator validator = validator();

    private static List<Code> codes(ValidationResult r) {
        return r.reasons().stream().map(Reason::code).toList();
    }

    @Test
    void completeRequestFromTheReferentIsAcceptedAndCanonical() {
        ValidationResult r = validator.validate(draft(), fromReferent(), TODAY);
        assertThat(r.reasons()).isEmpty();
        assertThat(r.accepted()).isTrue();
        Feuillet1 f = r.feuillet();
        assertThat(f.partnerId()).isEqualTo("ville-rouen");
        assertThat(f.indicators()).containsExactly("ALLOC", "TX_COUV");
        assertThat(f.indicatorsRequested()).containsExactly("Nombre d'allocataires", "Taux de couverture");
        // Annexe 1 default: the commune and its agglomeration
        assertThat(f.territories()).containsExactly("76540", "200023414");
        assertThat(f.diffusion()).isEqualTo(Feuillet1.Diffusion.INTERNE);
        assertThat(f.date()).isEqualTo(TODAY);
        assertThat(f.signature()).isEqualTo("MAIL referent@ville-rouen.example");
        assertThat(r.needsExternalApproval()).isFalse();
        assertThat(r.partner().id()).isEqualTo("ville-rouen");
    }

    @Test
    void partnerIdComesFromTheChannelNotFromTheDocument() {
        Feuillet1 d = draft().withPartnerId("ville-le-havre");
        assertThat(validator.validate(d, fromReferent(), TODAY).feuillet().partnerId()).isEqualTo("ville-rouen");
    }

    @Test
    void givenDateAndTerritoriesAreKept() {
        Feuillet1 d = draft();
        d = new Feuillet1(null, d.requestingOrganisation(), d.referent(), d.requestingService(), d.study(),
                d.indicatorsRequested(), List.of(), List.of("Commune de Rouen", "765400101"), 2024,
                Feuillet1.Diffusion.INTERNE, null, LocalDate.of(2026, 3, 2), null);
        ValidationResult r = validator.validate(d, fromReferent(), TODAY);
        assertThat(r.accepted()).isTrue();
        assertThat(r.feuillet().territories()).containsExactly("76540", "765400101");
        assertThat(r.feuillet().date()).isEqualTo(LocalDate.of(2026, 3, 2));
        assertThat(r.feuillet().referenceYear()).isEqualTo(2024);
    }

    @Test
    void eachMissingFieldIsNamedWithItsFedLabel() {
        Feuillet1 empty = new Feuillet1(null, " ", null, new Feuillet1.RequestingService("", "X"), null,
                List.of(" "), null, null, null, null, null, null, null);
        ValidationResult r = validator.validate(empty, fromReferent(), TODAY);
        assertThat(r.accepted()).isFalse();
        assertThat(r.reasons()).filteredOn(x -> x.code() == Code.MISSING_FIELD)
                .extracting(Reason::field)
                .containsExactly("requestingOrganisation", "referent.lastName", "referent.email",
                        "requestingService.title", "study", "indicatorsRequested");
        assertThat(r.reasons()).extracting(Reason::text).contains(
                "Le champ « Étude envisagée » est obligatoire (Art. 5.3 : objectifs poursuivis par l'étude). "
                        + "Merci de décrire l'étude et ses objectifs.",
                "Le champ « Organisme demandeur » est obligatoire (Art. 5.3 : origine du service demandeur). "
                        + "Merci d'indiquer l'organisme qui fait la demande.");
        assertThat(r.reasons()).allMatch(Reason::blocking);
    }

    @Test
    void studyAloneMissing() {
        ValidationResult r = validator.validate(with(draft(), "  ", draft().indicatorsRequested(), List.of(), null),
                fromReferent(), TODAY);
        assertThat(codes(r)).containsExactly(Code.MISSING_FIELD);
        assertThat(r.reasons().get(0).field()).isEqualTo("study");
    }

    @Test
    void referentFirstNameAloneIsEnoughAsAName() {
        Feuillet1 d = draft();
        d = new Feuillet1(null, d.requestingOrganisation(), new Feuillet1.Referent(null, "Camille", null, null, REFERENT),
                d.requestingService(), d.study(), d.indicatorsRequested(), null, null, null, null, null, null, null);
        assertThat(validator.validate(d, fromReferent(), TODAY).accepted()).isTrue();
    }

    @Test
    void formReferentEmailMustBeTheDesignatedReferent() {
        Feuillet1 d = draft();
        d = new Feuillet1(null, d.requestingOrganisation(),
                new Feuillet1.Referent("Martin", "Camille", null, null, "c.martin@ville-rouen.example"),
                d.requestingService(), d.study(), d.indicatorsRequested(), null, null, null, null, null, null, null);
        ValidationResult r = validator.validate(d, fromReferent(), TODAY);
        assertThat(codes(r)).containsExactly(Code.REFERENT_MISMATCH);
        assertThat(r.reasons().get(0).text()).contains("« c.martin@ville-rouen.example »", "Ville de Rouen", "Art. 5.1");
        // same address in another case is the same referent
        d = new Feuillet1(null, d.requestingOrganisation(),
                new Feuillet1.Referent("Martin", "Camille", null, null, "Referent@Ville-Rouen.example"),
                d.requestingService(), d.study(), d.indicatorsRequested(), null, null, null, null, null, null, null);
        assertThat(validator.validate(d, fromReferent(), TODAY).accepted()).isTrue();
    }

    @Test
    void unknownMailSenderIsRejected() {
        ValidationResult r = validator.validate(draft(), Submission.mail("someone@gmail.example", true), TODAY);
        assertThat(codes(r)).containsExactly(Code.UNKNOWN_SENDER);
        assertThat(r.reasons().get(0).text()).contains("« someone@gmail.example »", "Art. 5.1");
        assertThat(r.feuillet().partnerId()).isNull();
        assertThat(r.partner()).isNull();
    }

    @Test
    void colleagueOfTheReferentIsNotTheReferent() {
        ValidationResult r = validator.validate(draft(), Submission.mail("stagiaire@ville-rouen.example", true), TODAY);
        assertThat(codes(r)).containsExactly(Code.NOT_REFERENT);
        assertThat(r.reasons().get(0).text()).contains("n'est pas celle du référent désigné par Ville de Rouen (Art. 5.1)");
        assertThat(r.feuillet().partnerId()).isNull();
    }

    @Test
    void sftpAccountAndBrokerUserAreThePartner() {
        assertThat(validator.validate(draft(), Submission.sftp("ville-rouen"), TODAY).feuillet().partnerId())
                .isEqualTo("ville-rouen");
        ValidationResult broker = validator.validate(draft(), Submission.broker("ville-rouen"), TODAY);
        assertThat(broker.accepted()).isTrue();
        assertThat(broker.feuillet().signature()).isEqualTo("BROKER ville-rouen");
        ValidationResult unknown = validator.validate(draft(), Submission.sftp("ville-paris"), TODAY);
        assertThat(codes(unknown)).containsExactly(Code.UNKNOWN_SENDER);
        assertThat(unknown.reasons().get(0).text()).startsWith("Le compte SFTP « ville-paris »");
    }

    @Test
    void unauthenticatedChannelIsRejectedAndNotAttributed() {
        ValidationResult r = validator.validate(draft(), Submission.mail(REFERENT, false), TODAY);
        assertThat(codes(r)).containsExactly(Code.UNAUTHENTICATED);
        assertThat(r.feuillet().partnerId()).isNull();
        assertThat(r.reasons().get(0).text()).contains("n'a pas pu être authentifiée");
    }

    /**
     * A broker message without a validated user (the broker could not stamp it) is attributed to no partner, even
     * when the document names the partner and its referent: the partner comes from the channel only.
     */
    @Test
    void brokerMessageWithoutValidatedUserIsAttributedToNoPartner() {
        ValidationResult r = validator.validate(draft(), new Submission(Channel.BROKER, null, false, null), TODAY);
        assertThat(r.accepted()).isFalse();
        assertThat(codes(r)).contains(Code.UNKNOWN_SENDER, Code.UNAUTHENTICATED);
        assertThat(r.partnerOpt()).isEmpty();
        assertThat(r.feuillet().partnerId()).isNull();
    }

    @Test
    void channelNotAllowedForThePartner() {
        Feuillet1 d = new Feuillet1(null, "Ville du Havre",
                new Feuillet1.Referent("Durand", "Alex", null, null, "observatoire@lehavre.example"),
                new Feuillet1.RequestingService("Observatoire", null), "Diagnostic territorial", List.of("socle"),
                null, null, null, null, null, LocalDate.of(2025, 10, 1), null);
        ValidationResult r = validator.validate(d, Submission.mail("observatoire@lehavre.example", true)
                .signedBy("FC9E95962F83426053AE8D594A44F6A0F6937519"), LocalDate.of(2025, 10, 1));
        assertThat(codes(r)).containsExactly(Code.CHANNEL_NOT_ALLOWED);
        assertThat(r.reasons().get(0).text()).isEqualTo("Les demandes de Ville du Havre ne sont pas acceptées par "
                + "courriel. Merci d'utiliser le canal ouvert : dépôt SFTP.");
    }

    @Test
    void partnerRequiringSignaturesGetsNoneOrTheWrongKey() {
        Feuillet1 d = new Feuillet1(null, "Ville du Havre",
                new Feuillet1.Referent("Durand", "Alex", null, null, "observatoire@lehavre.example"),
                new Feuillet1.RequestingService("Observatoire", null), "Diagnostic territorial", List.of("socle"),
                null, null, null, null, null, null, null);
        LocalDate day = LocalDate.of(2025, 10, 1);
        ValidationResult unsigned = validator.validate(d, Submission.sftp("ville-le-havre"), day);
        assertThat(codes(unsigned)).containsExactly(Code.SIGNATURE_REQUIRED);
        ValidationResult wrongKey = validator.validate(d, Submission.sftp("ville-le-havre").signedBy(Fixtures.ROUEN_FPR), day);
        assertThat(codes(wrongKey)).containsExactly(Code.SIGNATURE_REQUIRED);
        assertThat(wrongKey.reasons().get(0).text()).contains(Fixtures.ROUEN_FPR, "FC9E95962F83426053AE8D594A44F6A0F6937519");
        ValidationResult signed = validator.validate(d,
                Submission.sftp("ville-le-havre").signedBy("fc9e 9596 2f83 4260 53ae 8d59 4a44 f6a0 f693 7519"), day);
        assertThat(signed.accepted()).isTrue();
        assertThat(signed.feuillet().territories()).containsExactly("76351", "200084952");
        assertThat(signed.feuillet().signature())
                .isEqualTo("SFTP ville-le-havre, OpenPGP FC9E95962F83426053AE8D594A44F6A0F6937519");
    }

    @Test
    void conventionMustBeInForceOnTheDayReceived() {
        Feuillet1 d = new Feuillet1(null, "Ville du Havre",
                new Feuillet1.Referent("Durand", "Alex", null, null, "observatoire@lehavre.example"),
                new Feuillet1.RequestingService("Observatoire", null), "Diagnostic territorial", List.of("socle"),
                null, null, null, null, null, null, null);
        Submission s = Submission.sftp("ville-le-havre").signedBy("FC9E95962F83426053AE8D594A44F6A0F6937519");
        // notice on 2025-11-15: in force until 2026-02-14 included
        assertThat(validator.validate(d, s, LocalDate.of(2026, 2, 14)).accepted()).isTrue();
        ValidationResult ended = validator.validate(d, s, LocalDate.of(2026, 2, 15));
        assertThat(codes(ended)).containsExactly(Code.CONVENTION_NOT_IN_FORCE);
        assertThat(ended.reasons().get(0).text()).startsWith("La convention entre la CAF de Rouen et Ville du Havre a "
                + "été dénoncée le 15/11/2025 ; elle a pris fin le 15/02/2026 (Art. 6).");
        // Rouen before its signature
        ValidationResult early = validator.validate(draft(), fromReferent(), LocalDate.of(2025, 1, 14));
        assertThat(codes(early)).containsExactly(Code.CONVENTION_NOT_IN_FORCE);
    }

    @Test
    void unknownIndicatorIsNamedWithTheCatalogue() {
        ValidationResult r = validator.validate(with(draft(), draft().study(),
                List.of("Nombre d'allocataires", "nombre de chats"), List.of(), null), fromReferent(), TODAY);
        assertThat(codes(r)).containsExactly(Code.UNKNOWN_INDICATOR);
        assertThat(r.reasons().get(0).text())
                .startsWith("Indicateur inconnu : « nombre de chats ». Indicateurs disponibles : ALLOC (Nombre d'allocataires), ")
                .contains("REV_UC_DECILE (Distribution du revenu par unité de consommation)", "« socle »");
        assertThat(r.feuillet().indicators()).containsExactly("ALLOC");
    }

    @Test
    void typoIsAcceptedWithANote() {
        ValidationResult r = validator.validate(with(draft(), draft().study(), List.of("Taux de couvreture"), List.of(), null),
                fromReferent(), TODAY);
        assertThat(r.accepted()).isTrue();
        assertThat(codes(r)).containsExactly(Code.INDICATOR_INTERPRETED);
        assertThat(r.reasons().get(0).blocking()).isFalse();
        assertThat(r.reasons().get(0).text()).isEqualTo("« Taux de couvreture » a été compris comme l'indicateur "
                + "TX_COUV (Taux de couverture). Si ce n'est pas ce que vous souhaitiez, merci de nous le signaler.");
        assertThat(r.feuillet().indicators()).containsExactly("TX_COUV");
    }

    @Test
    void socleExpandsToEverySocleIndicator() {
        ValidationResult r = validator.validate(with(draft(), draft().study(), List.of("Socle de données de cadrage"),
                List.of(), null), fromReferent(), TODAY);
        assertThat(r.accepted()).isTrue();
        assertThat(r.feuillet().indicators()).hasSize(16).contains("ALLOC", "REV_UC_DECILE");
    }

    @Test
    void unknownTerritoryIsNamed() {
        ValidationResult r = validator.validate(with(draft(), draft().study(), draft().indicatorsRequested(),
                List.of("Rouen", "Paris", "75056"), null), fromReferent(), TODAY);
        assertThat(codes(r)).containsExactly(Code.UNKNOWN_TERRITORY, Code.UNKNOWN_TERRITORY);
        assertThat(r.reasons().get(0).text()).isEqualTo("Territoire inconnu : « Paris ». Territoires possibles : "
                + "76540 (Rouen), 200023414 (Métropole Rouen Normandie), ou le code INSEE d'une commune du département "
                + "76 (5 chiffres) ou d'un de ses IRIS (9 chiffres). Merci d'indiquer le nom ou le code d'un de ces "
                + "territoires.");
        assertThat(r.reasons().get(1).text()).startsWith("Territoire inconnu : « 75056 ».");
        assertThat(r.feuillet().territories()).containsExactly("76540");
    }

    @Test
    void territoryNamesMapToCodes() {
        ValidationResult r = validator.validate(with(draft(), draft().study(), draft().indicatorsRequested(),
                List.of("Commune de Rouen", "Agglomération", "la Métropole", "Sotteville-lès-Rouen (76681)",
                        "Rouen et Métropole"), null), fromReferent(), TODAY);
        assertThat(r.accepted()).isTrue();
        assertThat(r.feuillet().territories()).containsExactly("76540", "200023414", "76681");
    }

    @Test
    void externalDiffusionIsAcceptedButFlagged() {
        ValidationResult r = validator.validate(with(draft(), draft().study(), draft().indicatorsRequested(), List.of(),
                Feuillet1.Diffusion.EXTERNE), fromReferent(), TODAY);
        assertThat(r.accepted()).isTrue();
        assertThat(r.needsExternalApproval()).isTrue();
        assertThat(codes(r)).containsExactly(Code.EXTERNAL_DIFFUSION_NEEDS_APPROVAL);
        assertThat(r.reasons().get(0).blocking()).isFalse();
        assertThat(r.reasons().get(0).text()).contains("accord préalable du Bureau d'Études de la CAF de Rouen (Art. 4)");
        assertThat(r.toFrench()).startsWith("Votre demande est recevable.\n- Vous prévoyez une diffusion externe");
    }

    @Test
    void contratTempsLibreAndContratEnfanceAreOutOfScope() {
        for (String study : List.of("Bilan du Contrat Temps Libre 2025", "évaluation du contrat enfance-jeunesse",
                "Suivi du CEJ", "Données CTL par quartier", "CONTRAT ENFANCE", "contrats de temps libre")) {
            ValidationResult r = validator.validate(with(draft(), study, draft().indicatorsRequested(), List.of(), null),
                    fromReferent(), TODAY);
            assertThat(codes(r)).as(study).containsExactly(Code.OUT_OF_SCOPE);
            assertThat(r.reasons().get(0).text()).as(study).contains("(Art. 1.1)").contains("« Étude envisagée »");
        }
        ValidationResult inIndicators = validator.validate(with(draft(), draft().study(),
                List.of("allocataires", "places financées par le contrat enfance"), List.of(), null), fromReferent(), TODAY);
        assertThat(inIndicators.has(Code.OUT_OF_SCOPE)).isTrue();
        assertThat(inIndicators.reasons()).filteredOn(x -> x.code() == Code.OUT_OF_SCOPE)
                .extracting(Reason::field).containsExactly("indicatorsRequested");
    }

    @Test
    void wordsThatMerelyLookLikeTheExcludedSchemesAreInScope() {
        for (String study : List.of("Accueil de loisirs et temps libre des enfants", "Contrat local de santé",
                "Jeunes en contrat d'engagement jeune (CEJ)", "Protection de l'enfance", "Effectifs CTLS")) {
            ValidationResult r = validator.validate(with(draft(), study, draft().indicatorsRequested(), List.of(), null),
                    fromReferent(), TODAY);
            assertThat(r.accepted()).as(study).isTrue();
        }
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Feuillet1 bad = new Feuillet1(null, null,
                new Feuillet1.Referent("Martin", "Camille", null, null, "autre@ville-rouen.example"),
                null, "Bilan du contrat temps libre", List.of("nombre de chats"), null, List.of("Paris"), null,
                Feuillet1.Diffusion.EXTERNE, null, null, null);
        ValidationResult r = validator.validate(bad, Submission.broker("ville-rouen"), LocalDate.of(2025, 1, 1));
        assertThat(r.accepted()).isFalse();
        assertThat(codes(r)).containsExactlyInAnyOrder(Code.CONVENTION_NOT_IN_FORCE, Code.REFERENT_MISMATCH,
                Code.MISSING_FIELD, Code.MISSING_FIELD, Code.OUT_OF_SCOPE, Code.UNKNOWN_INDICATOR,
                Code.UNKNOWN_TERRITORY, Code.EXTERNAL_DIFFUSION_NEEDS_APPROVAL);
        assertThat(r.blocking()).hasSize(7);
        assertThat(r.notes()).extracting(Reason::code).containsExactly(Code.EXTERNAL_DIFFUSION_NEEDS_APPROVAL);
        String french = r.toFrench();
        assertThat(french).startsWith("Votre demande ne peut pas être traitée en l'état, pour les raisons suivantes :");
        assertThat(french).contains("Pour information :");
        assertThat(french.lines().filter(l -> l.startsWith("- "))).hasSize(8);
        // defaults still filled for the quarantine record
        assertThat(r.feuillet().partnerId()).isEqualTo("ville-rouen");
        assertThat(r.feuillet().date()).isEqualTo(LocalDate.of(2025, 1, 1));
    }

    @Test
    void unknownSenderStillGetsFieldAndIndicatorProblems() {
        Feuillet1 bad = with(draft(), null, List.of("nombre de chats"), List.of("Paris"), null);
        ValidationResult r = validator.validate(bad, new Submission(Channel.MAIL, "x@evil.example", false, null), TODAY);
        assertThat(codes(r)).containsExactly(Code.UNKNOWN_SENDER, Code.UNAUTHENTICATED, Code.MISSING_FIELD,
                Code.UNKNOWN_INDICATOR);
        assertThat(r.feuillet().territories()).containsExactly("Paris"); // unchecked: no partner to check against
    }

    @Test
    void everyReasonTextIsFrenchAndEndsWithAFullStop() {
        Feuillet1 bad = new Feuillet1(null, null, null, null, "Bilan CTL", List.of("chats", "alocataires"), null,
                List.of("Paris"), null, Feuillet1.Diffusion.EXTERNE, null, null, null);
        ValidationResult r = validator.validate(bad, Submission.broker("ville-rouen"), LocalDate.of(2025, 1, 1));
        assertThat(r.reasons()).hasSizeGreaterThan(8);
        assertThat(r.reasons()).allSatisfy(x -> {
            assertThat(x.text()).endsWith(".");
            assertThat(x.text()).doesNotContain("null");
        });
    }
}
