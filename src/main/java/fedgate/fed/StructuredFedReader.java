package fedgate.fed;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import fedgate.fed.FedReadException.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * JSON and XML forms of Feuillet 1. XML is mapped onto the JSON tree (element name = JSON name), so both are
 * checked by the one schema, {@code fedgate/schema/feuillet1.schema.json}, and mapped by the one method.
 */
final class StructuredFedReader {

    static final String SCHEMA_RESOURCE = "/fedgate/schema/feuillet1.schema.json";
    private static final Set<String> LIST_FIELDS = Set.of("indicatorsRequested", "indicators", "indicateurs", "territories");
    private static final JsonSchema SCHEMA = loadSchema();

    private final ObjectMapper mapper;
    private final FedDocumentReader.Limits limits;

    StructuredFedReader(FedDocumentReader.Limits limits) {
        this.limits = limits;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, limits.maxTextChars()))
                        .maxNumberLength(20)
                        .build())
                .build();
        this.mapper = new ObjectMapper(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = StructuredFedReader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + SCHEMA_RESOURCE);
            }
            JsonNode node = new ObjectMapper().readTree(in);
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- JSON

    Feuillet1 readJson(byte[] content) throws FedReadException {
        JsonNode root;
        try {
            root = mapper.readTree(content);
        } catch (JsonProcessingException e) {
            // Jackson's own location is enough for the log; the partner gets the line number
            String where = e.getLocation() == null ? "" : " (ligne " + e.getLocation().getLineNr() + ")";
            throw new FedReadException(Code.MALFORMED_JSON,
                    "Le document JSON est mal formé" + where + " et ne peut pas être lu.",
                    "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new FedReadException(Code.UNREADABLE, "Le document JSON ne peut pas être lu.", e.toString(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FedReadException(Code.SCHEMA,
                    "Le document JSON doit être un objet décrivant le feuillet n° 1 (« { … } »).",
                    "JSON root is not an object");
        }
        return fromTree((ObjectNode) root);
    }

    Feuillet1 fromTree(ObjectNode root) throws FedReadException {
        Set<ValidationMessage> errors = SCHEMA.validate(root);
        if (!errors.isEmpty()) {
            List<ValidationMessage> sorted = errors.stream()
                    .sorted(Comparator.comparing((ValidationMessage m) -> fieldOf(m)).thenComparing(ValidationMessage::getType))
                    .toList();
            String reasons = sorted.stream().map(StructuredFedReader::reasonFr).distinct().limit(5)
                    .map(r -> Character.toUpperCase(r.charAt(0)) + r.substring(1))
                    .collect(Collectors.joining(" "));
            String log = sorted.stream().map(ValidationMessage::getMessage).collect(Collectors.joining("; "));
            throw new FedReadException(Code.SCHEMA, "Le formulaire FED n'est pas conforme. " + reasons,
                    "schema violations: " + log);
        }
        FedDraft d = new FedDraft();
        d.requestingOrganisation = text(root, "requestingOrganisation");
        JsonNode ref = root.get("referent");
        if (ref != null && ref.isObject()) {
            d.lastName = text(ref, "lastName");
            d.firstName = text(ref, "firstName");
            d.referentService = text(ref, "service");
            d.phone = text(ref, "phone");
            d.email = text(ref, "email");
        }
        JsonNode svc = root.get("requestingService");
        if (svc != null && svc.isObject()) {
            d.serviceTitle = text(svc, "title");
            d.serviceManager = text(svc, "manager");
        }
        d.study = text(root, "study");
        // canonical name first; the aliases only when it is absent (a posted-back canonical form has both)
        for (String name : List.of("indicatorsRequested", "indicateurs", "indicators")) {
            if (present(root, name)) {
                d.indicatorsRequested.addAll(list(root.get(name)));
                break;
            }
        }
        d.territories.addAll(list(root.get("territories")));
        JsonNode year = root.get("referenceYear");
        d.referenceYear = year == null || year.isNull() ? null : year.intValue();
        String diffusion = text(root, "diffusion");
        d.diffusion = diffusion == null ? null : Feuillet1.Diffusion.valueOf(diffusion.strip().toUpperCase(Locale.ROOT));
        d.desiredDeadline = text(root, "desiredDeadline");
        String date = text(root, "date");
        if (date != null) {
            try {
                d.date = LocalDate.parse(date);
            } catch (DateTimeException e) {
                throw new FedReadException(Code.SCHEMA,
                        "Le formulaire FED n'est pas conforme : le champ « date » n'est pas une date valide (" + date + ").",
                        "invalid date " + date);
            }
        }
        // partnerId and signature are never taken from the document: the channel establishes them
        return d.toFeuillet1();
    }

    private static boolean present(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v != null && !v.isNull();
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> list(JsonNode v) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (v.isTextual()) {
            return FedDraft.splitList(v.asText());
        }
        return java.util.stream.StreamSupport.stream(v.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static String fieldOf(ValidationMessage m) {
        String path = m.getInstanceLocation() == null ? "$" : m.getInstanceLocation().toString();
        // JSON Pointer ("/referent/email") or JSONPath ("$.referent.email"): shown as "referent.email"
        path = path.replaceFirst("^\\$\\.?", "").replaceFirst("^/", "").replace('/', '.');
        if ("additionalProperties".equals(m.getType()) && m.getProperty() != null) {
            path = path.isEmpty() ? m.getProperty() : path + "." + m.getProperty();
        }
        return path.isEmpty() ? "(racine)" : path;
    }

    /** One schema violation in French, naming the field. */
    static String reasonFr(ValidationMessage m) {
        String field = "« " + fieldOf(m) + " »";
        String type = m.getType() == null ? "" : m.getType();
        return switch (type) {
            case "additionalProperties" -> "le champ " + field + " n'est pas prévu par le formulaire FED.";
            case "type" -> "le champ " + field + " doit être " + expected(m.getSchemaNode()) + ".";
            case "pattern", "format" -> fieldOf(m).equals("date")
                    ? "le champ « date » doit être une date au format AAAA-MM-JJ."
                    : fieldOf(m).equals("diffusion")
                    ? "le champ « diffusion » doit valoir « interne » ou « externe »."
                    : "le champ " + field + " n'a pas la forme attendue.";
            case "maxLength", "maxItems" -> "le champ " + field + " est trop long.";
            case "minimum", "maximum" -> "le champ " + field + " n'est pas une année plausible.";
            case "anyOf", "oneOf" -> "le champ " + field + " doit être un texte ou une liste de textes.";
            default -> "le champ " + field + " est invalide.";
        };
    }

    private static String expected(JsonNode typeNode) {
        if (typeNode == null) {
            return "d'un autre type";
        }
        List<String> types = typeNode.isArray()
                ? java.util.stream.StreamSupport.stream(typeNode.spliterator(), false).map(JsonNode::asText).toList()
                : List.of(typeNode.asText());
        return types.stream().filter(t -> !t.equals("null")).map(t -> switch (t) {
            case "string" -> "un texte";
            case "integer" -> "un nombre entier";
            case "array" -> "une liste";
            case "object" -> "un objet (rubrique)";
            default -> t;
        }).collect(Collectors.joining(" ou "));
    }

    // ---------------------------------------------------------------- XML

    Feuillet1 readXml(byte[] content) throws FedReadException {
        Document doc = parseXmlSecurely(content);
        Element root = doc.getDocumentElement();
        String rootName = localName(root);
        if (!rootName.equalsIgnoreCase("feuillet1") && !rootName.equalsIgnoreCase("fed")) {
            throw new FedReadException(Code.SCHEMA,
                    "Le document XML doit avoir pour élément racine <feuillet1> ou <fed> (trouvé : <" + rootName + ">).",
                    "unexpected XML root " + rootName);
        }
        return fromTree(toObject(root, 0));
    }

    /**
     * DOM parser with every external resource and DTD feature off. DOCTYPE is refused outright, which
     * closes XXE and entity expansion ("billion laughs") before any entity is declared.
     */
    private Document parseXmlSecurely(byte[] content) throws FedReadException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            try {
                f.setAttribute("http://www.oracle.com/xml/jaxp/properties/maxElementDepth",
                        String.valueOf(limits.maxNestingDepth()));
            } catch (IllegalArgumentException notJdkParser) {
                // another JAXP implementation: DOCTYPE is refused anyway, depth is bounded in toObject
            }
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity refused: " + systemId);
            });
            b.setErrorHandler(new ErrorHandler() { // default handler prints to stderr
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b.parse(new ByteArrayInputStream(content));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("secure XML parser unavailable", e);
        } catch (SAXException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("DOCTYPE")) {
                throw new FedReadException(Code.MALFORMED_XML,
                        "Le document XML contient une déclaration DOCTYPE, refusée pour des raisons de sécurité "
                                + "(entités externes). Merci d'envoyer le formulaire sans DOCTYPE.",
                        "XML DOCTYPE refused: " + msg, e);
            }
            String where = e instanceof SAXParseException p ? " (ligne " + p.getLineNumber() + ")" : "";
            throw new FedReadException(Code.MALFORMED_XML,
                    "Le document XML est mal formé" + where + " et ne peut pas être lu.", "malformed XML: " + msg, e);
        } catch (IOException e) {
            throw new FedReadException(Code.UNREADABLE, "Le document XML ne peut pas être lu.", e.toString(), e);
        }
    }

    private ObjectNode toObject(Element e, int depth) throws FedReadException {
        if (depth > 4) { // the form is two levels deep; anything deeper is not a FED
            throw new FedReadException(Code.SCHEMA, "Le document XML est imbriqué trop profondément pour un formulaire FED.",
                    "XML nesting deeper than expected at <" + localName(e) + ">");
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element child)) {
                continue;
            }
            String name = localName(child);
            if (o.has(name)) {
                throw new FedReadException(Code.SCHEMA,
                        "Le formulaire FED n'est pas conforme : le champ « " + name + " » apparaît plusieurs fois.",
                        "duplicate XML element " + name);
            }
            boolean hasElements = firstElement(child) != null;
            if (LIST_FIELDS.contains(name) && hasElements) {
                ArrayNode a = o.putArray(name);
                for (Node item = child.getFirstChild(); item != null; item = item.getNextSibling()) {
                    if (item instanceof Element ie) {
                        if (firstElement(ie) != null) {
                            a.add(toObject(ie, depth + 2)); // schema rejects it: items are texts
                        } else {
                            a.add(ie.getTextContent());
                        }
                    }
                }
            } else if (hasElements) {
                o.set(name, toObject(child, depth + 1));
            } else {
                String text = child.getTextContent();
                if (text.isBlank()) {
                    o.putNull(name);
                } else if (name.equals("referenceYear") && text.strip().matches("\\d{1,9}")) {
                    o.put(name, Integer.parseInt(text.strip()));
                } else {
                    o.put(name, text);
                }
            }
        }
        return o;
    }

    private static Element firstElement(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                return c;
            }
        }
        return null;
    }

    private static String localName(Element e) {
        return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    }
}
