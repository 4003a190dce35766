package fedgate.delivery;

import java.util.Locale;

/** How a delivery travels; recorded in the signed manifest, chosen by the caller before packaging. */
public enum DeliveryChannel {
    /** The partner's SFTP drop-box, {@code /outbox}. */
    SFTP,
    /** Attached to a mail to the partner's referent. */
    EMAIL,
    /** Handed over outside the gateway (e.g. a file written for the Bureau d'Études to pass on). */
    MANUAL;

    /** Lower-case name, as written in the manifest. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeliveryChannel fromCode(String code) {
        for (DeliveryChannel c : values()) {
            if (c.code().equals(code)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown delivery channel");
    }
}
