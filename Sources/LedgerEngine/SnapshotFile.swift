import Crypto
import Foundation
import LedgerMerkle
import Synchronization

/// The state snapshot on disk: `<data-dir>/state.snapshot`, beside LMDB.
///
/// ```
/// "LSNP" · format u32 BE (1) · seq u64 BE · tree root at seq (32 bytes)
///        · payload length u64 BE · SHA-256 of the payload (32 bytes) · payload
/// ```
/// The payload is `DomainState.snapshot()` at `seq`.
///
/// Why a file and not an LMDB row: the snapshot grows with members (30 MB at
/// a million events, ten times that at national scale). Stored in LMDB it was
/// one write transaction that every append waited behind (0.6 s at a million
/// events, every 100 000 events) and a map's worth of pages freed and
/// rewritten each time. The file is written by a background thread from an
/// immutable copy of the state: a temporary file, `fsync`, `rename`, `fsync`
/// of the directory, so a crash leaves the old snapshot or the new one.
///
/// A snapshot is derived data and trusted only as far as it is checked: on
/// load its checksum must hold, its seq must be within the log and the log's
/// tree root at that seq must be the one it records (so a snapshot from
/// another ledger, or from events a restore rolled back, is never used).
/// Anything else means: ignore it and replay the log.
enum SnapshotFile {
    static let name = "state.snapshot"
    static let magic: [UInt8] = Array("LSNP".utf8)
    static let format: UInt32 = 1
    static let headerBytes = 4 + 4 + 8 + 32 + 8 + 32

    struct Contents {
        let seq: UInt64
        let root: TreeHash
        let payload: [UInt8]
    }

    struct Damaged: Error, CustomStringConvertible {
        let description: String
    }

    static func path(in directory: String) -> String { directory + "/" + name }

    /// Writes atomically: the old file stays until the new one is durable.
    static func write(_ contents: Contents, in directory: String) throws {
        var header: [UInt8] = magic
        header.reserveCapacity(headerBytes)
        appendU32(format, to: &header)
        appendU64(contents.seq, to: &header)
        header.append(contentsOf: contents.root.bytes)
        appendU64(UInt64(contents.payload.count), to: &header)
        header.append(contentsOf: SHA256.hash(data: contents.payload))
        let final = path(in: directory)
        let temporary = final + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Damaged(description: "cannot create \(temporary): \(errnoText())") }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }  // a failed write (disk full) leaves nothing behind
        }
        try writeAll(fd, header, path: temporary)
        try writeAll(fd, contents.payload, path: temporary)
        guard fsync(fd) == 0 else { throw Damaged(description: "cannot fsync \(temporary): \(errnoText())") }
        closed = true
        guard close(fd) == 0 else { throw Damaged(description: "cannot close \(temporary): \(errnoText())") }
        // Under the lock that `discard` takes, so a discarded snapshot cannot
        // come back by a rename that was on its way.
        try renameLock.withLock { forbidden in
            guard !forbidden.contains(directory) else {
                throw Damaged(description: "snapshots in \(directory) are discarded until the process ends")
            }
            guard rename(temporary, final) == 0 else {
                throw Damaged(description: "cannot rename \(temporary) to \(final): \(errnoText())")
            }
            renamed = true
        }
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }

    /// The snapshot in `directory`; nil if there is none.
    /// - Throws: `Damaged` for a file that is not a whole, intact snapshot.
    static func read(in directory: String) throws -> Contents? {
        let file = path(in: directory)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Damaged(description: "cannot open \(file): \(errnoText())")
        }
        defer { close(fd) }
        // The header, then the payload read straight into its own array: one
        // copy of what may be hundreds of MB.
        let header = try readExactly(fd, count: headerBytes, path: file)
        guard header.count == headerBytes, Array(header[0..<4]) == magic else {
            throw Damaged(description: "\(file) is not a state snapshot")
        }
        guard header[4..<8].reduce(0, { $0 << 8 | UInt32($1) }) == format else {
            throw Damaged(description: "\(file) is a snapshot of another format")
        }
        let seq = readU64(header, at: 8)
        guard let root = try? TreeHash(Array(header[16..<48])) else { throw Damaged(description: "\(file) has a bad root") }
        let length = readU64(header, at: 48)
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw Damaged(description: "cannot stat \(file): \(errnoText())") }
        let actual = UInt64(max(0, Int(status.st_size) - headerBytes))
        guard actual == length else {
            throw Damaged(description: "\(file) holds \(actual) payload bytes; its header says \(length)")
        }
        let payload = try readExactly(fd, count: Int(length), path: file)
        guard payload.count == Int(length) else {
            throw Damaged(description: "\(file) ends after \(payload.count) of \(length) payload bytes")
        }
        guard Array(SHA256.hash(data: payload)) == Array(header[56..<88]) else {
            throw Damaged(description: "\(file) fails its checksum")
        }
        return Contents(seq: seq, root: root, payload: payload)
    }

    /// Up to `count` bytes from the current offset (fewer only at the end of the file).
    private static func readExactly(_ fd: Int32, count: Int, path: String) throws -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var offset = 0
            while offset < count {
                let n = Glibc.read(fd, buffer.baseAddress! + offset, count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                offset += n
            }
            initialized = offset
        }
        if failure != 0 { throw Damaged(description: "cannot read \(path): \(String(cString: strerror(failure)))") }
        return bytes
    }

    static func remove(in directory: String) {
        unlink(path(in: directory))
    }

    /// Removes the snapshot in `directory` for good in this process: no
    /// snapshot is written there again until it ends (its contents are known
    /// bad, and the process is about to stop).
    static func discard(in directory: String) {
        renameLock.withLock { forbidden in
            forbidden.insert(directory)
            unlink(path(in: directory))
            let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir >= 0 {
                _ = fsync(dir)
                close(dir)
            }
        }
    }

    /// Guards renames into place against `discard`; holds the discarded directories.
    private static let renameLock = Mutex<Set<String>>([])

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Damaged(description: "cannot write \(path): \(errnoText())")
            }
            offset += written
        }
    }

    private static func appendU32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func appendU64(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func readU64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
