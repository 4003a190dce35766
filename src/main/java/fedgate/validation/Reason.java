package fedgate.validation;

import java.util.Objects;

/**
 * Why a request is rejected, or something the partner should know about it, in French for the partner.
 *
 * @param code  stable, for machines (status events, statistics, tests)
 * @param text  French sentence for the referent: what is wrong and what to do
 * @param field the Feuillet 1 field concerned ({@code study}, {@code referent.email} …), null if none
 */
public record Reason(Code code, String text, String field) {

    /** Stable reason codes. Only {@link #blocking()} ones reject a request; the others are information. */
    public enum Code {
        /** Art. 5.3: a mandatory field of feuillet 1 is empty. */
        MISSING_FIELD(true),
        /** Art. 5.1: the mail comes from the partner's domain but not from its designated referent. */
        NOT_REFERENT(true),
        /** Art. 5.1: the referent e-mail written in the form is not the designated referent's. */
        REFERENT_MISMATCH(true),
        /** The sender (mail address, SFTP account, broker user) belongs to no partner. */
        UNKNOWN_SENDER(true),
        /** The partner may not submit through this channel. */
        CHANNEL_NOT_ALLOWED(true),
        /** The channel did not authenticate the sender. */
        UNAUTHENTICATED(true),
        /** The partner requires an OpenPGP signature of its key, and there is none. */
        SIGNATURE_REQUIRED(true),
        /** Art. 6, 8: the convention does not apply on the day the request was received. */
        CONVENTION_NOT_IN_FORCE(true),
        /** Art. 5.3: a requested indicator maps to no catalogue indicator (or to several). */
        UNKNOWN_INDICATOR(true),
        /** A requested territory is not one the partner may ask about. */
        UNKNOWN_TERRITORY(true),
        /** Art. 1.1: "contrat temps libre" and "contrat enfance" are excluded from the convention. */
        OUT_OF_SCOPE(true),
        /** Information: an indicator with a typo was understood as the nearest catalogue one. */
        INDICATOR_INTERPRETED(false),
        /** Information, Art. 4: external diffusion needs the Bureau d'Études' prior approval. */
        EXTERNAL_DIFFUSION_NEEDS_APPROVAL(false);

        private final boolean blocking;

        Code(boolean blocking) {
            this.blocking = blocking;
        }

        public boolean blocking() {
            return blocking;
        }
    }

    public Reason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(text, "text");
    }

    /** Whether this reason alone rejects the request. */
    public boolean blocking() {
        return code.blocking();
    }
}
