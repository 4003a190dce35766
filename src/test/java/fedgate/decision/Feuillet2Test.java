package fedgate.decision;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Feuillet 2 of Annexe 2: the French text and the PDF carry every field of the form. */
class Feuillet2Test {

    private static final Feuillet2.Referent BUREAU = new Feuillet2.Referent("Bureau d'Études de la CAF de Rouen",
            "02 35 00 00 01", "etudes@caf-rouen.example");

    static Feuillet2 favorable(boolean externe, boolean approved) {
        return new Feuillet2(Feuillet2.TYPE, "FED-2026-000042", "ville-rouen", "Ville de Rouen", "CAF de Rouen",
                BUREAU, true, "Données disponibles dans le socle.",
                List.of(new Feuillet2.Indicator("ALLOC", "Nombre d'allocataires"),
                        new Feuillet2.Indicator("TX_COUV", "Taux de couverture")),
                "Commune, EPCI — Rouen", "sous 10 jours", externe, approved, LocalDate.of(2026, 11, 23),
                "Bureau d'Études de CAF de Rouen — décision de bureau");
    }

    static Feuillet2 defavorable() {
        return new Feuillet2(Feuillet2.TYPE, "FED-2026-000043", "ville-rouen", "Ville de Rouen", "CAF de Rouen",
                BUREAU, false, "Les données demandées relèvent du contrat enfance jeunesse (Art. 1.1).", List.of(),
                null, null, false, false, LocalDate.of(2026, 11, 23), "Bureau d'Études de CAF de Rouen — bureau");
    }

    @Test
    void favorableTextHasEveryFieldOfAnnexe2() {
        Feuillet2 f = favorable(false, false);
        String t = f.mailText();
        assertThat(t).contains("FEUILLET numéro 2", "FED-2026-000042", "Organisme fournisseur : CAF de Rouen",
                "Nom, Prénom : Bureau d'Études de la CAF de Rouen", "Tél : 02 35 00 00 01",
                "E-mail : etudes@caf-rouen.example", "Réponse de l'organisme fournisseur : favorable",
                "Motif : Données disponibles dans le socle.", "Nombre d'allocataires (ALLOC)",
                "Taux de couverture (TX_COUV)", "Délais de livraison : sous 10 jours", "Date : 23/11/2026",
                "Signature du Référent : Bureau d'Études de CAF de Rouen — décision de bureau",
                "droit d'usage", "Art. 2", "Art. 3");
        assertThat(f.subject()).contains("FED-2026-000042", "favorable");
        assertThat(f.proceedsToExtract()).isTrue();
    }

    @Test
    void defavorableTextSaysSoAndDeliversNothing() {
        Feuillet2 f = defavorable();
        assertThat(f.mailText()).contains("Réponse de l'organisme fournisseur : défavorable",
                "Indicateurs disponibles : aucun", "Délais de livraison : sans objet", "Art. 1.1");
        assertThat(f.subject()).endsWith("défavorable");
        assertThat(f.proceedsToExtract()).isFalse();
    }

    @Test
    void externalDiffusionWaitsForTheBureausApproval() {
        Feuillet2 waiting = favorable(true, false);
        assertThat(waiting.proceedsToExtract()).isFalse();
        assertThat(waiting.mailText()).contains("n'est pas encore donné", "Art. 4");
        Feuillet2 approved = favorable(true, true);
        assertThat(approved.proceedsToExtract()).isTrue();
        assertThat(approved.mailText()).contains("donne son accord préalable à la diffusion externe");
    }

    @Test
    void pdfIsLaidOutLikeAnnexe2() throws Exception {
        String text = pdfText(new Feuillet2Pdf().render(favorable(false, false)));
        assertThat(text).contains("FORMULAIRE D'ÉCHANGE DE DONNÉES", "FEUILLET numéro 2", "Organisme fournisseur",
                "CAF de Rouen", "Le Référent", "Nom, Prénom", "Tél", "E-mail", "etudes@caf-rouen.example",
                "Réponse de l'organisme fournisseur", "[X] favorable", "[ ] défavorable", "Motif",
                "Indicateurs disponibles", "Nombre d'allocataires (ALLOC)", "Délais de livraison", "sous 10 jours",
                "Date", "23/11/2026", "Signature du Référent", "FED-2026-000042");
    }

    @Test
    void defavorablePdfTicksTheOtherBox() throws Exception {
        String text = pdfText(new Feuillet2Pdf().render(defavorable()));
        assertThat(text).contains("[ ] favorable", "[X] défavorable", "aucun", "sans objet");
    }

    @Test
    void longMotifIsWrappedOverPagesAndUnencodableCharactersAreShownNotDropped() throws Exception {
        String longMotif = "Motif très détaillé ".repeat(400) + " fin — 🙂 Ω";
        Feuillet2 f = new Feuillet2(Feuillet2.TYPE, "FED-2026-000044", "ville-rouen", "Ville de Rouen",
                "CAF de Rouen", BUREAU, true, longMotif, List.of(), null, null, false, false,
                LocalDate.of(2026, 11, 23), "bureau");
        byte[] pdf = new Feuillet2Pdf().render(f);
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            assertThat(doc.getNumberOfPages()).isGreaterThan(1);
        }
        String text = pdfText(pdf);
        assertThat(text).contains("fin —", "Signature du Référent");
        assertThat(text.replaceAll("\\s+", " ")).contains("? ?"); // emoji and Omega are outside WinAnsi
    }

    static String pdfText(byte[] pdf) throws Exception {
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(doc);
        }
    }
}
