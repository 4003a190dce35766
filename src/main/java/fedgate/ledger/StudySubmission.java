package fedgate.ledger;

import fedgate.partner.Channel;

import java.time.Instant;

/**
 * A document that names a request and looks like the copy of the study (Art. 3), as the channel delivered it,
 * before anything is trusted.
 *
 * @param sender        MAIL: the bare From address (checked against the registry's referent); SFTP: the account
 * @param sftpPartner   SFTP: the partner whose authenticated account dropped the file; null for mail
 * @param namedRequest  the request id the file name, subject or body names ({@code FED-YYYY-NNNNNN})
 * @param documentName  the study's file name (metadata only, never a path); null when no usable attachment
 * @param document      the study's bytes; null when the attachment could not be read
 * @param raw           everything received (the whole mail, or the file): stored as is
 * @param sourceRef     Message-ID or file name
 */
public record StudySubmission(Channel channel, String sender, String sftpPartner, String namedRequest,
                              String documentName, byte[] document, byte[] raw, String sourceRef, Instant receivedAt) {
}
