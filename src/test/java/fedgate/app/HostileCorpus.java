package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A generated corpus of hostile inputs (issue 7). Every document carries a nonce so that no two are the same
 * bytes (the gateway would rightly call the second a duplicate), and every file name an attacker chooses
 * carries {@link #mark}, so a test can look for it anywhere on disk afterwards.
 */
final class HostileCorpus {

    static final ObjectMapper JSON = Gateway.json();

    /** Injection strings put in every header and field: SQL, shell, NUL, CRLF header injection, placeholders. */
    static final List<String> INJECTIONS = List.of(
            "'; DROP TABLE fed_request;--",
            "' OR '1'='1",
            "$(rm -rf /)",
            "`id`",
            "%00",
            "nul\u0000byte",
            "a\r\nBcc: victim@evil.example",
            "../../../../etc/passwd",
            "<script>alert(1)</script>",
            "${jndi:ldap://127.0.0.1:1/x}",
            "{{fedgate.mail.password}}",
            "${exchangeProperty.fedgateAckJson}${sys:user.home}");

    final String mark;
    private final byte[] sampleJson;
    private final Random random = new Random(7);
    private final AtomicInteger nonces = new AtomicInteger();
    final int canaryPort;

    HostileCorpus(byte[] sampleJson, int canaryPort) {
        this.sampleJson = sampleJson;
        this.canaryPort = canaryPort;
        this.mark = "pwn" + HexFormat.of().formatHex(new byte[]{(byte) random.nextInt(), (byte) System.nanoTime(),
                (byte) (System.nanoTime() >> 8)});
    }

    record Doc(String label, byte[] bytes) {
    }

    String nonce() {
        return "n" + nonces.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    // ------------------------------------------------------------------ JSON

    ObjectNode sample() {
        try {
            return (ObjectNode) JSON.readTree(sampleJson);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sample FED, valid, made unique. */
    byte[] validJson(String study) {
        ObjectNode fed = sample();
        fed.put("study", "Diagnostic social de territoire — " + study + " " + nonce());
        return bytes(fed);
    }

    /** The sample FED without its study (Art. 5.3): a request that must be rejected however it is read. */
    ObjectNode incompleteJson() {
        ObjectNode fed = sample();
        fed.remove("study");
        fed.put("desiredDeadline", "fin janvier 2027 " + nonce());
        return fed;
    }

    static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each injection string in each field; the indicator is the injection too, so none maps to the catalogue. */
    List<Doc> injectedJson() {
        List<Doc> docs = new ArrayList<>();
        List<Consumer<ObjectNode>> fields = new ArrayList<>();
        String[] names = {"requestingOrganisation", "referent.lastName", "referent.email", "requestingService.title",
                "study", "territories", "desiredDeadline", "date", "diffusion", "referenceYear", "partnerId"};
        for (String s : INJECTIONS) {
            for (String field : names) {
                ObjectNode fed = sample();
                fed.putArray("indicatorsRequested").add(s);
                switch (field) {
                    case "referent.lastName" -> ((ObjectNode) fed.get("referent")).put("lastName", s);
                    case "referent.email" -> ((ObjectNode) fed.get("referent")).put("email", s);
                    case "requestingService.title" -> ((ObjectNode) fed.get("requestingService")).put("title", s);
                    case "territories" -> fed.putArray("territories").add(s);
                    default -> fed.put(field, s);
                }
                fed.put("signature", nonce());
                docs.add(new Doc("injection " + field + " = " + printable(s), bytes(fed)));
            }
        }
        return docs;
    }

    /** Truncated, corrupted, mis-typed and over-deep JSON. */
    List<Doc> malformedJson() {
        List<Doc> docs = new ArrayList<>();
        byte[] full = bytes(incompleteJson());
        for (int pct : new int[]{1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99}) {
            byte[] cut = Arrays.copyOf(full, Math.max(1, full.length * pct / 100));
            docs.add(new Doc("JSON truncated at " + pct + " %", concat(cut, (" " + nonce()).getBytes())));
        }
        docs.add(new Doc("JSON null", ("null " + pad()).getBytes()));
        docs.add(new Doc("JSON array", ("[\"" + nonce() + "\"]").getBytes()));
        docs.add(new Doc("JSON number", ("12345" + nonces.incrementAndGet()).getBytes()));
        docs.add(new Doc("JSON string", ("\"" + nonce() + "\"").getBytes()));
        docs.add(new Doc("JSON duplicate keys", ("{\"study\":\"a\",\"study\":\"b\",\"x\":\"" + nonce() + "\"}").getBytes()));
        docs.add(new Doc("JSON unknown property", concatJson("{\"$where\":\"sleep(10000)\",\"n\":\"" + nonce() + "\"}")));
        docs.add(new Doc("JSON nested 100 000 deep", (("[".repeat(100_000)) + nonce()).getBytes()));
        docs.add(new Doc("JSON object nested 50 000 deep", ("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000)
                + pad()).getBytes()));
        docs.add(new Doc("JSON 5 MiB string", ("{\"study\":\"" + "A".repeat(5 << 20) + nonce() + "\"}").getBytes()));
        docs.add(new Doc("JSON number 1e1000000", ("{\"referenceYear\":1e1000000,\"n\":\"" + nonce() + "\"}").getBytes()));
        docs.add(new Doc("JSON with comments and NaN", ("/* x */{\"referenceYear\":NaN,\"n\":\"" + nonce() + "\"}").getBytes()));
        for (int i = 0; i < 8; i++) {
            byte[] junk = new byte[64 + random.nextInt(4096)];
            random.nextBytes(junk);
            junk[0] = '{';
            docs.add(new Doc("JSON-looking random bytes " + i, junk));
        }
        return docs;
    }

    private byte[] concatJson(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String pad() {
        return " ".repeat(1 + nonces.incrementAndGet() % 50) + nonces.get();
    }

    /** Wrong or mixed charsets (the FED is incomplete, so even a lenient decoding must reject it). */
    List<Doc> charsets() {
        List<Doc> docs = new ArrayList<>();
        String json = new String(bytes(incompleteJson()), StandardCharsets.UTF_8)
                .replace("Observatoire social", "Observatoire social — précarité, été, Noël");
        docs.add(new Doc("JSON in ISO-8859-1 (invalid UTF-8)", json.getBytes(StandardCharsets.ISO_8859_1)));
        docs.add(new Doc("JSON in windows-1252", json.replace("fin", "fin " + nonce()).getBytes(Charset.forName("windows-1252"))));
        docs.add(new Doc("JSON in UTF-16LE without BOM", json.replace("fin", "fin " + nonce()).getBytes(StandardCharsets.UTF_16LE)));
        docs.add(new Doc("JSON in UTF-16BE", json.replace("fin", "fin " + nonce()).getBytes(StandardCharsets.UTF_16BE)));
        docs.add(new Doc("JSON in UTF-32", json.replace("fin", "fin " + nonce()).getBytes(Charset.forName("UTF-32"))));
        String half = json.replace("fin", "fin " + nonce());
        docs.add(new Doc("JSON half UTF-8 half ISO-8859-1", concat(
                half.substring(0, half.length() / 2).getBytes(StandardCharsets.UTF_8),
                half.substring(half.length() / 2).getBytes(StandardCharsets.ISO_8859_1))));
        docs.add(new Doc("JSON with overlong UTF-8 slash (C0 AF)", concat(("{\"study\":\"..").getBytes(),
                new byte[]{(byte) 0xC0, (byte) 0xAF}, ("etc\",\"n\":\"" + nonce() + "\"}").getBytes())));
        docs.add(new Doc("JSON with lone surrogates", concat("{\"study\":\"".getBytes(),
                new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, ("\",\"n\":\"" + nonce() + "\"}").getBytes())));
        docs.add(new Doc("UTF-8 BOM then ISO-8859-1", concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                json.replace("fin", "fin " + nonce()).getBytes(StandardCharsets.ISO_8859_1))));
        docs.add(new Doc("UTF-16 BOM then UTF-8", concat(new byte[]{(byte) 0xFE, (byte) 0xFF},
                json.replace("fin", "fin " + nonce()).getBytes(StandardCharsets.UTF_8))));
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><feuillet1><requestingOrganisation>Ville de Rouen"
                + "</requestingOrganisation><desiredDeadline>" + nonce() + "</desiredDeadline></feuillet1>";
        docs.add(new Doc("XML declaring UTF-16, bytes UTF-8", xml.getBytes(StandardCharsets.UTF_8)));
        docs.add(new Doc("XML declaring an unknown charset", xml.replace("UTF-16", "x-evil-42").getBytes(StandardCharsets.UTF_8)));
        String text = "Organisme demandeur : Ville de Rouen — été\nE-mail : referent@ville-rouen.example\n"
                + "Indicateurs sollicités /\n- Nombre d'allocataires\nDélais : " + nonce() + "\n";
        docs.add(new Doc("text FED in UTF-16LE", text.getBytes(StandardCharsets.UTF_16LE)));
        docs.add(new Doc("text FED in IBM037 (EBCDIC)", text.replace("Délais", "Delais").getBytes(Charset.forName("IBM037"))));
        return docs;
    }

    // ------------------------------------------------------------------ XML

    /** External entities, entity expansion, XInclude, DTD fetches, processing instructions — all must be refused. */
    List<Doc> xml() {
        String canary = "http://127.0.0.1:" + canaryPort;
        List<String> xs = List.of(
                "<?xml version=\"1.0\"?><!DOCTYPE fed [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><feuillet1><study>&x;</study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><!DOCTYPE fed [<!ENTITY x SYSTEM \"" + canary + "/xxe\">]><feuillet1><study>&x;</study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><!DOCTYPE fed SYSTEM \"" + canary + "/dtd\"><feuillet1><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><!DOCTYPE fed [<!ENTITY % p SYSTEM \"" + canary + "/param\"> %p;]><feuillet1><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                        + "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
                        + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
                        + "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
                        + "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
                        + "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
                        + "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
                        + "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
                        + "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
                        + "<feuillet1><study>&lol9;</study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><!DOCTYPE q [<!ENTITY a \"" + "x".repeat(10_000) + "\">]><feuillet1><study>"
                        + "&a;".repeat(5_000) + "</study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><feuillet1 xmlns:xi=\"http://www.w3.org/2001/XInclude\"><study><xi:include "
                        + "href=\"file:///etc/passwd\" parse=\"text\"/></study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><feuillet1 xmlns:xi=\"http://www.w3.org/2001/XInclude\"><study><xi:include "
                        + "href=\"" + canary + "/xinclude\" parse=\"text\"/></study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><?xml-stylesheet type=\"text/xsl\" href=\"" + canary + "/xsl\"?><feuillet1><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><feuillet1 xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                        + "xsi:schemaLocation=\"urn:x " + canary + "/xsd\"><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><!DOCTYPE fed [<!ENTITY x SYSTEM \"jar:file:///etc/passwd!/\">]><feuillet1><study>&x;</study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><!DOCTYPE fed [<!ENTITY x SYSTEM \"netdoc:///etc/passwd\">]><feuillet1><study>&x;</study><n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><feuillet1><study>unclosed<n>%s</n></feuillet1>",
                "<?xml version=\"1.0\"?><feuillet1><study><![CDATA[" + "]]>" + "</study><n>%s</n>",
                "<?xml version=\"1.0\"?>" + "<a>".repeat(20_000) + "%s",
                "<?xml version=\"1.0\"?><feuillet1 " + "a=\"1\" ".repeat(1) + "b=\"2\" b=\"3\"><n>%s</n></feuillet1>",
                "<fed><requestingOrganisation>Ville de Rouen</requestingOrganisation><indicatorsRequested>'; DROP TABLE fed_request;--"
                        + "</indicatorsRequested><n>%s</n></fed>",
                "<?xml version=\"1.0\"?><!DOCTYPE fed [<!ELEMENT fed ANY>]><fed><n>%s</n></fed>");
        List<Doc> docs = new ArrayList<>();
        int i = 0;
        for (String x : xs) {
            docs.add(new Doc("XML attack " + (++i), x.replace("%s", nonce()).getBytes(StandardCharsets.UTF_8)));
        }
        return docs;
    }

    // ------------------------------------------------------------------ PDF

    /** A real PDF with the FED labels but no study (so even a recovered partial read is incomplete). */
    byte[] pdf(String nonce, boolean encrypted) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
                cs.newLineAtOffset(50, 700);
                for (String line : new String[]{"FORMULAIRE D'ECHANGE DE DONNEES", "Organisme demandeur : Ville de Rouen",
                        "Nom, Prenom : MARTIN Camille", "E-mail : referent@ville-rouen.example",
                        "Indicateurs sollicites /", "- Nombre d'allocataires", "Delais souhaites / " + nonce}) {
                    cs.showText(line);
                    cs.newLineAtOffset(0, -16);
                }
                cs.endText();
            }
            if (encrypted) {
                StandardProtectionPolicy p = new StandardProtectionPolicy("owner-" + nonce, "user-" + nonce,
                        new AccessPermission());
                p.setEncryptionKeyLength(128);
                doc.protect(p);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    List<Doc> pdfs() throws IOException {
        List<Doc> docs = new ArrayList<>();
        for (int pct : new int[]{3, 10, 25, 40, 55, 70, 85, 95, 98}) {
            byte[] full = pdf(nonce(), false);
            docs.add(new Doc("PDF truncated at " + pct + " %", Arrays.copyOf(full, full.length * pct / 100)));
        }
        docs.add(new Doc("PDF header only", ("%PDF-1.7\n%" + nonce() + "\n").getBytes()));
        docs.add(new Doc("PDF header then garbage", concat("%PDF-1.4\n".getBytes(), randomBytes(20_000))));
        byte[] corruptXref = pdf(nonce(), false);
        String s = new String(corruptXref, StandardCharsets.ISO_8859_1).replace("xref", "xrex").replace("startxref", "startxrex");
        docs.add(new Doc("PDF with a corrupted xref", s.getBytes(StandardCharsets.ISO_8859_1)));
        byte[] flipped = pdf(nonce(), false);
        for (int i = 0; i < 200; i++) {
            flipped[200 + random.nextInt(flipped.length - 400)] ^= (byte) (1 + random.nextInt(255));
        }
        docs.add(new Doc("PDF with 200 flipped bytes", flipped));
        docs.add(new Doc("PDF encrypted with an unknown user password", pdf(nonce(), true)));
        docs.add(new Doc("PDF missing the study (well-formed)", pdf(nonce(), false)));
        String loop = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n"
                + "trailer << /Root 1 0 R >>\n%%EOF\n%" + nonce();
        docs.add(new Doc("PDF with a page tree loop", loop.getBytes(StandardCharsets.ISO_8859_1)));
        String js = "%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.launchURL\\(\"http://127.0.0.1:"
                + canaryPort + "/pdfjs\"\\)) >> /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
                + "trailer << /Root 1 0 R >>\n%%EOF\n%" + nonce();
        docs.add(new Doc("PDF with JavaScript OpenAction", js.getBytes(StandardCharsets.ISO_8859_1)));
        String launch = js.replace("/S /JavaScript /JS (app.launchURL\\(\"http://127.0.0.1:" + canaryPort + "/pdfjs\"\\))",
                "/S /Launch /F (/bin/sh)");
        docs.add(new Doc("PDF with a Launch action", launch.getBytes(StandardCharsets.ISO_8859_1)));
        return docs;
    }

    // ------------------------------------------------------------------ archives

    List<Doc> archives() throws IOException {
        List<Doc> docs = new ArrayList<>();
        for (int mib : new int[]{64, 200}) {
            docs.add(new Doc("DOCX zip bomb, one " + mib + " MiB entry", zip(z -> {
                entry(z, "[Content_Types].xml", "<Types/>".getBytes());
                z.putNextEntry(new ZipEntry("word/document.xml"));
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < mib; i++) {
                    z.write(zeros);
                }
                z.closeEntry();
            })));
        }
        docs.add(new Doc("DOCX with 5 000 entries", zip(z -> {
            entry(z, "[Content_Types].xml", "<Types/>".getBytes());
            for (int i = 0; i < 5_000; i++) {
                entry(z, "word/e" + i + ".xml", new byte[]{'x'});
            }
        })));
        docs.add(new Doc("DOCX with a zip-slip entry name", zip(z -> {
            entry(z, "[Content_Types].xml", "<Types/>".getBytes());
            entry(z, "../../../../../tmp/" + mark + "-zipslip", "owned".getBytes());
            entry(z, "word/document.xml", "<w:document/>".getBytes());
        })));
        docs.add(new Doc("DOCX with an XXE document.xml", zip(z -> {
            entry(z, "[Content_Types].xml", ("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>").getBytes());
            entry(z, "_rels/.rels", ("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>").getBytes());
            entry(z, "word/document.xml", ("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"http://127.0.0.1:" + canaryPort
                    + "/docx\">]><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>").getBytes());
        })));
        docs.add(new Doc("zip nested in zip nested in zip", zip(z -> {
            byte[] inner = zip(i2 -> entry(i2, "a.docx", zip(i3 -> entry(i3, "word/document.xml", new byte[1 << 16]))));
            entry(z, "[Content_Types].xml", "<Types/>".getBytes());
            entry(z, "word/inner.zip", inner);
        })));
        byte[] lying = zip(z -> {
            entry(z, "[Content_Types].xml", "<Types/>".getBytes());
            entry(z, "word/document.xml", new byte[8 << 20]);
        });
        // the central directory claims 10 bytes uncompressed for the 8 MiB entry
        for (int i = lying.length - 22; i > 0; i--) {
            if (lying[i] == 0x50 && lying[i + 1] == 0x4b && lying[i + 2] == 1 && lying[i + 3] == 2
                    && new String(lying, i + 46, 17, StandardCharsets.US_ASCII).equals("word/document.xml")) {
                lying[i + 24] = 10;
                lying[i + 25] = 0;
                lying[i + 26] = 0;
                lying[i + 27] = 0;
                break;
            }
        }
        docs.add(new Doc("DOCX whose central directory lies about sizes", lying));
        docs.add(new Doc("zip truncated mid-entry", Arrays.copyOf(zip(z -> entry(z, "word/document.xml",
                randomBytes(10_000))), 3_000)));
        docs.add(new Doc("ODT-looking zip bomb", zip(z -> {
            entry(z, "mimetype", "application/vnd.oasis.opendocument.text".getBytes());
            z.putNextEntry(new ZipEntry("content.xml"));
            byte[] spaces = new byte[1 << 20];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 128; i++) {
                z.write(spaces);
            }
            z.closeEntry();
        })));
        return docs;
    }

    interface ZipBody {
        void write(ZipOutputStream z) throws IOException;
    }

    byte[] zip(ZipBody body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            entry(z, "docProps/" + nonce() + ".txt", new byte[]{'n'});
            body.write(z);
        }
        return out.toByteArray();
    }

    private static void entry(ZipOutputStream z, String name, byte[] content) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(content);
        z.closeEntry();
    }

    // ------------------------------------------------------------------ other types

    List<Doc> otherTypes() {
        List<Doc> docs = new ArrayList<>();
        docs.add(new Doc("empty file", new byte[0]));
        docs.add(new Doc("one NUL byte", new byte[]{0}));
        docs.add(new Doc("ELF executable header", concat(new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1}, randomBytes(4000))));
        docs.add(new Doc("shell script", ("#!/bin/sh\nrm -rf / --no-preserve-root # " + nonce() + "\n").getBytes()));
        docs.add(new Doc("Windows PE header", concat("MZ".getBytes(), randomBytes(4000))));
        docs.add(new Doc("gzip stream", concat(new byte[]{0x1f, (byte) 0x8b, 8, 0}, randomBytes(2000))));
        docs.add(new Doc("PNG image", concat(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, randomBytes(2000))));
        docs.add(new Doc("HTML with script and no FED", ("<html><body><script>fetch('http://127.0.0.1:" + canaryPort
                + "/html')</script><p>" + nonce() + "</p></body></html>").getBytes()));
        docs.add(new Doc("RTF document", ("{\\rtf1\\ansi " + nonce() + "}").getBytes()));
        docs.add(new Doc("Java serialized object", concat(new byte[]{(byte) 0xAC, (byte) 0xED, 0, 5}, randomBytes(500))));
        docs.add(new Doc("text with no FED label", ("Bonjour, " + nonce() + "\n").repeat(20).getBytes()));
        docs.add(new Doc("text with 5 MB of control characters", controlChars(5_000_000)));
        return docs;
    }

    private byte[] controlChars(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (1 + random.nextInt(31));
        }
        byte[] tag = nonce().getBytes();
        System.arraycopy(tag, 0, b, 0, tag.length);
        return b;
    }

    /** {@code mib} MiB of FED-looking text: read nothing, refuse it as too large. */
    byte[] large(int mib) {
        byte[] line = ("Organisme demandeur : Ville de Rouen " + "x".repeat(60) + "\n").getBytes();
        byte[] big = new byte[mib << 20];
        for (int off = 0; off < big.length; off += line.length) {
            System.arraycopy(line, 0, big, off, Math.min(line.length, big.length - off));
        }
        byte[] tag = nonce().getBytes();
        System.arraycopy(tag, 0, big, 0, tag.length);
        return big;
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
