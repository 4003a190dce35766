package fedgate.app;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;

/** SSH key pairs the gateway makes for itself (host key, SFTP service account): OpenSSH format, ed25519, 0600. */
public final class SshKeys {

    private static final Logger LOG = LoggerFactory.getLogger(SshKeys.class);

    private SshKeys() {
    }

    public static KeyPair loadOrGenerate(Path file, String comment) throws IOException, GeneralSecurityException {
        if (!Files.exists(file)) {
            KeyPair pair = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            Secrets.createPrivateDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(Files.createFile(file,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
            }
            try (OutputStream out = Files.newOutputStream(file.resolveSibling(file.getFileName() + ".pub"))) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(pair.getPublic(), comment, out);
            }
            LOG.info("generated SSH key {}", file);
        }
        Iterator<KeyPair> keys = new FileKeyPairProvider(file).loadKeys(null).iterator();
        if (!keys.hasNext()) {
            throw new IOException("no key pair in " + file);
        }
        return keys.next();
    }
}
