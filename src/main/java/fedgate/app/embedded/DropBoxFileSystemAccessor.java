package fedgate.app.embedded;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File access rules of the drop-box, on top of MINA's chroot ({@code VirtualFileSystemFactory}):
 * <ul>
 *   <li>Atomic uploads into {@code /inbox} (as SFTPGo does): the bytes go to a hidden {@code .<name>.uploading}
 *   in the same directory, renamed to {@code <name>} when the client closes the file. A session that ends
 *   without closing (connection lost) leaves nothing: the temporary file is deleted. The intake poller must
 *   skip dot-files (Camel's file and SFTP consumers do by default).</li>
 *   <li>A file already in {@code /inbox} cannot be rewritten in place (append or partial write): the intake
 *   may be reading it.</li>
 *   <li>No symbolic or hard links can be created: a link is the classic way out of a chroot.</li>
 *   <li>A partner writes only files directly in its {@code /inbox}: creating or writing a file anywhere else,
 *   making a directory (anywhere), renaming from or to elsewhere, removing or changing the attributes of anything
 *   outside {@code /inbox} is refused (permission denied). It reads and lists freely in its home ({@code /outbox}
 *   holds its deliveries and acknowledgements; downloads are recorded). The gateway's service account, whose home
 *   is the root of all partners' homes, is not restricted: it writes acknowledgements and deliveries to
 *   {@code <partner>/outbox} and removes what it took from {@code <partner>/inbox}.</li>
 * </ul>
 * It is also an {@link SftpEventListener}: MINA calls {@code exiting} for every handle still open when the
 * session ends, before closing it.
 */
final class DropBoxFileSystemAccessor implements SftpFileSystemAccessor, SftpEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(DropBoxFileSystemAccessor.class);
    static final String INBOX = "inbox";
    static final String OUTBOX = "outbox";
    static final String UPLOADING_SUFFIX = ".uploading";

    /** The gateway's own account (unrestricted), null when there is none. */
    private final String serviceAccount;
    /** Upload in progress → its temporary file. */
    private final Map<FileHandle, Path> uploads = new ConcurrentHashMap<>();
    /** Final path of an upload in progress → its temporary file (attribute calls name the final path). */
    private final Map<Path, Path> inProgress = new ConcurrentHashMap<>();
    /** Uploads whose session ended before the client closed them. */
    private final Set<FileHandle> abandoned = ConcurrentHashMap.newKeySet();

    DropBoxFileSystemAccessor(String serviceAccount) {
        this.serviceAccount = serviceAccount;
    }

    static boolean isUnder(Path file, String top) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.getNameCount() >= 2 && abs.getName(0).toString().equals(top);
    }

    static Path temporaryFor(Path file) {
        return file.resolveSibling("." + file.getFileName() + UPLOADING_SUFFIX);
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file,
                                        String handle, Set<? extends OpenOption> options,
                                        FileAttribute<?>... attrs) throws IOException {
        boolean writing = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        if (writing && isPartner(subsystem)) {
            requireInInbox(subsystem, file, "write");
        }
        if (!writing || !isUnder(file, INBOX)) {
            return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
        }
        String name = file.getFileName().toString();
        if (name.startsWith(".")) {
            throw new AccessDeniedException(file.toString(), null, "hidden names are reserved in /inbox");
        }
        if (name.endsWith(".part") || name.endsWith(".tmp")) {
            // the intake skips temporary names (external servers' uploads in progress): refuse them here rather
            // than accept a file that would never be read nor answered
            throw new AccessDeniedException(file.toString(), null, "temporary names are reserved in /inbox");
        }
        boolean replaces = options.contains(StandardOpenOption.TRUNCATE_EXISTING)
                || options.contains(StandardOpenOption.CREATE_NEW);
        if (Files.exists(file) && (!replaces || options.contains(StandardOpenOption.APPEND))) {
            throw new AccessDeniedException(file.toString(), null, "a received file cannot be modified in place");
        }
        if (options.contains(StandardOpenOption.CREATE_NEW) && Files.exists(file)) {
            throw new java.nio.file.FileAlreadyExistsException(file.toString());
        }
        Path temporary = temporaryFor(file);
        SeekableByteChannel channel = Files.newByteChannel(temporary, Set.of(StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING), attrs);
        uploads.put(fileHandle, temporary);
        inProgress.put(key(file), temporary);
        return channel;
    }

    @Override
    public void closeFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
                          Channel channel, Set<? extends OpenOption> options) throws IOException {
        IOException failure = null;
        try {
            SftpFileSystemAccessor.super.closeFile(subsystem, fileHandle, file, handle, channel, options);
        } catch (IOException e) {
            failure = e; // e.g. ClosedByInterruptException when the session is torn down
        }
        Path temporary = uploads.remove(fileHandle);
        if (temporary != null) {
            inProgress.remove(key(file), temporary);
            if (abandoned.remove(fileHandle) || failure != null) {
                // never publish an upload the client did not close cleanly
                Files.deleteIfExists(temporary);
                LOG.warn("SFTP upload of {} by {} abandoned (not closed by the client)", file,
                        subsystem.getServerSession().getUsername());
            } else {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    /** Where attributes of {@code file} really are: its temporary file while it is being uploaded. */
    private Path actual(Path file) {
        return inProgress.getOrDefault(key(file), file);
    }

    @Override
    public Map<String, ?> readFileAttributes(SftpSubsystemProxy subsystem, Path file, String view,
                                             LinkOption... options) throws IOException {
        return SftpFileSystemAccessor.super.readFileAttributes(subsystem, actual(file), view, options);
    }

    @Override
    public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute,
                                 Object value, LinkOption... options) throws IOException {
        requireInInboxIfPartner(subsystem, file, "setstat");
        SftpFileSystemAccessor.super.setFileAttribute(subsystem, actual(file), view, attribute, value, options);
    }

    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path file, Set<PosixFilePermission> perms,
                                   LinkOption... options) throws IOException {
        requireInInboxIfPartner(subsystem, file, "chmod");
        SftpFileSystemAccessor.super.setFilePermissions(subsystem, actual(file), perms, options);
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path file, java.security.Principal value,
                             LinkOption... options) throws IOException {
        requireInInboxIfPartner(subsystem, file, "chown");
        SftpFileSystemAccessor.super.setFileOwner(subsystem, actual(file), value, options);
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path file, java.security.Principal value,
                              LinkOption... options) throws IOException {
        requireInInboxIfPartner(subsystem, file, "chgrp");
        SftpFileSystemAccessor.super.setGroupOwner(subsystem, actual(file), value, options);
    }

    @Override
    public void setFileAccessControl(SftpSubsystemProxy subsystem, Path file,
                                     java.util.List<java.nio.file.attribute.AclEntry> acl, LinkOption... options)
            throws IOException {
        requireInInboxIfPartner(subsystem, file, "setacl");
        SftpFileSystemAccessor.super.setFileAccessControl(subsystem, actual(file), acl, options);
    }

    @Override
    public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
        if (isPartner(subsystem)) { // the intake reads files directly in /inbox: a directory anywhere is no use
            throw denied(subsystem, path, "mkdir");
        }
        SftpFileSystemAccessor.super.createDirectory(subsystem, path);
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath,
                           java.util.Collection<java.nio.file.CopyOption> opts) throws IOException {
        if (isPartner(subsystem)) {
            requireInInbox(subsystem, oldPath, "rename");
            requireInInbox(subsystem, newPath, "rename");
            String name = newPath.getFileName().toString();
            if (name.startsWith(".") || name.endsWith(".part") || name.endsWith(".tmp") || Files.exists(newPath)) {
                throw denied(subsystem, newPath, "rename");
            }
        }
        SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
    }

    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst,
                         java.util.Collection<java.nio.file.CopyOption> opts) throws IOException {
        if (isPartner(subsystem)) { // the copy-file extension would write without passing through openFile
            throw denied(subsystem, dst, "copy");
        }
        SftpFileSystemAccessor.super.copyFile(subsystem, src, dst, opts);
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        requireInInboxIfPartner(subsystem, path, isDirectory ? "rmdir" : "remove");
        SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
    }

    private boolean isPartner(SftpSubsystemProxy subsystem) {
        String user = subsystem.getServerSession().getUsername();
        return serviceAccount == null || !serviceAccount.equals(user);
    }

    private void requireInInboxIfPartner(SftpSubsystemProxy subsystem, Path file, String operation)
            throws AccessDeniedException {
        if (isPartner(subsystem)) {
            requireInInbox(subsystem, file, operation);
        }
    }

    /** A file directly in {@code /inbox} (not the directory itself, nothing deeper). */
    private static void requireInInbox(SftpSubsystemProxy subsystem, Path file, String operation)
            throws AccessDeniedException {
        Path abs = file.toAbsolutePath().normalize();
        if (abs.getNameCount() != 2 || !abs.getName(0).toString().equals(INBOX)) {
            throw denied(subsystem, file, operation);
        }
    }

    private static AccessDeniedException denied(SftpSubsystemProxy subsystem, Path file, String operation) {
        // the path is the partner's choice: no control character reaches the log
        LOG.warn("SFTP {} of {} by {} refused: a partner writes only files in /{}", operation,
                file.toString().replaceAll("\\p{Cntrl}", "?"), subsystem.getServerSession().getUsername(), INBOX);
        return new AccessDeniedException(file.toString(), null, "a partner may only write files in /" + INBOX);
    }

    @Override
    public void exiting(ServerSession session, Handle handle) {
        if (handle instanceof FileHandle fileHandle && uploads.containsKey(fileHandle)) {
            abandoned.add(fileHandle);
        }
    }

    @Override
    public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink)
            throws IOException {
        throw new AccessDeniedException(link.toString(), null, "links are not allowed");
    }
}
