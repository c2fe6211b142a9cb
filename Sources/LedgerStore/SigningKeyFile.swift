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
                    + "use --origin \(signer.name), or rotate the key (docs/OPERATIONS.md)")
        }
        return signer
    }

    private static func create(path: String, contents: String) throws(StoreError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.signingKey, "cannot create signing key \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(path)
            throw StoreError(.signingKey, "cannot write signing key \(path): \(String(cString: strerror(errno)))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}
