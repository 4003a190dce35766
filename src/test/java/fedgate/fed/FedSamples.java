package fedgate.fed;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationWidget;
import org.apache.pdfbox.pdmodel.interactive.form.PDAcroForm;
import org.apache.pdfbox.pdmodel.interactive.form.PDField;
import org.apache.pdfbox.pdmodel.interactive.form.PDNonTerminalField;
import org.apache.pdfbox.pdmodel.interactive.form.PDTextField;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/** The one request of the tests, written in every accepted form. */
final class FedSamples {

    private FedSamples() {
    }

    static final String STUDY = "Diagnostic social des quartiers prioritaires de Rouen en vue du renouvellement "
            + "du contrat de ville 2026-2030.";
    static final List<String> INDICATORS = List.of("Nombre d'allocataires", "Taux de couverture",
            "Part des familles nombreuses", "Part des allocataires sous le seuil de bas revenus");

    /** What every form below must read as. */
    static final Feuillet1 EXPECTED = new Feuillet1(null, "Ville de Rouen",
            new Feuillet1.Referent("DUPONT", "Marie", "Direction de la cohésion sociale", "0235526810",
                    "marie.dupont@ville-rouen.example"),
            new Feuillet1.RequestingService("Observatoire social", "Jean MARTIN"),
            STUDY, INDICATORS, List.of(), List.of("Rouen", "Métropole Rouen Normandie"), 2024,
            Feuillet1.Diffusion.INTERNE, "Avant le 30 juin 2026", LocalDate.of(2026, 3, 12), null);

    /** Annexe 2 as printed: "/" separators, values on the following lines, blank lines between. */
    static final String ANNEX_LAYOUT = """
            FORMULAIRE D'ÉCHANGE DE DONNÉES
            FEUILLET numéro 1

            Organisme demandeur :
            Ville de Rouen

            Le Référent

            Nom, Prénom :
            DUPONT Marie
            Service :
            Direction de la cohésion sociale
            Tél :
            02 35 52 68 10
            E-mail :
            marie.dupont@ville-rouen.example

            Le Service demandeur

            Intitulé :
            Observatoire social
            Responsable :
            Jean MARTIN

            Étude envisagée /

            Diagnostic social des quartiers prioritaires de Rouen en vue du renouvellement du contrat de ville 2026-2030.

            Indicateurs sollicités /

            Nombre d'allocataires
            Taux de couverture
            Part des familles nombreuses
            Part des allocataires sous le seuil de bas revenus

            Territoire(s) :
            Rouen
            Métropole Rouen Normandie

            Année de référence :
            2024

            Diffusion : interne

            Délais souhaités /

            Avant le 30 juin 2026

            Date

            12/03/2026

            Signature du Référent

            Marie DUPONT
            """;

    /** Capitals without accents, values inline, "-" and ":" separators, ";" and "," lists, CRLF. */
    static final String CAPS_LAYOUT = String.join("\r\n",
            "ORGANISME DEMANDEUR : Ville de Rouen",
            "LE REFERENT",
            "NOM, PRENOM : Marie DUPONT",
            "SERVICE : Direction de la cohésion sociale",
            "TEL. : 02.35.52.68.10",
            "COURRIEL : marie.dupont@ville-rouen.example",
            "LE SERVICE DEMANDEUR",
            "INTITULE - Observatoire social",
            "RESPONSABLE : Jean MARTIN",
            "ETUDE ENVISAGEE : " + STUDY,
            "INDICATEURS SOLLICITES : Nombre d'allocataires ; Taux de couverture ; Part des familles nombreuses ; "
                    + "Part des allocataires sous le seuil de bas revenus",
            "TERRITOIRES : Rouen, Métropole Rouen Normandie",
            "ANNEE DE REFERENCE : 2024",
            "DIFFUSION : INTERNE",
            "DELAIS SOUHAITES : Avant le 30 juin 2026",
            "DATE : 12 mars 2026",
            "");

    /** Wrapped values, extra spaces and tabs, no separators, NFD accents, non-breaking spaces. */
    static final String WRAPPED_LAYOUT = ("  Organisme   demandeur\tVille   de Rouen\n"
            + "Le  re\u0301fe\u0301rent\n"
            + "Nom et prénom :   DUPONT  Marie\n"
            + "Service:Direction de la\n"
            + "     cohésion sociale\n"
            + "Téléphone\u00A0: 02 35 52 68 10\n"
            + "Mél : marie.dupont@ville-rouen.example\n"
            + "\n"
            + "Service demandeur\n"
            + "Intitulé du service : Observatoire\u00A0social\n"
            + "Responsable du service : Jean MARTIN\n"
            + "\n"
            + "Etude envisagee  Diagnostic social des quartiers prioritaires\n"
            + "\tde Rouen en vue du renouvellement du\n"
            + "   contrat de ville 2026-2030.\n"
            + "Indicateurs sollicités : Nombre d'allocataires, Taux de couverture,\n"
            + "Part des familles nombreuses, Part des allocataires sous le seuil de bas revenus\n"
            + "Territoires : Rouen ; Métropole Rouen Normandie\n"
            + "Année de référence 2024\n"
            + "Diffusion interne\n"
            + "Délais souhaités Avant le 30 juin 2026\n"
            + "Date 2026-03-12\n");

    /** Bullets, a closing formula and a mail signature after the form. */
    static final String BULLET_LAYOUT = """
            Bonjour,

            Veuillez trouver ci-dessous notre demande de données.

            Organisme demandeur : Ville de Rouen
            Référent : DUPONT Marie
             - Service : Direction de la cohésion sociale
             - Tél : 02 35 52 68 10
             - E-mail : marie.dupont@ville-rouen.example
            Service demandeur : Observatoire social
            Responsable : Jean MARTIN
            Étude envisagée :
            Diagnostic social des quartiers prioritaires de Rouen en vue du renouvellement du contrat de ville 2026-2030.
            Indicateurs sollicités :
            • Nombre d'allocataires ;
            • Taux de couverture ;
            • Part des familles nombreuses ;
            • Part des allocataires sous le seuil
              de bas revenus.
            Territoire(s) :
            1. Rouen
            2. Métropole Rouen Normandie
            Année de référence : 2024
            Diffusion : interne
            Délais souhaités : Avant le 30 juin 2026
            Date : 12/03/2026

            Cordialement,
            Marie DUPONT
            --\u0020
            Marie DUPONT | Ville de Rouen
            Tél : 02 99 99 99 99
            """;

    static final String JSON = """
            {
              "requestingOrganisation": "Ville de Rouen",
              "referent": {"lastName": "DUPONT", "firstName": "Marie", "service": "Direction de la cohésion sociale",
                           "phone": "02 35 52 68 10", "email": "marie.dupont@ville-rouen.example"},
              "requestingService": {"title": "Observatoire social", "manager": "Jean MARTIN"},
              "study": "Diagnostic social des quartiers prioritaires de Rouen en vue du renouvellement du contrat de ville 2026-2030.",
              "indicatorsRequested": ["Nombre d'allocataires", "Taux de couverture", "Part des familles nombreuses",
                                      "Part des allocataires sous le seuil de bas revenus"],
              "territories": ["Rouen", "Métropole Rouen Normandie"],
              "referenceYear": 2024,
              "diffusion": "Interne",
              "desiredDeadline": "Avant le 30 juin 2026",
              "date": "2026-03-12"
            }
            """;

    static final String XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feuillet1>
              <requestingOrganisation>Ville de Rouen</requestingOrganisation>
              <referent>
                <lastName>DUPONT</lastName><firstName>Marie</firstName>
                <service>Direction de la cohésion sociale</service>
                <phone>02 35 52 68 10</phone><email>marie.dupont@ville-rouen.example</email>
              </referent>
              <requestingService><title>Observatoire social</title><manager>Jean MARTIN</manager></requestingService>
              <study>Diagnostic social des quartiers prioritaires de Rouen en vue du renouvellement du contrat de ville 2026-2030.</study>
              <indicatorsRequested>
                <indicator>Nombre d'allocataires</indicator><indicator>Taux de couverture</indicator>
                <indicator>Part des familles nombreuses</indicator>
                <indicator>Part des allocataires sous le seuil de bas revenus</indicator>
              </indicatorsRequested>
              <territories><territory>Rouen</territory><territory>Métropole Rouen Normandie</territory></territories>
              <referenceYear>2024</referenceYear>
              <diffusion>interne</diffusion>
              <desiredDeadline>Avant le 30 juin 2026</desiredDeadline>
              <date>2026-03-12</date>
            </feuillet1>
            """;

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- documents

    /** A PDF whose page text is the annex layout (no form fields). */
    static byte[] textPdf(String text) throws IOException {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(font, 8);
                cs.setLeading(10);
                cs.newLineAtOffset(40, 800);
                for (String line : text.split("\n")) {
                    cs.showText(line);
                    cs.newLine();
                }
                cs.endText();
            }
            doc.save(out);
            return out.toByteArray();
        }
    }

    /** A filled AcroForm, field names in several of the accepted spellings (flat, hierarchical, labels). */
    static byte[] acroFormPdf() throws IOException {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            PDAcroForm form = new PDAcroForm(doc);
            doc.getDocumentCatalog().setAcroForm(form);
            PDResources resources = new PDResources();
            resources.put(COSName.getPDFName("Helv"), new PDType1Font(Standard14Fonts.FontName.HELVETICA));
            form.setDefaultResources(resources);
            form.setDefaultAppearance("/Helv 0 Tf 0 g");
            float[] y = {800};
            PDNonTerminalField referent = new PDNonTerminalField(form);
            referent.setPartialName("referent");
            List<PDField> kids = List.of(
                    text(form, page, y, "nom", "DUPONT", false),
                    text(form, page, y, "prenom", "Marie", false),
                    text(form, page, y, "service", "Direction de la cohésion sociale", false),
                    text(form, page, y, "tel", "02 35 52 68 10", false),
                    text(form, page, y, "email", "marie.dupont@ville-rouen.example", false));
            referent.setChildren(kids);
            form.getFields().add(text(form, page, y, "organismeDemandeur", "Ville de Rouen", false));
            form.getFields().add(referent);
            form.getFields().add(text(form, page, y, "Intitulé", "Observatoire social", false));
            form.getFields().add(text(form, page, y, "Responsable", "Jean MARTIN", false));
            form.getFields().add(text(form, page, y, "Étude envisagée", STUDY, true));
            form.getFields().add(text(form, page, y, "indicateurs_sollicites", String.join("\n", INDICATORS), true));
            form.getFields().add(text(form, page, y, "Territoire(s)", "Rouen\nMétropole Rouen Normandie", true));
            form.getFields().add(text(form, page, y, "Année de référence", "2024", false));
            form.getFields().add(text(form, page, y, "Diffusion", "Interne", false));
            form.getFields().add(text(form, page, y, "Délais souhaités", "Avant le 30 juin 2026", false));
            form.getFields().add(text(form, page, y, "Date", "12/03/2026", false));
            doc.save(out);
            return out.toByteArray();
        }
    }

    private static PDTextField text(PDAcroForm form, PDPage page, float[] y, String name, String value,
                                    boolean multiline) throws IOException {
        PDTextField f = new PDTextField(form);
        f.setPartialName(name);
        f.setMultiline(multiline);
        f.setDefaultAppearance("/Helv 8 Tf 0 g");
        PDAnnotationWidget w = f.getWidgets().get(0);
        float h = multiline ? 60 : 14;
        y[0] -= h + 4;
        w.setRectangle(new PDRectangle(40, y[0], 500, h));
        w.setPage(page);
        page.getAnnotations().add(w);
        f.setValue(value);
        return f;
    }

    /** A DOCX, one paragraph per line. */
    static byte[] docx(String text) throws IOException {
        try (XWPFDocument doc = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            for (String line : text.split("\n", -1)) {
                doc.createParagraph().createRun().setText(line);
            }
            doc.write(out);
            return out.toByteArray();
        }
    }

    /** A minimal ODT (mimetype stored first, manifest, content.xml), one text:p per line. */
    static byte[] odt(String text) throws IOException {
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            body.append("<text:p>").append(line.replace("&", "&amp;").replace("<", "&lt;")).append("</text:p>\n");
        }
        String content = """
                <?xml version="1.0" encoding="UTF-8"?>
                <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
                    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
                <office:body><office:text>
                """ + body + "</office:text></office:body></office:document-content>\n";
        String manifest = """
                <?xml version="1.0" encoding="UTF-8"?>
                <manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
                 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
                 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
                </manifest:manifest>
                """;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            byte[] mimetype = utf8("application/vnd.oasis.opendocument.text");
            ZipEntry m = new ZipEntry("mimetype");
            m.setMethod(ZipEntry.STORED);
            m.setSize(mimetype.length);
            CRC32 crc = new CRC32();
            crc.update(mimetype);
            m.setCrc(crc.getValue());
            zip.putNextEntry(m);
            zip.write(mimetype);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("META-INF/manifest.xml"));
            zip.write(utf8(manifest));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("content.xml"));
            zip.write(utf8(content));
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- mail

    static Session session() {
        return Session.getInstance(new Properties());
    }

    static MimeMessage message(String subject) throws MessagingException {
        MimeMessage m = new MimeMessage(session());
        try {
            m.setFrom(new InternetAddress("marie.dupont@ville-rouen.example", "Marie Dupont — Ville de Rouen", "UTF-8"));
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        m.setRecipients(Message.RecipientType.TO, "fed@caf-rouen.example");
        m.setSubject(subject, "UTF-8");
        return m;
    }

    static byte[] bytes(MimeMessage m) throws MessagingException, IOException {
        m.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    static MimeBodyPart textPart(String text, String charset, String encoding) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setText(text, charset);
        p.setHeader("Content-Transfer-Encoding", encoding);
        return p;
    }

    static MimeBodyPart attachment(byte[] content, String type, String name, String encoding) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setDataHandler(new jakarta.activation.DataHandler(
                new jakarta.mail.util.ByteArrayDataSource(content, type)));
        p.setFileName(name);
        p.setDisposition(MimeBodyPart.ATTACHMENT);
        p.setHeader("Content-Transfer-Encoding", encoding);
        return p;
    }

    static MimeMultipart mixed(MimeBodyPart... parts) throws MessagingException {
        MimeMultipart mp = new MimeMultipart("mixed");
        for (MimeBodyPart p : parts) {
            mp.addBodyPart(p);
        }
        return mp;
    }

    // ---------------------------------------------------------------- assertions

    /** A partner-facing reason: present, French, not the English log message. */
    static void assertFrenchReason(FedReadException e) {
        assertThat(e.reasonFr()).isNotBlank();
        assertThat(e.reasonFr()).isNotEqualTo(e.getMessage());
        assertThat(e.reasonFr().toLowerCase())
                .containsPattern("\\b(le|la|les|du|de|des|est|n'est|pas|une?|ne|trop|aucun)\\b")
                .doesNotContainPattern("\\b(the|is|not|of|file)\\b");
    }
}
