package fedgate.ledger;

import fedgate.crypto.Sha256;
import fedgate.fed.Feuillet1;
import fedgate.partner.Partner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The usage terms of delivered data (convention Art. 2, 3, 4) as a versioned French text.
 *
 * <p>Each version is a resource {@code fedgate/terms/usage-terms-v<version>.txt} that never changes once
 * published: a new wording is a new version, so the SHA-256 recorded in a manifest or the ledger always
 * designates one exact text. Line endings are normalised to LF before hashing (a checkout with CRLF hashes
 * the same).
 *
 * <p>{@link #forDelivery} binds the terms to one delivery: recipient, study purpose, interne/externe diffusion
 * and the date by which the copy of the study is due (Art. 3) — the record written into the delivery manifest
 * and the ledger, and the obligation tracked until the study arrives.
 */
public final class UsageTerms {

    /** The version applied to new deliveries. */
    public static final String CURRENT_VERSION = "1";

    private static final Pattern VERSION = Pattern.compile("[0-9]{1,4}");
    private static final Map<String, UsageTerms> CACHE = new ConcurrentHashMap<>();
    private static final DateTimeFormatter FR_DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");
    static final int MAX_PURPOSE = 2000;

    private final String version;
    private final String text;
    private final String sha256;

    private UsageTerms(String version, String text) {
        this.version = version;
        this.text = text;
        this.sha256 = sha256(text);
    }

    /** The terms applied to new deliveries. */
    public static UsageTerms current() {
        return version(CURRENT_VERSION).orElseThrow(() -> new IllegalStateException("missing usage terms v" + CURRENT_VERSION));
    }

    /** A published version, or empty when this build does not know it. */
    public static Optional<UsageTerms> version(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            return Optional.empty();
        }
        UsageTerms cached = CACHE.get(version);
        if (cached != null) {
            return Optional.of(cached);
        }
        String resource = "/fedgate/terms/usage-terms-v" + version + ".txt";
        try (InputStream in = UsageTerms.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            String text = normalise(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return Optional.of(CACHE.computeIfAbsent(version, v -> new UsageTerms(v, text)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    public String version() {
        return version;
    }

    /** The full French text (LF line endings). */
    public String text() {
        return text;
    }

    /** Lower-case hex SHA-256 of {@link #text()} in UTF-8. */
    public String sha256() {
        return sha256;
    }

    /**
     * These terms applied to one delivery.
     *
     * @param recipient    the partner receiving the data
     * @param purpose      the study the data are for ("Étude envisagée" of feuillet 1, or the Bureau's note for an
     *                     ad-hoc send); at most 2000 characters, control characters removed
     * @param diffusion    interne / externe as declared (Art. 4: externe needs the Bureau's prior approval)
     * @param studyDueDate the date the copy of the study is due to the CAF (Art. 3)
     */
    public Applied forDelivery(Partner recipient, String purpose, Feuillet1.Diffusion diffusion, LocalDate studyDueDate) {
        Objects.requireNonNull(recipient, "recipient");
        return new Applied(version, sha256, text, recipient.id(), recipient.name(), purpose, diffusion, studyDueDate, null);
    }

    /**
     * Usage terms as bound to one delivery; what the manifest's {@code usageTerms} object and the ledger hold.
     *
     * @param sourceMention "Source : CAF de Rouen — <date des données>" (Art. 4); null until the packager fills it
     *                      from the extract's disclosure report (or the delivery date for ad-hoc files)
     */
    public record Applied(String version, String sha256, String text, String recipientId, String recipientName,
                          String purpose, Feuillet1.Diffusion diffusion, LocalDate studyDueDate, String sourceMention) {

        public Applied {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(text, "text");
            if (recipientId == null || !Partner.ID_PATTERN.matcher(recipientId).matches()) {
                throw new IllegalArgumentException("recipientId is not a partner id");
            }
            recipientName = clean(Objects.requireNonNull(recipientName, "recipientName"), 200);
            purpose = clean(purpose, MAX_PURPOSE);
            if (purpose == null || purpose.isEmpty()) {
                throw new IllegalArgumentException("the study purpose is required (Art. 5.3)");
            }
            Objects.requireNonNull(diffusion, "diffusion");
            Objects.requireNonNull(studyDueDate, "studyDueDate (Art. 3: copy of the study due)");
            sourceMention = sourceMention == null ? null : clean(sourceMention, 200);
        }

        /** The same terms with the source mention set. */
        public Applied withSourceMention(String mention) {
            return new Applied(version, sha256, text, recipientId, recipientName, purpose, diffusion, studyDueDate, mention);
        }

        /** The default source mention for data dated {@code date}. */
        public static String sourceMentionFor(LocalDate date) {
            return "Source : CAF de Rouen — " + FR_DATE.format(date);
        }

        /** Whether {@link #text()} hashes to {@link #sha256()}. */
        public boolean textMatchesHash() {
            return UsageTerms.sha256(text).equals(sha256);
        }

        /** Short French summary for a receipt or a mail. */
        public String frenchSummary() {
            return "Conditions d'usage version " + version + " (SHA-256 " + sha256 + ")\n"
                    + "Bénéficiaire : " + recipientName + " (" + recipientId + ")\n"
                    + "Étude : " + purpose + "\n"
                    + "Diffusion : " + (diffusion == Feuillet1.Diffusion.EXTERNE
                            ? "externe — accord préalable du Bureau d'Études de la CAF de Rouen nécessaire (article 4)"
                            : "interne") + "\n"
                    + "Exemplaire de l'étude dû à la CAF au plus tard le " + FR_DATE.format(studyDueDate) + " (article 3)\n"
                    + (sourceMention == null ? "" : "Mention obligatoire : « " + sourceMention + " » (article 4)\n");
        }
    }

    static String normalise(String s) {
        String t = s.replace("\r\n", "\n").replace('\r', '\n');
        if (!t.isEmpty() && t.charAt(0) == '\uFEFF') {
            t = t.substring(1);
        }
        return t;
    }

    static String sha256(String text) {
        return Sha256.hex(text);
    }

    /** Strips, drops control characters (newlines become spaces) and bounds the length. */
    private static String clean(String s, int max) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        s.strip().codePoints().forEach(c -> {
            if (c == '\n' || c == '\r' || c == '\t') {
                b.append(' ');
            } else if (!Character.isISOControl(c) && c != 0x2028 && c != 0x2029 && c != 0x202E) {
                b.appendCodePoint(c);
            }
        });
        String r = b.toString().strip();
        return r.length() > max ? r.substring(0, max) : r;
    }
}
