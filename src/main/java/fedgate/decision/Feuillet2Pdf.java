package fedgate.decision;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Feuillet 2 as a one- or two-page A4 PDF laid out like Annexe 2: the form's title, then each field of the annex
 * with its French label, the answer box ticked ("[X] favorable  [ ] défavorable"), and the signature block.
 * Standard Helvetica (WinAnsi): characters outside it are written as '?', never dropped silently.
 */
public final class Feuillet2Pdf {

    private static final float MARGIN = 56;
    private static final float WIDTH = PDRectangle.A4.getWidth() - 2 * MARGIN;
    private static final float BODY = 10.5f;
    private static final float LEADING = 14;

    private final PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    private final PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);

    public byte[] render(Feuillet2 f) {
        try (PDDocument doc = new PDDocument()) {
            PDDocumentInformation info = doc.getDocumentInformation();
            info.setTitle("FED — Feuillet n° 2 — " + f.requestId());
            info.setAuthor(f.provider());
            info.setSubject("Réponse " + f.answer() + " à la demande " + f.requestId());
            Writer w = new Writer(doc);
            w.centered("FORMULAIRE D'ÉCHANGE DE DONNÉES", bold, 14);
            w.centered("FEUILLET numéro 2", bold, 13);
            w.gap(6);
            w.line("Réponse à la demande " + f.requestId() + " — " + f.requestingOrganisation(), regular, BODY);
            w.rule();
            w.field("Organisme fournisseur : ", f.provider());
            w.gap(6);
            w.line("Le Référent", bold, BODY + 1);
            w.field("Nom, Prénom : ", f.referent().name());
            w.field("Tél : ", dash(f.referent().phone()));
            w.field("E-mail : ", dash(f.referent().email()));
            w.gap(6);
            w.field("Réponse de l'organisme fournisseur : ", (f.favorable() ? "[X] favorable    [ ] défavorable"
                    : "[ ] favorable    [X] défavorable"));
            w.gap(4);
            w.field("Motif : ", f.motif());
            w.gap(4);
            w.line("Indicateurs disponibles :", bold, BODY);
            if (f.indicators().isEmpty()) {
                w.paragraph("aucun", 14);
            }
            for (Feuillet2.Indicator i : f.indicators()) {
                w.paragraph("- " + i.label() + " (" + i.code() + ")", 14);
            }
            if (!f.indicators().isEmpty() && f.levels() != null && !f.levels().isBlank()) {
                w.paragraph("Niveaux géographiques : " + f.levels(), 14);
            }
            w.gap(4);
            w.field("Délais de livraison : ", f.deliveryDelayText());
            String ext = f.externalDiffusionText();
            if (ext != null) {
                w.gap(4);
                w.paragraph(ext, 0);
            }
            w.gap(14);
            w.field("Date : ", f.dateText());
            w.gap(4);
            w.line("Signature du Référent", bold, BODY);
            w.paragraph(f.signature(), 14);
            w.gap(18);
            w.rule();
            w.paragraph("Données transmises dans le seul cadre du droit d'usage (Art. 2) ; mention de la source "
                    + "obligatoire (Art. 4) ; exemplaire de l'étude dû au Bureau d'Études (Art. 3).", 0, 8.5f);
            w.close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out feuillet 2 of " + f.requestId(), e);
        }
    }

    private static String dash(String s) {
        return s == null || s.isBlank() ? "—" : s;
    }

    /** Text the font can encode: anything else becomes '?'. */
    static String encodable(PDType1Font font, String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            String ch = new String(Character.toChars(cp));
            if (cp == '\t') {
                b.append(' ');
                return;
            }
            try {
                font.encode(ch);
                b.append(ch);
            } catch (IOException | IllegalArgumentException e) {
                b.append('?');
            }
        });
        return b.toString();
    }

    /** A top-to-bottom writer that wraps lines and adds pages as needed. */
    private final class Writer {
        private final PDDocument doc;
        private PDPageContentStream cs;
        private float y;

        Writer(PDDocument doc) throws IOException {
            this.doc = doc;
            newPage();
        }

        private void newPage() throws IOException {
            if (cs != null) {
                cs.close();
            }
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            cs = new PDPageContentStream(doc, page);
            y = PDRectangle.A4.getHeight() - MARGIN;
        }

        private void ensure(float height) throws IOException {
            if (y - height < MARGIN) {
                newPage();
            }
        }

        void gap(float h) {
            y -= h;
        }

        void rule() throws IOException {
            ensure(8);
            cs.setLineWidth(0.6f);
            cs.moveTo(MARGIN, y - 2);
            cs.lineTo(MARGIN + WIDTH, y - 2);
            cs.stroke();
            y -= 10;
        }

        void centered(String text, PDType1Font font, float size) throws IOException {
            String t = encodable(font, text);
            float w = font.getStringWidth(t) / 1000 * size;
            ensure(size + 6);
            show(t, font, size, MARGIN + (WIDTH - w) / 2);
            y -= size + 6;
        }

        void line(String text, PDType1Font font, float size) throws IOException {
            ensure(LEADING);
            show(encodable(font, text), font, size, MARGIN);
            y -= LEADING;
        }

        /** A bold label followed by its value, the value wrapped under itself. */
        void field(String label, String value) throws IOException {
            String l = encodable(bold, label);
            float lw = bold.getStringWidth(l) / 1000 * BODY;
            List<String> lines = new ArrayList<>();
            for (String para : (value == null ? "" : value).split("\\R")) {
                lines.addAll(wrap(encodable(regular, para), regular, BODY, WIDTH - lw));
            }
            ensure(LEADING);
            show(l, bold, BODY, MARGIN);
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    ensure(LEADING);
                }
                show(lines.get(i), regular, BODY, MARGIN + lw);
                y -= LEADING;
            }
            if (lines.isEmpty()) {
                y -= LEADING;
            }
        }

        void paragraph(String text, float indent) throws IOException {
            paragraph(text, indent, BODY);
        }

        void paragraph(String text, float indent, float size) throws IOException {
            for (String para : (text == null ? "" : text).split("\\R")) {
                for (String l : wrap(encodable(regular, para), regular, size, WIDTH - indent)) {
                    ensure(LEADING);
                    show(l, regular, size, MARGIN + indent);
                    y -= size + 3.5f;
                }
            }
        }

        private void show(String text, PDType1Font font, float size, float x) throws IOException {
            cs.beginText();
            cs.setFont(font, size);
            cs.newLineAtOffset(x, y - size);
            cs.showText(text);
            cs.endText();
        }

        private List<String> wrap(String text, PDType1Font font, float size, float width) throws IOException {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (String word : text.split(" ")) {
                String candidate = cur.isEmpty() ? word : cur + " " + word;
                if (font.getStringWidth(candidate) / 1000 * size <= width || cur.isEmpty()) {
                    cur.setLength(0);
                    cur.append(candidate);
                    // a single word wider than the line is cut
                    while (font.getStringWidth(cur.toString()) / 1000 * size > width && cur.length() > 1) {
                        int cut = cur.length() - 1;
                        while (cut > 1 && font.getStringWidth(cur.substring(0, cut)) / 1000 * size > width) {
                            cut--;
                        }
                        out.add(cur.substring(0, cut));
                        cur.delete(0, cut);
                    }
                } else {
                    out.add(cur.toString());
                    cur.setLength(0);
                    cur.append(word);
                }
            }
            out.add(cur.toString());
            return out;
        }

        void close() throws IOException {
            cs.close();
        }
    }
}
