package fedgate.app;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;

/** The gateway's own SSH key pair (its SFTP service account): OpenSSH format, ed25519, mode 0600. */
final class SshKeys {

    private SshKeys() {
    }

    static KeyPair loadOrGenerate(Path file) throws IOException, GeneralSecurityException {
        if (!Files.exists(file)) {
            KeyPair pair = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            Secrets.createPrivateDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(Files.createFile(file,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "fedgate-gateway", null, out);
            }
            try (OutputStream out = Files.newOutputStream(file.resolveSibling(file.getFileName() + ".pub"))) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(pair.getPublic(), "fedgate-gateway", out);
            }
        }
        Iterator<KeyPair> keys = new FileKeyPairProvider(file).loadKeys(null).iterator();
        if (!keys.hasNext()) {
            throw new IOException("no key pair in " + file);
        }
        return keys.next();
    }
}
