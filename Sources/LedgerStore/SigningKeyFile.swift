import Foundation
import Glibc
import LedgerMerkle

/// The checkpoint signing key: a C2SP note private key string in a file of
/// mode 0600, created on first open (O_EXCL, fsync'd with its directory).
enum SigningKeyFile {
    static func loadOrCreate(path: String, name: String) throws(StoreError) -> NoteSigner {
        if access(path, F_OK) == 0 {
            return try load(path: path, name: name)
        }
        let signer: NoteSigner
        do {
            signer = try NoteSigner.generate(name: name)
        } catch {
            throw StoreError(.signingKey, "cannot create a signing key named '\(name)': \(error)", cause: error)
        }
        try create(path: path, contents: signer.privateKeyString + "\n")
        return signer
    }

    /// The name of the key at `path` (the origin of the checkpoints it
    /// signed), or nil if there is no key file there or it cannot be read
    /// (opening the store then says what is wrong with it).
    static func existingName(path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let signer = try? NoteSigner(privateKeyString: text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return signer.name
    }

    static func load(path: String, name: String) throws(StoreError) -> NoteSigner {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw StoreError(.signingKey, "cannot stat signing key \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw StoreError(
                .signingKey,
                "signing key \(path) has mode 0\(mode); it must be readable by its owner only: chmod 600 \(path)")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StoreError(.signingKey, "cannot read signing key \(path): \(error)", cause: error)
        }
        let signer: NoteSigner
        do {
            signer = try NoteSigner(privateKeyString: text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw StoreError(.signingKey, "signing key \(path) is malformed: \(error)", cause: error)
        }
        guard signer.name == name else {
            throw StoreError(
                .signingKey,
                "signing key \(path) is named '\(signer.name)' but the origin is '\(name)'; "
                    + "use --origin \(signer.name), or leave origin out of the config (a ledger keeps its key's name)")
        }
        return signer
    }

    /// Writes the key to a temporary file, syncs it, and links it into place
    /// (which fails if a key appeared meanwhile): a crash leaves either no
    /// key or a whole one, never an empty file that would stop every start.
    private static func create(path: String, contents: String) throws(StoreError) {
        let temporary = path + ".new"
        unlink(temporary)  // what a crash while writing it left
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.signingKey, "cannot create signing key \(temporary): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = written == bytes.count && fsync(fd) == 0
        let writeErrno = errno
        close(fd)
        guard synced else {
            unlink(temporary)
            throw StoreError(.signingKey, "cannot write signing key \(temporary): \(String(cString: strerror(writeErrno)))")
        }
        var linked = link(temporary, path) == 0
        var linkErrno = errno
        if !linked, linkErrno == EPERM || linkErrno == EOPNOTSUPP || linkErrno == ENOSYS {
            // A file system without hard links: rename, after checking no key
            // is there (the data dir is locked: no other ledgerd can race this).
            if access(path, F_OK) != 0 {
                linked = rename(temporary, path) == 0
                linkErrno = errno
            } else {
                linkErrno = EEXIST
            }
        }
        unlink(temporary)
        guard linked else {
            throw StoreError(.signingKey, "cannot put the signing key in place at \(path): \(String(cString: strerror(linkErrno)))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}
