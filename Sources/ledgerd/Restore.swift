import Foundation
import LedgerEngine
import LedgerMerkle
import LedgerStore
import Logging

/// `ledgerd --restore SRC`: copy a backup made by `ledgerctl backup` into a
/// staging directory inside the data directory, verify the copy there, and
/// only then move it into place, before the daemon serves it.
///
/// The backup itself is only read: opening a store writes (its format
/// version, a first checkpoint when it is empty), so it is the staged copy
/// that is opened and verified. A copy that fails verification, or holds no
/// events (an empty or truncated `data.mdb` opens as a new, empty ledger), is
/// removed again: nothing unverified is ever left where the daemon would
/// serve it.
enum Restore {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The staging directory's name inside the data directory (same file
    /// system, so the final moves are renames).
    static let stagingDirectory = "restore-staging"

    static func run(from source: String, into dataDirectory: String, origin: String?, logger: Logger) throws {
        let fm = FileManager.default
        let lmdb = StoreLayout.environmentDirectory, keyFile = StoreLayout.signingKeyFile
        let target = dataDirectory + "/" + lmdb + "/data.mdb"
        if fm.fileExists(atPath: target) {
            throw Failure(description: "\(dataDirectory) already holds a ledger; move it aside first (it may be evidence)")
        }
        if fm.fileExists(atPath: dataDirectory + "/" + keyFile) {
            throw Failure(description: "\(dataDirectory) holds a signing key but no ledger; move the key aside first")
        }
        guard fm.fileExists(atPath: source + "/" + lmdb + "/data.mdb"), fm.fileExists(atPath: source + "/" + keyFile) else {
            throw Failure(description: "\(source) is not a backup made by `ledgerctl backup` (want \(lmdb)/data.mdb and \(keyFile))")
        }
        let keyText = try String(contentsOfFile: source + "/" + keyFile, encoding: .utf8)
        let signer = try NoteSigner(privateKeyString: keyText.trimmingCharacters(in: .whitespacesAndNewlines))

        let staging = dataDirectory + "/" + stagingDirectory
        try? fm.removeItem(atPath: staging)  // what a restore that stopped half-way left
        do {
            try fm.createDirectory(atPath: staging + "/" + lmdb, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
            chmod(dataDirectory, 0o700)
            logger.notice("restore: copying the backup in \(source)")
            try fm.copyItem(atPath: source + "/" + lmdb + "/data.mdb", toPath: staging + "/" + lmdb + "/data.mdb")
            try fm.copyItem(atPath: source + "/" + keyFile, toPath: staging + "/" + keyFile)
            chmod(staging + "/" + keyFile, 0o600)
            // On disk before they are renamed into place: else a power loss
            // could leave the renames without the data (an empty data.mdb
            // opens as a new ledger, and the key beside it would sign it).
            try sync(staging + "/" + lmdb + "/data.mdb", staging + "/" + keyFile, staging + "/" + lmdb, staging)
            logger.notice("restore: verifying the copy")
            let verified = try verify(directory: staging, origin: signer.name)
            guard verified.size > 0 else {
                throw Failure(description: """
                    \(source) holds no events: not the backup of a ledger (an empty or truncated data.mdb?)
                    """)
            }
            // Into place: the verified file, then the key; the staging directory goes.
            try fm.createDirectory(atPath: dataDirectory + "/" + lmdb, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
            try move(staging + "/" + lmdb + "/data.mdb", to: target)
            try move(staging + "/" + keyFile, to: dataDirectory + "/" + keyFile)
            // The verified ledger is in place now: a directory that cannot be
            // synced is worth a warning, not a failed restore (a re-run would
            // refuse the data dir that now holds it).
            do {
                try sync(dataDirectory + "/" + lmdb, dataDirectory)
            } catch {
                logger.warning("restore: \(error); the restored ledger is in place")
            }
            try? fm.removeItem(atPath: staging)
            if let origin, signer.name != origin {
                logger.warning("restore: the backup's key is named '\(signer.name)', not '\(origin)' (given by --origin or the config); start without one, or with origin \(signer.name)")
            }
            logger.notice("""
                restore: \(source) verified and put in place in \(dataDirectory): \(verified.size) events, \
                root \(verified.root), key \(verified.verifierKey)
                """)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    /// fsync(2) of each file or directory, or an error naming the first that fails.
    private static func sync(_ paths: String...) throws {
        for path in paths {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw Failure(description: "cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw Failure(description: "cannot sync \(path): \(String(cString: strerror(errno)))") }
        }
    }

    private static func move(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else {
            throw Failure(description: "cannot move \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    /// Verifies the ledger in `directory` whole (leaves, tree, every checkpoint).
    private static func verify(directory: String, origin: String) throws -> (size: UInt64, root: String, verifierKey: String) {
        var options = StoreOptions(origin: origin)
        options.indexNames = LedgerEngine.storeIndexNames
        let store = try EventStore(dataDirectory: directory, options: options)
        defer { store.close() }
        let verifierKey = store.verifierKey
        let result = try store.read { try $0.verifyLog(verifier: try NoteVerifier(verifierKey: verifierKey)) }
        guard result.ok else {
            throw Failure(description: "the backup does not verify: \(result.failure!.description)")
        }
        return (result.size, result.rootHash.hex, verifierKey)
    }
}
