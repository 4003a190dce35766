package fedgate.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import fedgate.fed.Feuillet1;
import fedgate.ledger.UsageTerms;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The delivery receipt: a JSON manifest written next to the encrypted files and signed (detached, armored) by the
 * CAF. Schema: {@code fedgate/schema/delivery-manifest.schema.json}; format described in docs/delivery.md.
 *
 * <p>{@link #toJson()} writes the fields in a fixed order with LF line endings; {@link #parse(byte[])} validates
 * against the schema (unknown fields refused, bare file names only) and cross-checks the fields before building
 * the record. The signature covers the exact bytes, so reading never re-serialises.
 */
public record DeliveryManifest(String deliveryId, String requestId, int deliveryVersion, String partnerId,
                               Recipient recipient, DeliveryChannel channel, Instant createdAt, Encryption encryption,
                               String signerFingerprint, List<FileEntry> files, DisclosureSummary disclosure,
                               UsageTerms.Applied usageTerms) {

    public static final String TYPE = "fedgate.delivery-manifest";
    public static final int FORMAT_VERSION = 1;
    public static final String SCHEMA_RESOURCE = "/fedgate/schema/delivery-manifest.schema.json";
    /** A manifest is small (the usage terms are the largest part); anything bigger is refused unread. */
    public static final int MAX_BYTES = 1 << 20;

    private static final JsonSchema SCHEMA = loadSchema();
    private static final ObjectMapper WRITER = new ObjectMapper();
    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(20).maxStringLength(100_000)
                    .maxNumberLength(20).build())
            .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The partner's primary key (pinned) and the subkey the files are encrypted to. */
    public record Recipient(String fingerprint, String encryptionSubkeyFingerprint) {
    }

    /** How the files are protected (fixed by {@code fedgate.crypto}, except compression and armor). */
    public record Encryption(String compression, boolean armored) {
        public static final String FORMAT = "OpenPGP RFC 4880, v4 keys";
        public static final String CIPHER = "AES-256";
        public static final String INTEGRITY = "MDC (SEIPD v1)";
        public static final String SIGNATURE_HASH = "SHA-256";
    }

    /** One delivered file: {@code name} is the plain file, {@code encryptedName} ({@code name + ".pgp"}) what is sent. */
    public record FileEntry(String name, String plainSha256, long plainSize, String encryptedName, String encryptedSha256,
                            long encryptedSize) {
    }

    public DeliveryManifest {
        Objects.requireNonNull(deliveryId, "deliveryId");
        Objects.requireNonNull(partnerId, "partnerId");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(signerFingerprint, "signerFingerprint");
        Objects.requireNonNull(usageTerms, "usageTerms");
        files = List.copyOf(files);
        createdAt = createdAt.truncatedTo(ChronoUnit.SECONDS);
    }

    /** The file entry named {@code name}, or null. */
    public FileEntry file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }

    // ---------------------------------------------------------------- writing

    /** UTF-8 JSON, fields in schema order, two-space indent, LF line endings, final newline. */
    public byte[] toJson() {
        ObjectNode root = WRITER.createObjectNode();
        root.put("type", TYPE);
        root.put("version", FORMAT_VERSION);
        root.put("deliveryId", deliveryId);
        root.put("requestId", requestId);
        root.put("deliveryVersion", deliveryVersion);
        root.put("partnerId", partnerId);
        ObjectNode r = root.putObject("recipient");
        r.put("fingerprint", recipient.fingerprint());
        r.put("encryptionSubkeyFingerprint", recipient.encryptionSubkeyFingerprint());
        root.put("channel", channel.code());
        root.put("createdAt", createdAt.toString());
        ObjectNode e = root.putObject("encryption");
        e.put("format", Encryption.FORMAT);
        e.put("cipher", Encryption.CIPHER);
        e.put("integrity", Encryption.INTEGRITY);
        e.put("signatureHash", Encryption.SIGNATURE_HASH);
        e.put("compression", encryption.compression());
        e.put("armored", encryption.armored());
        root.put("signerFingerprint", signerFingerprint);
        ArrayNode fs = root.putArray("files");
        for (FileEntry f : files) {
            ObjectNode o = fs.addObject();
            o.put("name", f.name());
            o.put("plainSha256", f.plainSha256());
            o.put("plainSize", f.plainSize());
            o.put("encryptedName", f.encryptedName());
            o.put("encryptedSha256", f.encryptedSha256());
            o.put("encryptedSize", f.encryptedSize());
        }
        if (disclosure == null) {
            root.putNull("disclosure");
        } else {
            ObjectNode d = root.putObject("disclosure");
            d.put("policyVersion", disclosure.policyVersion());
            d.put("catalogueVersion", disclosure.catalogueVersion());
            d.put("decision", disclosure.decision());
            d.put("auditPassed", disclosure.auditPassed());
            d.put("source", disclosure.source());
            d.put("snapshotDate", disclosure.snapshotDate() == null ? null : disclosure.snapshotDate().toString());
            ObjectNode c = d.putObject("counts");
            disclosure.counts().forEach(c::put);
            d.put("suppressedCells", disclosure.suppressedCells());
        }
        UsageTerms.Applied t = usageTerms;
        ObjectNode u = root.putObject("usageTerms");
        u.put("version", t.version());
        u.put("sha256", t.sha256());
        u.put("recipientId", t.recipientId());
        u.put("recipientName", t.recipientName());
        u.put("purpose", t.purpose());
        u.put("diffusion", t.diffusion().name().toLowerCase(Locale.ROOT));
        u.put("studyDueDate", t.studyDueDate().toString());
        u.put("sourceMention", t.sourceMention());
        u.put("text", t.text());
        try {
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            byte[] body = WRITER.writer(printer).writeValueAsBytes(root);
            byte[] out = new byte[body.length + 1];
            System.arraycopy(body, 0, out, 0, body.length);
            out[body.length] = '\n';
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Parses and validates manifest bytes; every refusal is an {@link DeliveryException.Code#INVALID_MANIFEST}. */
    public static DeliveryManifest parse(byte[] json) throws DeliveryException {
        if (json.length > MAX_BYTES) {
            throw invalid("le fichier dépasse " + (MAX_BYTES >> 10) + " Kio");
        }
        JsonNode root;
        try {
            root = READER.readTree(json);
        } catch (IOException e) {
            throw invalid("JSON mal formé");
        }
        if (root == null || !root.isObject()) {
            throw invalid("la racine n'est pas un objet JSON");
        }
        Set<ValidationMessage> errors = SCHEMA.validate(root);
        if (!errors.isEmpty()) {
            String first = errors.stream().map(m -> m.getInstanceLocation() + " " + m.getType()).sorted().limit(3)
                    .reduce((a, b) -> a + " ; " + b).orElse("");
            throw invalid("non conforme au schéma (" + DeliveryFileName.printable(first) + ")");
        }
        try {
            String deliveryId = root.get("deliveryId").textValue();
            DeliveryId id = DeliveryId.parse(deliveryId);
            String requestId = root.get("requestId").isNull() ? null : root.get("requestId").textValue();
            int version = root.get("deliveryVersion").intValue();
            if (id.version() != version || !Objects.equals(id.requestId(), requestId)) {
                throw invalid("l'identifiant de livraison ne correspond pas à la demande et à la version");
            }
            String partnerId = root.get("partnerId").textValue();
            JsonNode r = root.get("recipient");
            JsonNode e = root.get("encryption");
            List<FileEntry> files = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (JsonNode f : root.get("files")) {
                String name = DeliveryFileName.check(f.get("name").textValue());
                String encryptedName = DeliveryFileName.check(f.get("encryptedName").textValue());
                if (!encryptedName.equals(DeliveryFileName.encryptedName(name))) {
                    throw invalid("le fichier chiffré de « " + name + " » doit s'appeler « " + DeliveryFileName.encryptedName(name) + " »");
                }
                if (!names.add(name)) {
                    throw invalid("le fichier « " + name + " » est listé deux fois");
                }
                files.add(new FileEntry(name, f.get("plainSha256").textValue(), f.get("plainSize").longValue(), encryptedName,
                        f.get("encryptedSha256").textValue(), f.get("encryptedSize").longValue()));
            }
            JsonNode u = root.get("usageTerms");
            UsageTerms.Applied terms = new UsageTerms.Applied(u.get("version").textValue(), u.get("sha256").textValue(),
                    u.get("text").textValue(), u.get("recipientId").textValue(), u.get("recipientName").textValue(),
                    u.get("purpose").textValue(), Feuillet1.Diffusion.valueOf(u.get("diffusion").textValue().toUpperCase(Locale.ROOT)),
                    LocalDate.parse(u.get("studyDueDate").textValue()), u.get("sourceMention").textValue());
            if (!terms.recipientId().equals(partnerId)) {
                throw invalid("les conditions d'usage désignent un autre bénéficiaire que le destinataire");
            }
            return new DeliveryManifest(deliveryId, requestId, version, partnerId,
                    new Recipient(r.get("fingerprint").textValue(), r.get("encryptionSubkeyFingerprint").textValue()),
                    DeliveryChannel.fromCode(root.get("channel").textValue()), Instant.parse(root.get("createdAt").textValue()),
                    new Encryption(e.get("compression").textValue(), e.get("armored").booleanValue()),
                    root.get("signerFingerprint").textValue(), files, disclosure(root.get("disclosure")), terms);
        } catch (DeliveryException ex) {
            if (ex.code() == DeliveryException.Code.INVALID_MANIFEST) {
                throw ex;
            }
            throw new DeliveryException(DeliveryException.Code.INVALID_MANIFEST, "Manifeste de livraison refusé : " + ex.reason(), ex);
        } catch (IllegalArgumentException | DateTimeParseException | NullPointerException ex) {
            throw invalid("champ invalide");
        }
    }

    private static DisclosureSummary disclosure(JsonNode d) {
        if (d == null || d.isNull()) {
            return null;
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = d.get("counts").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> c = it.next();
            counts.put(c.getKey(), c.getValue().longValue());
        }
        JsonNode snapshot = d.path("snapshotDate");
        return new DisclosureSummary(d.get("policyVersion").textValue(), d.path("catalogueVersion").textValue(),
                d.get("decision").textValue(), d.get("auditPassed").booleanValue(), d.path("source").textValue(),
                snapshot.isTextual() ? LocalDate.parse(snapshot.textValue()) : null, counts, d.get("suppressedCells").longValue());
    }

    private static DeliveryException invalid(String why) {
        return new DeliveryException(DeliveryException.Code.INVALID_MANIFEST, "Manifeste de livraison refusé : " + why);
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = DeliveryManifest.class.getResourceAsStream(SCHEMA_RESOURCE)) {
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
}
