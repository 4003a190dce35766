package fedgate.fed;

import static fedgate.fed.FedSamples.EXPECTED;
import static fedgate.fed.FedSamples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fedgate.fed.FedReadException.Code;
import java.nio.charset.Charset;
import org.junit.jupiter.api.Test;

class FedDocumentReaderTest {

    private final FedDocumentReader reader = new FedDocumentReader();

    @Test
    void json() throws Exception {
        assertThat(reader.read(utf8(FedSamples.JSON), "fed.json", "application/json")).isEqualTo(EXPECTED);
    }

    @Test
    void jsonWithAliasesAndIgnoredPartnerId() throws Exception {
        String json = FedSamples.JSON
                .replaceAll("\"indicatorsRequested\": \\[[^\\]]*\\],",
                        "\"indicateurs\": \"Nombre d'allocataires; Taux de couverture; Part des familles nombreuses; "
                                + "Part des allocataires sous le seuil de bas revenus\", \"partnerId\": \"ville-du-havre\",")
                .replace("\"Interne\"", "\"INTERNE\"");
        assertThat(json).contains("indicateurs").contains("partnerId");
        assertThat(reader.read(utf8(json), null, null)).isEqualTo(EXPECTED);
    }

    @Test
    void xml() throws Exception {
        assertThat(reader.read(utf8(FedSamples.XML), "fed.xml", "application/xml")).isEqualTo(EXPECTED);
    }

    @Test
    void xmlWithFedRootAndNamespace() throws Exception {
        String xml = FedSamples.XML.replace("<feuillet1>", "<fed xmlns=\"urn:fedgate:feuillet1\">")
                .replace("</feuillet1>", "</fed>");
        assertThat(reader.read(utf8(xml), "demande.txt", "text/plain")).isEqualTo(EXPECTED);
    }

    @Test
    void pdfAcroForm() throws Exception {
        assertThat(reader.read(FedSamples.acroFormPdf(), "FED.pdf", "application/pdf")).isEqualTo(EXPECTED);
    }

    @Test
    void pdfText() throws Exception {
        assertThat(reader.read(FedSamples.textPdf(FedSamples.ANNEX_LAYOUT), "FED.pdf", null)).isEqualTo(EXPECTED);
    }

    @Test
    void docx() throws Exception {
        assertThat(reader.read(FedSamples.docx(FedSamples.BULLET_LAYOUT), "FED.docx", null)).isEqualTo(EXPECTED);
    }

    @Test
    void odt() throws Exception {
        assertThat(reader.read(FedSamples.odt(FedSamples.ANNEX_LAYOUT), "FED.odt", null)).isEqualTo(EXPECTED);
    }

    @Test
    void plainTextInIso88591() throws Exception {
        byte[] latin1 = FedSamples.ANNEX_LAYOUT.getBytes(Charset.forName("ISO-8859-1"));
        assertThat(reader.read(latin1, "fed.txt", "text/plain")).isEqualTo(EXPECTED);
    }

    @Test
    void htmlDocument() throws Exception {
        String html = "<!DOCTYPE html><html><body>" + FedSamples.ANNEX_LAYOUT.lines()
                .map(l -> "<p>" + l.replace("&", "&amp;") + "</p>").reduce("", String::concat) + "</body></html>";
        assertThat(reader.read(utf8(html), "fed.html", "text/html")).isEqualTo(EXPECTED);
    }

    @Test
    void typeComesFromContentNotFromName() throws Exception {
        // a JSON form named .pdf is read as JSON; a PDF named .json is read as PDF
        assertThat(reader.read(utf8(FedSamples.JSON), "FED.pdf", "application/pdf")).isEqualTo(EXPECTED);
        assertThat(reader.read(FedSamples.acroFormPdf(), "fed.json", "application/json")).isEqualTo(EXPECTED);
    }

    @Test
    void schemaViolationNamesTheFieldInFrench() {
        String json = FedSamples.JSON.replace("\"referenceYear\": 2024", "\"referenceYear\": \"deux mille\"");
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(json), "f.json", null));
        assertThat(e.code()).isEqualTo(Code.SCHEMA);
        assertThat(e.reasonFr()).contains("« referenceYear »").contains("nombre entier");
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void unknownFieldIsNamed() {
        String json = FedSamples.JSON.replace("\"study\"", "\"studie\"");
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(json), "f.json", null));
        assertThat(e.code()).isEqualTo(Code.SCHEMA);
        assertThat(e.reasonFr()).contains("« studie »").contains("n'est pas prévu");
    }

    @Test
    void badDiffusionAndDate() {
        String json = FedSamples.JSON.replace("\"Interne\"", "\"publique\"").replace("2026-03-12", "12/03/2026");
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(json), "f.json", null));
        assertThat(e.code()).isEqualTo(Code.SCHEMA);
        assertThat(e.reasonFr()).contains("« diffusion »").contains("AAAA-MM-JJ");
    }

    @Test
    void missingFieldsAreNotAReadError() throws Exception {
        Feuillet1 f = reader.read(utf8("{\"requestingOrganisation\": \"Ville de Rouen\"}"), "f.json", null);
        assertThat(f.requestingOrganisation()).isEqualTo("Ville de Rouen");
        assertThat(f.referent()).isNull();
        assertThat(f.indicatorsRequested()).isEmpty();
    }

    @Test
    void malformedJson() {
        FedReadException e = catchThrowableOfType(FedReadException.class,
                () -> reader.read(utf8("{\"requestingOrganisation\": \"Ville de Rouen\",\n \"study\": }"), "f.json", null));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_JSON);
        assertThat(e.reasonFr()).contains("ligne 2");
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void duplicateJsonKeyIsRefused() {
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(
                utf8("{\"study\": \"a\", \"study\": \"b\"}"), "f.json", null));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_JSON);
    }

    @Test
    void xmlWithWrongRoot() {
        FedReadException e = catchThrowableOfType(FedReadException.class,
                () -> reader.read(utf8("<?xml version=\"1.0\"?><invoice><total>3</total></invoice>"), "f.xml", null));
        assertThat(e.code()).isEqualTo(Code.SCHEMA);
        assertThat(e.reasonFr()).contains("<feuillet1>");
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void truncatedXml() {
        String xml = FedSamples.XML.substring(0, FedSamples.XML.length() / 2);
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(xml), "f.xml", null));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_XML);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void plainJsonSkipsTikaOnlyWhenNothingElseCouldMatch() {
        assertThat(FedDocumentReader.plainJson(utf8(FedSamples.JSON))).isTrue();
        assertThat(FedDocumentReader.plainJson(utf8("\uFEFF \n{\"study\": \"é\"}"))).isTrue();
        // RTF, a PDF marker or a tag near the start, control bytes, not an object: Tika decides, as before
        assertThat(FedDocumentReader.plainJson(utf8("{\\rtf1\\ansi x}"))).isFalse();
        assertThat(FedDocumentReader.plainJson(utf8("{\"a\": \"%PDF-1.4\"}"))).isFalse();
        assertThat(FedDocumentReader.plainJson(utf8("{\"a\": \"<html><body>\"}"))).isFalse();
        assertThat(FedDocumentReader.plainJson(new byte[] {'{', '"', 'a', '"', ':', 0, '}'})).isFalse();
        assertThat(FedDocumentReader.plainJson(utf8("[{\"a\": 1}]"))).isFalse();
        assertThat(FedDocumentReader.plainJson(utf8("Organisme demandeur : Ville"))).isFalse();
        assertThat(FedDocumentReader.plainJson(new byte[0])).isFalse();
    }
}
