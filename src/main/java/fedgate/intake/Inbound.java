package fedgate.intake;

import fedgate.partner.Channel;

import java.time.Instant;

/**
 * One input as a channel delivered it, before anything is trusted.
 *
 * @param sourceRef     the Message-ID for mail, the file name for SFTP, the JMS message id for the broker
 * @param principal     who the channel authenticated: SFTP account, broker user; for mail, empty (the From
 *                      header is read from the message itself)
 * @param authenticated whether the channel authenticated that principal
 * @param fileName      the name the sender gave the document (metadata only, never a path)
 */
public record Inbound(Channel channel, String sourceRef, String principal, boolean authenticated, String fileName,
                      String contentType, byte[] raw, Instant receivedAt) {
}
