package fedgate.ledger;

import fedgate.crypto.Sha256;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * One event of the audit ledger, as stored. {@code hash} is the SHA-256 (lowercase hex) of {@link #canonicalForm()};
 * {@code prevHash} is the hash of event {@code seq - 1} ({@link #GENESIS_HASH} for event 1).
 *
 * @param detailsJson the details as canonical JSON text ({@link CanonicalJson}), hashed byte for byte
 */
public record LedgerEvent(long seq, Instant at, String actor, String requestId, String type, String detailsJson,
                          String prevHash, String hash) {

    /** The {@code prev_hash} of event 1: 64 zeros. */
    public static final String GENESIS_HASH = "0".repeat(64);

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The details as a JSON tree. */
    public JsonNode details() {
        return CanonicalJson.parse(detailsJson);
    }

    /** The canonical form of this event (without its own hash), the input of {@link #hash()}. */
    public String canonicalForm() {
        return canonicalForm(seq, at, actor, requestId, type, detailsJson, prevHash);
    }

    /** {@code true} when the stored hash is the hash of the stored content. */
    public boolean hashMatches() {
        return computeHash(seq, at, actor, requestId, type, detailsJson, prevHash).equals(hash);
    }

    /**
     * The canonical form: a JSON object with sorted keys and no whitespace,
     * {@code {"actor":…,"at":"2026-11-28T17:45:12.345Z","details":{…},"prevHash":…,"requestId":…|null,"seq":N,"type":…}},
     * where {@code details} is the stored canonical text verbatim and {@code at} is UTC with exactly 3 decimals.
     */
    public static String canonicalForm(long seq, Instant at, String actor, String requestId, String type,
                                       String detailsJson, String prevHash) {
        return "{\"actor\":" + CanonicalJson.string(actor)
                + ",\"at\":\"" + formatTime(at) + "\""
                + ",\"details\":" + detailsJson
                + ",\"prevHash\":" + CanonicalJson.string(prevHash)
                + ",\"requestId\":" + (requestId == null ? "null" : CanonicalJson.string(requestId))
                + ",\"seq\":" + seq
                + ",\"type\":" + CanonicalJson.string(type) + "}";
    }

    public static String computeHash(long seq, Instant at, String actor, String requestId, String type,
                                     String detailsJson, String prevHash) {
        return sha256Hex(canonicalForm(seq, at, actor, requestId, type, detailsJson, prevHash));
    }

    /** UTC, millisecond precision, always 3 decimals: {@code 2026-11-28T17:45:12.345Z}. */
    public static String formatTime(Instant at) {
        return TIME.format(at.truncatedTo(ChronoUnit.MILLIS));
    }

    static String sha256Hex(String text) {
        return Sha256.hex(text);
    }
}
