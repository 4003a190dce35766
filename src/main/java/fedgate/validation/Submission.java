package fedgate.validation;

import fedgate.partner.Channel;

import java.util.Objects;

/**
 * What the intake channel knows about who sent a request — never taken from the document itself.
 *
 * @param channel                 how it arrived
 * @param principal               MAIL: the bare From address; SFTP: the account logged in; BROKER: the
 *                                validated broker user
 * @param authenticated           whether the channel proved that principal (SFTP public key, broker login,
 *                                mail from an authenticated/verified sender)
 * @param verifiedSignerFingerprint fingerprint of the OpenPGP key whose signature over the request was
 *                                verified, null when there was no valid signature
 */
public record Submission(Channel channel, String principal, boolean authenticated, String verifiedSignerFingerprint) {

    public Submission {
        Objects.requireNonNull(channel, "channel");
    }

    public static Submission mail(String from, boolean authenticated) {
        return new Submission(Channel.MAIL, from, authenticated, null);
    }

    public static Submission sftp(String account) {
        return new Submission(Channel.SFTP, account, true, null);
    }

    public static Submission broker(String user) {
        return new Submission(Channel.BROKER, user, true, null);
    }

    public Submission signedBy(String fingerprint) {
        return new Submission(channel, principal, authenticated, fingerprint);
    }

    public boolean signatureVerified() {
        return verifiedSignerFingerprint != null;
    }
}
