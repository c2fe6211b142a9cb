/// Why the store refused or failed. Codes are stable strings (logs and the wire
/// carry them); messages name what was got and what was wanted, and the remedy.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The data directory is missing or not usable.
        case dataDirectory = "data-directory"
        /// The on-disk format is not the one this build reads.
        case formatMismatch = "format-mismatch"
        /// The signing key file is missing, unreadable, too open, or malformed.
        case signingKey = "signing-key"
        /// Stored state contradicts itself (tree vs log, checkpoint vs root).
        case integrity = "integrity"
        /// An LMDB call failed (disk full, I/O error, …).
        case lmdb = "lmdb"
        /// A caller broke an API precondition (a bug, not bad data).
        case misuse = "misuse"
        /// The map could not grow past its configured maximum.
        case mapFull = "map-full"
        /// The store halted writes after an integrity failure.
        case readOnly = "read-only"
        /// A staged batch can no longer be committed: the batches before it
        /// were discarded, or it is not the next one.
        case staleBatch = "stale-batch"
        /// LMDB's commit failed: the batch may or may not be durable.
        case commitUncertain = "commit-uncertain"
        /// LMDB could not write a commit's pages (disk full, quota, file size
        /// limit, a failing device) and did not write its meta page: nothing
        /// of the commit was written.
        case noSpace = "no-space"
    }

    public let code: Code
    public let message: String
    public let cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}

extension StoreError {
    static func lmdb(_ error: LMDBError, _ context: String) -> StoreError {
        StoreError(.lmdb, "\(context): \(error)", cause: error)
    }
}
