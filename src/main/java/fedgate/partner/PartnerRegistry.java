package fedgate.partner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The partners the gateway knows, one JSON file per partner ({@code partners/<id>.json}), plus the sample
 * partner {@code ville-rouen} shipped on the classpath for the embedded default.
 * <p>
 * Loading is all-or-nothing: any bad file stops start-up with a message naming the file and the field.
 */
public final class PartnerRegistry {

    /** Partners shipped on the classpath under {@code fedgate/partners/<id>.json}. */
    public static final List<String> SAMPLE_PARTNERS = List.of("ville-rouen");
    static final String CLASSPATH_DIR = "/fedgate/partners/";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // a misspelt key is an error, not a silent default
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    // The file format, kept apart from the domain record so that absent fields get the convention's defaults.
    record ConventionJson(LocalDate signedOn, Integer termYears, Boolean tacitRenewal, LocalDate terminationNoticeOn) {
    }

    record ReferentJson(String name, String email, String phone, String service) {
    }

    record TerritoryJson(String code, Partner.TerritoryKind kind, String name, List<String> aliases) {
    }

    record PartnerJson(String id, String name, ConventionJson convention, ReferentJson referent, String sftpPublicKey,
                       String pgpFingerprint, Set<Channel> allowedChannels, Boolean requireSignedRequests,
                       List<TerritoryJson> territories) {
    }

    private final Map<String, Partner> byId;
    private final Map<String, Partner> byReferentEmail;

    private PartnerRegistry(Collection<Partner> partners) {
        Map<String, Partner> ids = new LinkedHashMap<>();
        Map<String, Partner> mails = new LinkedHashMap<>();
        for (Partner p : partners) {
            if (ids.put(p.id(), p) != null) {
                throw new PartnerConfigException("id", "partner '" + p.id() + "' defined twice");
            }
            Partner other = mails.put(p.referent().email(), p);
            if (other != null) {
                // Art. 5.1: the sender identifies the partner; one address cannot stand for two partners.
                throw new PartnerConfigException("referent.email", "'" + p.referent().email()
                        + "' is the referent of both '" + other.id() + "' and '" + p.id() + "'");
            }
        }
        this.byId = Map.copyOf(ids);
        this.byReferentEmail = Map.copyOf(mails);
    }

    public static PartnerRegistry of(Partner... partners) {
        return new PartnerRegistry(List.of(partners));
    }

    /** Production: the partners of {@code dir} only (the sample partner's keys are public, see certs-sample/README.md). */
    public static PartnerRegistry fromDirectory(Path dir) {
        return new PartnerRegistry(readDirectory(dir).values());
    }

    /**
     * Embedded default: the sample partners of the classpath, then the files of {@code dir} (may be null or
     * absent); a file in {@code dir} replaces the sample partner of the same id.
     */
    public static PartnerRegistry withSamples(Path dir) {
        Map<String, Partner> all = new LinkedHashMap<>();
        for (String id : SAMPLE_PARTNERS) {
            all.put(id, readClasspath(id));
        }
        if (dir != null && Files.isDirectory(dir)) {
            all.putAll(readDirectory(dir));
        }
        return new PartnerRegistry(all.values());
    }

    /** The sample partner shipped on the classpath, e.g. {@code ville-rouen}. */
    public static Partner readClasspath(String id) {
        if (!Partner.ID_PATTERN.matcher(id).matches()) {
            throw new PartnerConfigException("id", "'" + id + "' is not a partner id");
        }
        String resource = CLASSPATH_DIR + id + ".json";
        try (InputStream in = PartnerRegistry.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new PartnerConfigException("classpath:" + resource + ": partner file missing");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + resource, id,
                    Path.of(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one partner file; {@code partners/<id>.json} must define the partner {@code <id>}. */
    public static Partner readFile(Path file) {
        String fileName = file.getFileName().toString();
        if (!fileName.endsWith(".json")) {
            throw new PartnerConfigException(file + ": a partner file must be named <id>.json");
        }
        String expectedId = fileName.substring(0, fileName.length() - ".json".length());
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PartnerConfigException(file + ": cannot read partner file: " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(json, file.toString(), expectedId, base);
    }

    private static Map<String, Partner> readDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PartnerConfigException(dir + ": partner directory does not exist");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
            stream.forEach(p -> {
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)) {
                    files.add(p);
                }
            });
        } catch (IOException e) {
            throw new PartnerConfigException(dir + ": cannot list partner directory: " + e.getMessage(), e);
        }
        files.sort(null);
        Map<String, Partner> partners = new LinkedHashMap<>();
        for (Path f : files) {
            Partner p = readFile(f);
            partners.put(p.id(), p);
        }
        return partners;
    }

    static Partner parse(String json, String source, String expectedId, Path base) {
        PartnerJson raw;
        try {
            raw = MAPPER.readValue(json, PartnerJson.class);
        } catch (JsonMappingException e) {
            throw new PartnerConfigException(source + ": field '" + path(e) + "': " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new PartnerConfigException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (raw == null) {
            throw new PartnerConfigException(source + ": empty partner file");
        }
        try {
            Partner p = toPartner(raw, base);
            if (expectedId != null && !expectedId.equals(p.id())) {
                throw new PartnerConfigException("id", "'" + p.id() + "' does not match the file name (expected '"
                        + expectedId + "')");
            }
            return p;
        } catch (PartnerConfigException e) {
            throw new PartnerConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static Partner toPartner(PartnerJson raw, Path base) {
        ConventionJson c = raw.convention();
        if (c == null) {
            throw new PartnerConfigException("convention", "is required");
        }
        // Art. 8 defaults: one year, tacitly renewed.
        Convention convention = new Convention(c.signedOn(), c.termYears() == null ? 1 : c.termYears(),
                c.tacitRenewal() == null || c.tacitRenewal(), c.terminationNoticeOn());
        ReferentJson r = raw.referent();
        if (r == null) {
            throw new PartnerConfigException("referent", "is required (Art. 5.1)");
        }
        Partner.Referent referent = new Partner.Referent(r.name(), r.email(), r.phone(), r.service());
        List<Partner.Territory> territories = raw.territories() == null ? null : raw.territories().stream()
                .map(t -> new Partner.Territory(t.code(), t.kind(), t.name(), t.aliases()))
                .collect(Collectors.toList());
        return new Partner(raw.id(), raw.name(), convention, referent, sshKey(raw.sftpPublicKey(), base),
                raw.pgpFingerprint(), raw.allowedChannels(),
                raw.requireSignedRequests() != null && raw.requireSignedRequests(), territories);
    }

    /** The key line itself, or the first key line of the .pub file it names (relative to the partner file). */
    private static String sshKey(String value, Path base) {
        if (value == null || value.isBlank() || value.strip().matches("^(ssh-|ecdsa-|sk-)\\S*\\s.*")) {
            return value;
        }
        Path file = base.resolve(value.strip());
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .findFirst()
                    .orElseThrow(() -> new PartnerConfigException("sftpPublicKey", file + " holds no key line"));
        } catch (IOException e) {
            throw new PartnerConfigException("sftpPublicKey", "cannot read public key file " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "(root)" : b.toString();
    }

    public Optional<Partner> find(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id));
    }

    /**
     * The partner whose designated referent (Art. 5.1) has this address: exact match of the canonical form
     * (case-insensitive), never a substring; anything but a bare address finds nothing.
     */
    public Optional<Partner> findByReferentEmail(String address) {
        String normalised = Partner.normaliseEmail(address);
        return Optional.ofNullable(normalised == null ? null : byReferentEmail.get(normalised));
    }

    /** All partners, by id. */
    public List<Partner> all() {
        return byId.values().stream().sorted(java.util.Comparator.comparing(Partner::id)).toList();
    }
}
