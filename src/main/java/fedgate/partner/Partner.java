package fedgate.partner;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A partner city bound to the CAF by a convention, as configured in {@code partners/<id>.json}.
 * The constructor validates every field, so a {@code Partner} that exists is usable.
 *
 * @param id                    stable identifier; becomes queue names ({@code fed.events.<id>}), directory names
 *                              and the SFTP / broker account name, hence {@link #ID_PATTERN}
 * @param name                  as named in the convention, e.g. "Ville de Rouen"
 * @param convention            dates of the convention (Art. 6, 8)
 * @param referent              the single designated referent (Art. 5.1)
 * @param sftpPublicKey         the partner's SFTP key, one OpenSSH public-key line
 * @param pgpFingerprint        fingerprint of the partner's OpenPGP primary key: 40 upper-case hex digits
 * @param allowedChannels       channels the partner may submit requests through
 * @param requireSignedRequests whether a request must carry a verified OpenPGP signature of that key
 * @param territories           the partner's own territories (commune, agglomeration): default and reference
 */
public record Partner(String id, String name, Convention convention, Referent referent, String sftpPublicKey,
                      String pgpFingerprint, Set<Channel> allowedChannels, boolean requireSignedRequests,
                      List<Territory> territories) {

    /** Lower-case letters, digits and hyphens, 2 to 41 characters, no leading hyphen: safe in paths and queue names. */
    public static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{1,40}");
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-F]{40}");
    private static final Pattern EMAIL = Pattern.compile("[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+");
    private static final Set<String> SSH_KEY_TYPES = Set.of("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com");

    /**
     * Art. 5.1: "un référent, interlocuteur principal du Bureau d'Études". One person, one address: the
     * only mail sender accepted for this partner.
     */
    public record Referent(String name, String email, String phone, String service) {
        public Referent {
            name = requireText("referent.name", name);
            String normalised = normaliseEmail(email);
            if (normalised == null) {
                throw new PartnerConfigException("referent.email", "'" + email + "' is not a plain mail address");
            }
            email = normalised;
            phone = blankToNull(phone);
            service = blankToNull(service);
        }
    }

    /** Kind of a territory code: INSEE commune (5 characters), EPCI SIREN (9 digits), IRIS (9 characters). */
    public enum TerritoryKind { COMMUNE, EPCI, IRIS }

    /**
     * One of the partner's own territories (Annexe 1: "à l'échelle de la Commune de ROUEN et de l'Agglomération").
     *
     * @param aliases further ways a referent names it, e.g. "Agglomération de Rouen"
     */
    public record Territory(String code, TerritoryKind kind, String name, List<String> aliases) {
        private static final Pattern COMMUNE = Pattern.compile("[0-9][0-9AB][0-9]{3}");
        private static final Pattern NINE = Pattern.compile("[0-9]{9}");
        private static final Pattern IRIS = Pattern.compile("[0-9][0-9AB][0-9]{7}");

        public Territory {
            code = requireText("territories.code", code).toUpperCase(Locale.ROOT);
            if (kind == null) {
                throw new PartnerConfigException("territories.kind", "is required (COMMUNE, EPCI or IRIS) for " + code);
            }
            Pattern expected = switch (kind) {
                case COMMUNE -> COMMUNE;
                case EPCI -> NINE;
                case IRIS -> IRIS;
            };
            if (!expected.matcher(code).matches()) {
                throw new PartnerConfigException("territories.code", "'" + code + "' is not a valid " + kind + " code");
            }
            name = requireText("territories.name", name);
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }

        public Territory(String code, TerritoryKind kind, String name) {
            this(code, kind, name, List.of());
        }
    }

    public Partner {
        if (id == null || !ID_PATTERN.matcher(id).matches()) {
            throw new PartnerConfigException("id", "'" + printable(id) + "' must match " + ID_PATTERN.pattern()
                    + " (it becomes queue, directory and account names)");
        }
        name = requireText("name", name);
        if (convention == null) {
            throw new PartnerConfigException("convention", "is required");
        }
        if (referent == null) {
            throw new PartnerConfigException("referent", "is required (Art. 5.1)");
        }
        sftpPublicKey = checkSshPublicKey(sftpPublicKey);
        pgpFingerprint = normaliseFingerprint(pgpFingerprint);
        if (pgpFingerprint == null) {
            throw new PartnerConfigException("pgpFingerprint",
                    "must be 40 hexadecimal characters (an OpenPGP v4 fingerprint; spaces allowed)");
        }
        if (allowedChannels == null || allowedChannels.isEmpty()) {
            throw new PartnerConfigException("allowedChannels", "must list at least one of " + List.of(Channel.values()));
        }
        allowedChannels = Collections.unmodifiableSet(EnumSet.copyOf(allowedChannels));
        if (territories == null || territories.isEmpty()) {
            throw new PartnerConfigException("territories", "must list at least the partner's commune");
        }
        territories = List.copyOf(territories);
        Set<String> seen = new LinkedHashSet<>();
        for (Territory t : territories) {
            if (!seen.add(t.code())) {
                throw new PartnerConfigException("territories", "code " + t.code() + " listed twice");
            }
        }
    }

    /** Codes of the partner's own territories, in configuration order: the default of a request. */
    public List<String> territoryCodes() {
        return territories.stream().map(Territory::code).toList();
    }

    /** Whether {@code address} (a bare address, any case) is this partner's designated referent. */
    public boolean isReferent(String address) {
        String normalised = normaliseEmail(address);
        return normalised != null && normalised.equals(referent.email());
    }

    /** Whether {@code fingerprint} (any case, spaces allowed) is this partner's OpenPGP key. */
    public boolean isPgpKey(String fingerprint) {
        String normalised = normaliseFingerprint(fingerprint);
        return normalised != null && normalised.equals(pgpFingerprint);
    }

    /**
     * A bare mail address in canonical form (trimmed, lower case), or null when the text is anything else:
     * a display name, several addresses, quotes, comments, control characters. Lookups compare canonical
     * forms for equality, never substrings, so "referent@ville-rouen.example.evil.com" or
     * "\"referent@ville-rouen.example\" &lt;x@evil.com&gt;" never pass for the referent.
     */
    public static String normaliseEmail(String address) {
        if (address == null) {
            return null;
        }
        String s = address.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1); // "<a@b>" as some intake code may hand it over
        }
        s = s.toLowerCase(Locale.ROOT);
        return EMAIL.matcher(s).matches() ? s : null;
    }

    /** Upper-case 40-hex fingerprint without spaces, or null when the text is not one. */
    public static String normaliseFingerprint(String fingerprint) {
        if (fingerprint == null) {
            return null;
        }
        String s = fingerprint.replace(" ", "").toUpperCase(Locale.ROOT);
        if (s.startsWith("0X")) {
            s = s.substring(2);
        }
        return FINGERPRINT.matcher(s).matches() ? s : null;
    }

    /**
     * Checks an OpenSSH public-key line ({@code type base64 [comment]}): known type, valid base64, and the
     * type written inside the key blob equals the one in front of it. Returns the line trimmed.
     */
    static String checkSshPublicKey(String line) {
        if (line == null || line.isBlank()) {
            throw new PartnerConfigException("sftpPublicKey", "is required (one OpenSSH public-key line, or a path to a .pub file)");
        }
        String trimmed = line.strip();
        if (trimmed.contains("\n") || trimmed.contains("\r")) {
            throw new PartnerConfigException("sftpPublicKey", "must be a single OpenSSH public-key line");
        }
        String[] parts = trimmed.split("\\s+", 3);
        if (parts.length < 2 || !SSH_KEY_TYPES.contains(parts[0])) {
            throw new PartnerConfigException("sftpPublicKey", "is not an OpenSSH public key line ('ssh-ed25519 AAAA… comment'); key types accepted: " + SSH_KEY_TYPES);
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new PartnerConfigException("sftpPublicKey", "key data is not valid base64");
        }
        String inner = null;
        if (blob.length >= 4) {
            ByteBuffer b = ByteBuffer.wrap(blob);
            int len = b.getInt();
            if (len > 0 && len <= b.remaining()) {
                byte[] type = new byte[len];
                b.get(type);
                inner = new String(type, StandardCharsets.US_ASCII);
            }
        }
        if (!parts[0].equals(inner)) {
            throw new PartnerConfigException("sftpPublicKey", "key data does not hold a " + parts[0] + " key (truncated or pasted wrongly?)");
        }
        return trimmed;
    }

    private static String requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new PartnerConfigException(field, "is required");
        }
        return value.strip();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(60).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
