import Foundation
import LedgerEngine
import LedgerMerkle
import LedgerStore
import Logging

/// `ledgerd --restore SRC`: verify a backup made by `ledgerctl backup`, then
/// copy it into an empty data directory, before the daemon serves it.
enum Restore {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(from source: String, into dataDirectory: String, origin: String, logger: Logger) throws {
        let fm = FileManager.default
        let target = dataDirectory + "/" + StoreLayout.environmentDirectory + "/data.mdb"
        if fm.fileExists(atPath: target) {
            throw Failure(description: "\(dataDirectory) already holds a ledger; move it aside first (it may be evidence)")
        }
        guard fm.fileExists(atPath: source + "/" + StoreLayout.environmentDirectory + "/data.mdb"),
              fm.fileExists(atPath: source + "/" + StoreLayout.signingKeyFile)
        else {
            throw Failure(description: "\(source) is not a backup made by `ledgerctl backup` (want lmdb/data.mdb and checkpoint.key)")
        }
        let keyText = try String(contentsOfFile: source + "/" + StoreLayout.signingKeyFile, encoding: .utf8)
        let signer = try NoteSigner(privateKeyString: keyText.trimmingCharacters(in: .whitespacesAndNewlines))
        logger.notice("restore: verifying the backup in \(source)")
        try verify(directory: source, origin: signer.name)
        try fm.createDirectory(atPath: dataDirectory + "/" + StoreLayout.environmentDirectory,
                               withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fm.copyItem(atPath: source + "/" + StoreLayout.environmentDirectory + "/data.mdb", toPath: target)
        try fm.copyItem(atPath: source + "/" + StoreLayout.signingKeyFile,
                        toPath: dataDirectory + "/" + StoreLayout.signingKeyFile)
        chmod(dataDirectory + "/" + StoreLayout.signingKeyFile, 0o600)
        for path in [target, dataDirectory + "/" + StoreLayout.signingKeyFile,
                     dataDirectory + "/" + StoreLayout.environmentDirectory, dataDirectory] {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                fsync(fd)
                close(fd)
            }
        }
        try verify(directory: dataDirectory, origin: signer.name)
        if signer.name != origin {
            logger.warning("restore: the backup's key is named '\(signer.name)', not '\(origin)'; start with --origin \(signer.name)")
        }
        logger.notice("restore: \(source) verified and put in place in \(dataDirectory)")
    }

    private static func verify(directory: String, origin: String) throws {
        var options = StoreOptions(origin: origin)
        options.indexNames = LedgerEngine.storeIndexNames
        let store = try EventStore(dataDirectory: directory, options: options)
        defer { store.close() }
        let result = try store.read { try $0.verifyLog(verifier: try NoteVerifier(verifierKey: store.verifierKey)) }
        guard result.ok else {
            throw Failure(description: "\(directory) does not verify: \(result.failure!.description)")
        }
    }
}
