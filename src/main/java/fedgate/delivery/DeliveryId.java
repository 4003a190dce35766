package fedgate.delivery;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Identifier of one delivery: {@code DLV-<request id>-v<version>} (e.g. {@code DLV-FED-2026-000123-v1}) or, for
 * the Bureau's ad-hoc sends, {@code DLV-<ad-hoc reference>-v<version>} (e.g. {@code DLV-ADHOC-20261128-3f9a1c2e-v1}).
 *
 * <p>Deterministic: the same request and version always give the same id, so a retry (crash, DLQ replay) finds the
 * delivery already packaged instead of making a second one; new content for the same request is a new version.
 * An ad-hoc send has no request: the caller draws its reference once ({@link #newAdHocReference}) and keeps it
 * with the send, so its retries reuse it.
 */
public record DeliveryId(String requestId, String adHocReference, int version) {

    public static final Pattern REQUEST_ID = Pattern.compile("FED-[0-9]{4}-[0-9]{6}");
    public static final Pattern AD_HOC_REFERENCE = Pattern.compile("ADHOC-[0-9]{8}-[0-9a-f]{8}");
    private static final Pattern VALUE = Pattern.compile("DLV-(FED-[0-9]{4}-[0-9]{6}|ADHOC-[0-9]{8}-[0-9a-f]{8})-v([1-9][0-9]{0,5})");
    private static final int MAX_VERSION = 999_999;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    public DeliveryId {
        if ((requestId == null) == (adHocReference == null)) {
            throw new IllegalArgumentException("exactly one of requestId and adHocReference");
        }
        if (requestId != null && !REQUEST_ID.matcher(requestId).matches()) {
            throw new IllegalArgumentException("request id must be FED-<year>-<6 digits>");
        }
        if (adHocReference != null && !AD_HOC_REFERENCE.matcher(adHocReference).matches()) {
            throw new IllegalArgumentException("ad-hoc reference must be ADHOC-<yyyyMMdd>-<8 hex digits>");
        }
        if (version < 1 || version > MAX_VERSION) {
            throw new IllegalArgumentException("version must be 1.." + MAX_VERSION);
        }
    }

    /** The delivery of {@code version} (1, 2, …) of the answer to request {@code requestId}. */
    public static DeliveryId forRequest(String requestId, int version) throws DeliveryException {
        try {
            return new DeliveryId(requestId, null, version);
        } catch (IllegalArgumentException e) {
            throw new DeliveryException(DeliveryException.Code.INVALID_ID, "Identifiant de demande ou version invalide ("
                    + DeliveryFileName.printable(requestId) + ", version " + version + ")");
        }
    }

    /** An ad-hoc send (no request), by the reference its caller keeps. */
    public static DeliveryId adHoc(String reference, int version) throws DeliveryException {
        try {
            return new DeliveryId(null, reference, version);
        } catch (IllegalArgumentException e) {
            throw new DeliveryException(DeliveryException.Code.INVALID_ID, "Référence d'envoi ponctuel ou version invalide ("
                    + DeliveryFileName.printable(reference) + ", version " + version + ")");
        }
    }

    /** A fresh ad-hoc reference {@code ADHOC-<yyyyMMdd>-<8 random hex>}; draw it once per send and keep it. */
    public static String newAdHocReference(Instant now) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return "ADHOC-" + DAY.format(now) + "-" + HexFormat.of().formatHex(b);
    }

    /** Parses {@link #value()}. */
    public static DeliveryId parse(String value) throws DeliveryException {
        Matcher m = value == null ? null : VALUE.matcher(value);
        if (m == null || !m.matches()) {
            throw new DeliveryException(DeliveryException.Code.INVALID_ID,
                    "Identifiant de livraison invalide : " + DeliveryFileName.printable(value));
        }
        int version = Integer.parseInt(m.group(2));
        return m.group(1).startsWith("FED-") ? new DeliveryId(m.group(1), null, version) : new DeliveryId(null, m.group(1), version);
    }

    public boolean adHoc() {
        return adHocReference != null;
    }

    /** {@code DLV-FED-2026-000123-v1}: safe as a file, directory or message id. */
    public String value() {
        return "DLV-" + (requestId != null ? requestId : adHocReference) + "-v" + version;
    }

    /** The next version of the same request or send. */
    public DeliveryId next() {
        return new DeliveryId(requestId, adHocReference, version + 1);
    }

    @Override
    public String toString() {
        return value();
    }
}
