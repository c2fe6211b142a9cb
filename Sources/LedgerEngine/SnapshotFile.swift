import Crypto
import Foundation
import LedgerDomain
import LedgerMerkle
import Synchronization

/// The state snapshot on disk: `<data-dir>/state.snapshot`, beside LMDB.
///
/// ```
/// "LSNP" · format u32 BE (2) · seq u64 BE · tree root at seq (32 bytes)
///        · payload length u64 BE · checksum (32 bytes) · payload
/// ```
/// The payload is `DomainState.snapshot()` at `seq`. The checksum is the
/// SHA-256 of the SHA-256s of the payload's blocks of 4 MiB (the last one
/// shorter), one after another: a restart maps the file and hashes the
/// blocks on every core at once (a third of a second for the 289 MB of ten
/// million events on one core). Format 1, whose checksum is the SHA-256 of
/// the whole payload, is still read.
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
    static let format: UInt32 = 2
    static let headerBytes = 4 + 4 + 8 + 32 + 8 + 32
    /// The checksum's block size (format 2). It is not in the header: a
    /// change needs a new format number (every file would fail its checksum).
    static let blockBytes = 4 << 20

    struct Contents {
        let seq: UInt64
        let root: TreeHash
        /// Read in place: the file's pages, mapped (see `read`).
        let payload: SnapshotBuffer
        /// The file format it was read from (what `write` writes, for a new one).
        var fileFormat: UInt32 = SnapshotFile.format

        init(seq: UInt64, root: TreeHash, payload: SnapshotBuffer, fileFormat: UInt32 = SnapshotFile.format) {
            self.seq = seq
            self.root = root
            self.payload = payload
            self.fileFormat = fileFormat
        }

        /// Contents to write from bytes in memory.
        init(seq: UInt64, root: TreeHash, payload: [UInt8]) {
            self.init(seq: seq, root: root, payload: SnapshotBuffer(payload))
        }
    }

    struct Damaged: Error, CustomStringConvertible {
        let description: String
    }

    static func path(in directory: String) -> String { directory + "/" + name }

    /// Writes atomically: the old file stays until the new one is durable.
    /// `format` 1 only for tests of older files; `blockBytes` small only in tests.
    static func write(_ contents: Contents, in directory: String, format: UInt32 = format, blockBytes: Int = blockBytes) throws {
        try write(seq: contents.seq, root: contents.root, payload: contents.payload.bytes, in: directory,
                  format: format, blockBytes: blockBytes)
    }

    /// Writes `payload` as the snapshot at `seq` (see `write(_:in:format:blockBytes:)`).
    static func write(
        seq: UInt64, root: TreeHash, payload: UnsafeRawBufferPointer, in directory: String, format: UInt32 = format,
        blockBytes: Int = blockBytes
    ) throws {
        precondition(format == 1 || format == Self.format, "snapshot file format \(format) is not written")
        var header: [UInt8] = magic
        header.reserveCapacity(headerBytes)
        appendU32(format, to: &header)
        appendU64(seq, to: &header)
        header.append(contentsOf: root.bytes)
        appendU64(UInt64(payload.count), to: &header)
        if format == 1 {
            header.append(contentsOf: SHA256.hash(data: payload))
        } else {
            header.append(contentsOf: blockChecksum(blocks: (0..<blockCount(payload.count, blockBytes)).map {
                blockHash(UnsafeRawBufferPointer(rebasing: payload[blockRange($0, of: payload.count, blockBytes)]))
            }))
        }
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
        try header.withUnsafeBytes { try writeAll(fd, $0, path: temporary) }
        try writeAll(fd, payload, path: temporary)
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
    ///
    /// The file is mapped, not read into the heap: its checksum is computed
    /// over the mapping on every core, and the state is then decoded in place
    /// (members left encoded point into the mapping until they are folded;
    /// the last one unmaps it, seconds after a restart, when the warm-up has
    /// folded them all). Snapshots are only ever replaced by a rename, so the
    /// mapped file is never written while it is mapped. Its pages are read
    /// in here (`payload(of:size:path:)`), so a disk that cannot give one is
    /// an error now (and the log is replayed), not a SIGBUS later; the window
    /// in which a page the kernel dropped meanwhile must be read again lasts
    /// until the warm-up ends. (Someone who writes into the file in place in
    /// those seconds, as `cp` onto it would, can stop the daemon, or have
    /// bytes the checksum did not see folded or copied into the next
    /// snapshot: the same power as writing any file of the data directory.)
    /// - Throws: `Damaged` for a file that is not a whole, intact snapshot.
    /// - Parameter populate: the `madvise` advice that reads the mapping in (tests only).
    static func read(in directory: String, blockBytes: Int = blockBytes, populate: Int32 = populateRead) throws -> Contents? {
        let file = path(in: directory)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Damaged(description: "cannot open \(file): \(errnoText())")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw Damaged(description: "cannot stat \(file): \(errnoText())") }
        let size = Int(status.st_size)
        // The header first: a file of another kind or length is refused before any of it is read.
        var header = [UInt8](repeating: 0, count: headerBytes)
        guard size >= headerBytes, pread(fd, &header, headerBytes, 0) == headerBytes, Array(header[0..<4]) == magic else {
            throw Damaged(description: "\(file) is not a state snapshot")
        }
        let fileFormat = header[4..<8].reduce(0, { $0 << 8 | UInt32($1) })
        guard fileFormat == 1 || fileFormat == format else {
            throw Damaged(description: "\(file) is a snapshot of another format")
        }
        let seq = readU64(header, at: 8)
        guard let root = try? TreeHash(Array(header[16..<48])) else { throw Damaged(description: "\(file) has a bad root") }
        let length = readU64(header, at: 48)
        guard UInt64(size - headerBytes) == length else {
            throw Damaged(description: "\(file) holds \(size - headerBytes) payload bytes; its header says \(length)")
        }
        let buffer = try payload(of: fd, size: size, path: file, populate: populate)
        let checksum = fileFormat == 1 ? Array(SHA256.hash(data: buffer.bytes)) : blockChecksum(buffer.bytes, blockBytes: blockBytes)
        guard checksum == Array(header[56..<88]) else {
            throw Damaged(description: "\(file) fails its checksum")
        }
        return Contents(seq: seq, root: root, payload: buffer, fileFormat: fileFormat)
    }

    /// The bytes after the header: the file mapped, every page read in at
    /// once (`MADV_POPULATE_READ`), so that a page the disk cannot give is an
    /// error here rather than a SIGBUS when it is first touched. A kernel
    /// older than 5.14 has no such call (EINVAL): the payload is then read
    /// into the heap, where a read error is an error too.
    private static func payload(of fd: Int32, size: Int, path: String, populate: Int32) throws -> SnapshotBuffer {
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else {
            throw Damaged(description: "cannot map \(path): \(errnoText())")
        }
        nonisolated(unsafe) let base = mapping
        let mapped = SnapshotBuffer(
            borrowing: UnsafeRawBufferPointer(start: mapping + headerBytes, count: size - headerBytes),
            release: { munmap(base, size) })
        if madvise(mapping, size, populate) == 0 { return mapped }
        guard errno == EINVAL else { throw Damaged(description: "cannot read \(path): \(errnoText())") }
        let count = size - headerBytes
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 16)
        nonisolated(unsafe) let owned = memory
        let heap = SnapshotBuffer(
            borrowing: UnsafeRawBufferPointer(start: memory.baseAddress!, count: count), release: { owned.deallocate() })
        var done = 0
        while done < count {
            let n = pread(fd, memory.baseAddress! + done, count - done, off_t(headerBytes + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw Damaged(description: n < 0 ? "cannot read \(path): \(errnoText())" : "\(path) ended while it was read")
            }
            done += n
        }
        return heap
    }

    /// The format 2 checksum of `payload`, its blocks hashed on every core
    /// (each core a run of neighbouring blocks).
    private static func blockChecksum(_ payload: UnsafeRawBufferPointer, blockBytes: Int) -> [UInt8] {
        let blocks = blockCount(payload.count, blockBytes)
        let workers = max(1, min(blocks, ProcessInfo.processInfo.activeProcessorCount))
        let hashes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, blocks) * 32, alignment: 8)
        defer { hashes.deallocate() }
        nonisolated(unsafe) let out = hashes
        nonisolated(unsafe) let source = payload
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for block in (worker * blocks / workers)..<((worker + 1) * blocks / workers) {
                let digest = blockHash(UnsafeRawBufferPointer(rebasing: source[blockRange(block, of: source.count, blockBytes)]))
                (out.baseAddress! + 32 * block).copyMemory(from: digest, byteCount: 32)
            }
        }
        return blockChecksum(blocks: (0..<blocks).map { Array(UnsafeRawBufferPointer(rebasing: hashes[(32 * $0)..<(32 * $0 + 32)])) })
    }

    /// `MADV_POPULATE_READ` (Linux 5.14, <linux/mman.h>; not in Glibc's module).
    /// Tests pass `read` an advice the kernel refuses, to take the older kernels' path.
    static let populateRead: Int32 = 22

    static func blockCount(_ count: Int, _ blockBytes: Int) -> Int { (count + blockBytes - 1) / blockBytes }

    static func blockRange(_ block: Int, of count: Int, _ blockBytes: Int) -> Range<Int> {
        (block * blockBytes)..<min(count, (block + 1) * blockBytes)
    }

    static func blockHash(_ block: UnsafeRawBufferPointer) -> [UInt8] { Array(SHA256.hash(data: block)) }

    /// The format 2 checksum: SHA-256 of the blocks' SHA-256s in order.
    static func blockChecksum(blocks: [[UInt8]]) -> [UInt8] {
        var hasher = SHA256()
        for block in blocks { hasher.update(data: block) }
        return Array(hasher.finalize())
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

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
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
