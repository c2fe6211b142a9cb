import Crypto
import Foundation
import LedgerJSON
import LedgerMerkle

/// Verifies an export offline, with no daemon: every line's `leafHash` is
/// recomputed as SHA-256(0x00 ‖ JCS(line without leafHash)), seqs must run
/// 1, 2, 3, … without gaps, and the RFC 9162 root at the checkpoint's size must
/// equal the root in the checkpoint, whose signature must verify with the key.
///
/// Streaming: memory stays O(log n) whatever the export's size.
///
/// What it can and cannot name: a line whose content no longer matches its own
/// `leafHash` is named by seq. A line altered together with a recomputed
/// `leafHash` is caught by the root at the checkpoint's size, but the root does
/// not say which line; `ledgerctl prove inclusion SEQ` against the daemon (or
/// bisecting with older checkpoints) locates it. Lines beyond the checkpoint's
/// size are counted in `linesBeyondCheckpoint`: no signature covers them.
///
/// Resuming: given a `VerifiedPrefix` (what an earlier verification of the
/// same ledger proved), the export may hold only the events after it, from
/// seq `prefix.size + 1`, and the tree is grown from the prefix's compact
/// range; or it may be whole, from seq 1, and its first `prefix.size` events
/// must then reach the prefix's root. Either way, reaching the new
/// checkpoint's root proves the new checkpoint extends the old one.
public struct ExportVerifier {
    public struct Result: Sendable {
        public var ok: Bool { failure == nil }
        public var linesRead: UInt64 = 0
        /// Lines after the checkpoint's size: checked for their own leafHash
        /// and seq order only, since no signed root covers them.
        public var linesBeyondCheckpoint: UInt64 = 0
        public var checkpointSize: UInt64 = 0
        public var rootHash: String = ""
        /// The first bad seq (or the line number where no seq could be read).
        public var badSeq: UInt64?
        public var failure: String?
        /// The events verified before this export (a resumed verification's prefix size; else 0).
        public var prefixSize: UInt64 = 0
        /// The seq of the export's first line: 1, or `prefixSize + 1` for an
        /// export of the events after the prefix only.
        public var firstSeq: UInt64 = 1
        /// The tree at the checkpoint's size, once its root matched: what a
        /// later verification can resume from (`VerifiedPrefix`).
        public var verifiedRange: CompactRange?

        public var json: JSONValue {
            var object: [String: JSONValue] = [
                "ok": .bool(ok), "linesRead": .int(Int64(linesRead)),
                "checkpointSize": .int(Int64(checkpointSize)), "rootHash": .string(rootHash),
                "linesBeyondCheckpoint": .int(Int64(linesBeyondCheckpoint)),
            ]
            if prefixSize > 0 {
                object["prefixSize"] = .int(Int64(prefixSize))
                object["firstSeq"] = .int(Int64(firstSeq))
            }
            if let badSeq { object["badSeq"] = .int(Int64(badSeq)) }
            if let failure { object["failure"] = .string(failure) }
            return .object(object)
        }
    }

    let checkpoint: Checkpoint
    /// The tree size the checkpoint signs.
    public var checkpointSize: UInt64 { checkpoint.size }
    /// What an earlier verification proved: the export extends it.
    public let prefix: VerifiedPrefix?
    let lineBytesMax: Int
    /// The largest checkpoint size an export can be checked against.
    static let sizeMax: UInt64 = 1 << 53
    /// The read buffer's size (the reader makes it at least twice
    /// `lineBytesMax`): tests and the fuzzer make it small, so that lines
    /// cross its edges often.
    public var readBufferBytes = 16 << 20

    /// A checkpoint that cannot extend the verified prefix: of another
    /// ledger, of fewer events (a ledger rolled back, or an older checkpoint),
    /// or of as many with another root (a fork).
    public struct PrefixMismatch: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Checks the signed checkpoint against the verifier key first, then that
    /// it can extend `prefix` (if any).
    /// - Throws: `CheckpointError` naming what is wrong with the note or key;
    ///   `PrefixMismatch` when the checkpoint cannot extend `prefix`.
    public init(signedCheckpoint: String, verifierKey: String, lineBytesMax: Int = 1 << 20,
                after prefix: VerifiedPrefix? = nil) throws {
        let verifier = try NoteVerifier(verifierKey: verifierKey.trimmingCharacters(in: .whitespacesAndNewlines))
        let note = try SignedNote.parse(signedCheckpoint)
        try verifier.verify(note)
        checkpoint = try Checkpoint.parse(body: note.text)
        // A C2SP size may be up to 2^64 - 1; no export has 2^53 lines (nor
        // could its seqs be JSON integers).
        guard checkpoint.size <= Self.sizeMax else {
            throw CheckpointError(
                .malformedCheckpoint, "the checkpoint's size \(checkpoint.size) is beyond any export (at most 2^53 events)")
        }
        self.lineBytesMax = lineBytesMax
        self.prefix = prefix
        if let prefix {
            let old = prefix.checkpoint
            switch CheckpointSuccession(from: old, to: checkpoint) {
            case .same, .grows:
                break
            case .otherLedger:
                throw PrefixMismatch(description: "the checkpoint is of the ledger \(checkpoint.origin), the verified prefix "
                                     + "of \(old.origin)")
            case .rolledBack:
                throw PrefixMismatch(description: "ROLLBACK: the checkpoint signs \(checkpoint.size) events, fewer than "
                                     + "the \(old.size) verified before (an older checkpoint, or a ledger rolled back)")
            case .forked:
                throw PrefixMismatch(description: "FORK: the checkpoint signs \(checkpoint.size) events with the root "
                                     + "\(checkpoint.rootHash.hex), but the \(old.size) verified before have the root "
                                     + "\(old.rootHash.hex)")
            }
        }
    }

    /// Verifies the export read from `fd` (a file or a pipe).
    ///
    /// Lines are taken in blocks of up to `blockLinesMax`, each an aligned
    /// perfect subtree of the RFC 9162 tree that ends at or before the
    /// checkpoint's size when it starts before it. A block's lines are checked
    /// and hashed in parts on every core (`ExportBlockHasher`), while the next
    /// bytes are read ahead; the block's root then joins the compact range in
    /// one step. A block in which any
    /// line is not exactly as exported (the expected seq, its own lowercase
    /// leafHash; canonical too, when `strict`) is checked again line by line
    /// the careful way, which words the failure and accepts any valid JSON form.
    ///
    /// Lines up to the checkpoint's size are first taken the quick way
    /// (`hashExportedLineQuickly`: the members after `leafHash` read exactly,
    /// the rest not proved canonical), which the signed root makes sound;
    /// lines after it always the strict way. If anything then fails and the
    /// export can be read again (a file, not a pipe), it is checked again
    /// proving every line canonical, so that the first bad line is named even
    /// when it is one in another form whose own `leafHash` matches it (which
    /// the quick way takes, and only the root catches).
    /// - Parameter progress: called every 65 536 lines with the seq reached
    ///   so far (after a prefix, the lines read count from its size).
    public func verify(fileDescriptor fd: Int32, progress: ((UInt64) -> Void)? = nil) -> Result {
        let start = lseek(fd, 0, SEEK_CUR)
        let quick = verify(fd, strict: false, progress: progress)
        guard !quick.ok, start >= 0, lseek(fd, start, SEEK_SET) == start else { return quick }
        // It failed: the strict way names the first bad line, which may be one
        // in another form that the quick way took before what it found.
        var strict = verify(fd, strict: true, progress: nil)
        if strict.ok {
            strict.badSeq = quick.badSeq
            strict.failure = "the export changed while it was read; the first reading found: \(quick.failure ?? "")"
        }
        return strict
    }

    /// Where the tree starts for an export read by `reader`: after the
    /// prefix, unless the export's first line has seq 1 (a whole export),
    /// whose first `prefix.size` events must then reach the prefix's root.
    ///
    /// Only where the tree starts depends on it: every line is then checked
    /// for the seq it must have, so a wrong guess fails, never passes. A
    /// first line whose seq cannot be read is placed by the second's, so
    /// that a damaged first line of a whole export is named as seq 1.
    func startingTree(_ reader: inout LineBlockReader) -> (range: CompactRange, prefixToMeet: VerifiedPrefix?) {
        guard let prefix, prefix.size > 0 else { return (prefix?.range ?? CompactRange(), nil) }
        let ready = (try? reader.available(upTo: 2)) ?? 0
        let whole: Bool
        if ready >= 1, let first = Self.seq(ofLine: reader.line(0)) {
            whole = first == 1
        } else {
            whole = ready >= 2 && Self.seq(ofLine: reader.line(1)) == 2
        }
        return whole ? (CompactRange(), prefix) : (prefix.range, nil)
    }

    /// One pass over the export; `strict`: every line proved canonical.
    func verify(_ fd: Int32, strict: Bool, progress: ((UInt64) -> Void)?) -> Result {
        var result = Result()
        result.checkpointSize = checkpoint.size
        result.prefixSize = prefix?.size ?? 0
        var reader = LineBlockReader(fd: fd, lineBytesMax: lineBytesMax, bufferBytes: readBufferBytes)
        var (range, prefixToMeet) = startingTree(&reader)
        /// The events before the export's first line.
        let base = range.size
        result.firstSeq = base + 1
        var hasher = ExportBlockHasher(blockLinesMax: Self.blockLinesMax)
        func fail(_ seq: UInt64?, _ why: String) -> Result {
            result.badSeq = seq
            result.failure = why
            return result
        }
        /// After `range` grew: the prefix's root and the checkpoint's, once reached.
        func checkRoots() -> Result? {
            if let prefix = prefixToMeet, range.size == prefix.size, range.root() != prefix.range.root() {
                return fail(nil, "FORK: events 1...\(prefix.size) of the export have the root \(range.root().hex), but the "
                            + "\(prefix.size) verified before have the root \(prefix.range.root().hex): the ledger was "
                            + "rewritten at or before seq \(prefix.size), or the export was")
            }
            guard range.size == checkpoint.size else { return nil }
            let root = range.root()
            result.rootHash = root.hex
            guard root == checkpoint.rootHash else {
                let which = base == 0 ? "some event in the export differs from the ledger's"
                    : "some event in the export differs from the ledger's, or the ledger was rewritten at or before "
                        + "seq \(base) since it was verified (a fork)"
                return fail(nil, "the root of events 1...\(range.size) is \(root.hex) but the checkpoint says "
                            + "\(checkpoint.rootHash.hex): \(which)")
            }
            result.verifiedRange = range
            return nil
        }
        if checkpoint.size == 0, checkpoint.rootHash != RFC9162.emptyRoot {
            return fail(nil, "the checkpoint of size 0 has a root other than the empty tree's")
        }
        // A prefix as large as the checkpoint (or an empty tree): nothing is to be added.
        if let failed = checkRoots() { return failed }
        while true {
            let size = range.size
            // At most a block, aligned (a power of two dividing `size`), not past the checkpoint
            // nor the prefix to meet.
            var limit = UInt64(Self.blockLinesMax)
            if size > 0 { limit = min(limit, size & (~size &+ 1)) }
            if size < checkpoint.size { limit = min(limit, checkpoint.size - size) }
            if let prefix = prefixToMeet, size < prefix.size { limit = min(limit, prefix.size - size) }
            let wanted = Int(limit)
            let ready: Int
            do {
                ready = try reader.available(upTo: wanted)
            } catch {
                return fail(size + 1, "line \(result.linesRead + 1): \(error)")
            }
            if ready == 0 { break }
            // A power of two no larger than `wanted`: an aligned perfect subtree that does not
            // cross the checkpoint's size.
            let count = 1 << (Int.bitWidth - 1 - ready.leadingZeroBitCount)
            let level = count.trailingZeroBitCount
            let progressBefore = result.linesRead >> 16
            hasher.take(count: count) { reader.line($0) }
            // Lines past the checkpoint's size are covered by no signed root:
            // only the strict way, which proves them canonical, may take them.
            let root = hasher.subtreeRoot(firstSeq: size + 1, strict: strict || size >= checkpoint.size) {
                reader.readAhead(splittingUpTo: count + Self.blockLinesMax)
            }
            if let root {
                range.appendSubtree(root, level: level)
                result.linesRead += UInt64(count)
                if size >= checkpoint.size { result.linesBeyondCheckpoint += UInt64(count) }
                if let failed = checkRoots() { return failed }
            } else {
                for index in 0..<count {
                    result.linesRead += 1
                    switch Self.checkLine(reader.line(index), want: range.size + 1, lineNumber: result.linesRead) {
                    case .failure(let failure):
                        return fail(failure.seq, failure.why)
                    case .success(let leaf):
                        range.append(leaf)
                    }
                    if range.size > checkpoint.size { result.linesBeyondCheckpoint += 1 }
                    if let failed = checkRoots() { return failed }
                }
            }
            reader.consume(count)
            if result.linesRead >> 16 != progressBefore { progress?(base + result.linesRead) }
        }
        if range.size < checkpoint.size {
            if range.size == base, base > 0 {
                return fail(range.size + 1, "the export is empty but the checkpoint covers \(checkpoint.size) events, "
                            + "\(checkpoint.size - base) after the \(base) verified before")
            }
            return fail(range.size + 1, "the export ends at seq \(range.size) but the checkpoint covers \(checkpoint.size) events (truncated)")
        }
        progress?(base + result.linesRead)
        return result
    }

    /// The most lines hashed as one block (a power of two).
    static let blockLinesMax = 16_384

    struct LineFailure: Error {
        let seq: UInt64
        let why: String
    }

    /// The seq of an export line (either path), or nil if it has none.
    static func seq(ofLine raw: UnsafeRawBufferPointer) -> Int64? {
        let line = Array(raw)
        if let fast = leafOfCanonicalLine(line) { return fast.seq }
        return (try? JSONParser.parse(line))?["seq"]?.intValue
    }

    /// The careful check of one line that should have seq `want`: its leaf hash, or what is
    /// wrong with it. Canonical lines are hashed in place; any other valid JSON is parsed and
    /// re-encoded (RFC 8785).
    static func checkLine(_ raw: UnsafeRawBufferPointer, want: UInt64, lineNumber: UInt64) -> Swift.Result<TreeHash, LineFailure> {
        func failure(_ why: String) -> Swift.Result<TreeHash, LineFailure> { .failure(LineFailure(seq: want, why: why)) }
        let line = Array(raw)
        if line.isEmpty { return failure("line \(lineNumber) is empty") }
        let seq: Int64
        let claimed: String
        let computed: TreeHash
        if let fast = leafOfCanonicalLine(line) {
            (seq, claimed, computed) = fast
        } else {
            // The general path: parse, drop leafHash, re-encode (RFC 8785).
            guard case .object(var record)? = try? JSONParser.parse(line) else {
                return failure("line \(lineNumber) is not a JSON object")
            }
            guard let number = record["seq"]?.intValue, number > 0 else {
                return failure("line \(lineNumber) has no valid seq")
            }
            guard let leaf = record.removeValue(forKey: "leafHash")?.stringValue else {
                return failure("seq \(number) has no valid leafHash")
            }
            (seq, claimed, computed) = (number, leaf, RFC9162.leafHash(CanonicalJSON.encode(.object(record))))
        }
        guard seq > 0 else { return failure("line \(lineNumber) has no valid seq") }
        guard UInt64(seq) == want else {
            return failure("line \(lineNumber) has seq \(seq); want \(want) (lines missing, duplicated or reordered)")
        }
        guard let claimedHash = TreeHash(hex: claimed) else { return failure("seq \(seq) has no valid leafHash") }
        guard computed == claimedHash else {
            return failure("seq \(seq) was altered: its content hashes to \(computed.hex), the line says \(claimed)")
        }
        return .success(computed)
    }

    /// The fast path: when `line` is canonical already (as exported), its
    /// record bytes are the line without the `leafHash` member, hashed in
    /// place. Returns nil (use the general path) for anything else, including
    /// a seq or leafHash of an unexpected form, so that the general path words
    /// the failure.
    static func leafOfCanonicalLine(_ line: [UInt8]) -> (seq: Int64, claimed: String, computed: TreeHash)? {
        line.withUnsafeBytes { raw -> (Int64, String, TreeHash)? in
            guard let members = CanonicalScanner.topLevelMembers(raw) else { return nil }
            func find(_ name: StaticString) -> Int? {
                members.firstIndex { member in
                    member.key.count == name.utf8CodeUnitCount
                        && memcmp(raw.baseAddress! + member.key.lowerBound, name.utf8Start, member.key.count) == 0
                }
            }
            guard let seqIndex = find("seq"), let leafIndex = find("leafHash") else { return nil }
            var seq: Int64 = 0
            for byte in raw[members[seqIndex].value] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                seq = seq * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            let leafValue = members[leafIndex].value
            guard leafValue.count == 66 else { return nil }
            let claimed = String(decoding: raw[(leafValue.lowerBound + 1)..<(leafValue.upperBound - 1)], as: UTF8.self)
            let leaf = leafHash(ofLine: raw, members: members, leafHashIndex: leafIndex)
            return (seq, claimed, try! TreeHash(Array(leaf)))
        }
    }

    /// SHA-256(0x00 ‖ `line` without its `leafHash` member): the member is cut
    /// with one comma next to it, `,"leafHash":"…"` (or `"leafHash":"…",` when
    /// it comes first), and the rest hashed in place. `members` are the line's
    /// top-level members as `CanonicalScanner` found them.
    static func leafHash(ofLine line: UnsafeRawBufferPointer, members: [CanonicalScanner.Member], leafHashIndex index: Int)
        -> SHA256.Digest
    {
        var cut = (members[index].key.lowerBound - 1)..<members[index].value.upperBound
        if index > 0 {
            cut = (cut.lowerBound - 1)..<cut.upperBound
        } else if members.count > 1 {
            cut = cut.lowerBound..<(cut.upperBound + 1)
        }
        return leafHash(ofLine: line, without: cut)
    }

    /// SHA-256(0x00 ‖ `line` without the bytes at `cut`), hashed in place.
    static func leafHash(ofLine line: UnsafeRawBufferPointer, without cut: Range<Int>) -> SHA256.Digest {
        var hasher = SHA256()
        var prefix = RFC9162.leafPrefixByte
        withUnsafeBytes(of: &prefix) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: line[0..<cut.lowerBound]))
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: line[cut.upperBound...]))
        return hasher.finalize()
    }
}

/// Reads newline-terminated lines from a file descriptor with a length limit
/// (a last line without a newline is returned too).
public struct LineReader {
    public let fd: Int32
    public let lineBytesMax: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    /// Reads land here first (allocated once, reused for every read).
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)

    public init(fd: Int32, lineBytesMax: Int) {
        self.fd = fd
        self.lineBytesMax = lineBytesMax
    }

    public struct TooLong: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String { "line longer than \(limit) bytes" }
    }

    /// The next line without its newline, or nil at the end.
    public mutating func next() throws -> [UInt8]? {
        while true {
            let available = buffer.count - start
            let newline: Int? = buffer.withUnsafeBufferPointer { all in
                guard available > 0, let found = memchr(all.baseAddress! + start, 10, available) else { return nil }
                return UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - all.baseAddress!
            }
            if let newline {
                guard newline - start <= lineBytesMax else { throw TooLong(limit: lineBytesMax) }
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if available > lineBytesMax { throw TooLong(limit: lineBytesMax) }
            if eof {
                guard start < buffer.count else { return nil }
                guard available <= lineBytesMax else { throw TooLong(limit: lineBytesMax) }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            var readErrno: Int32 = 0
            let n = chunk.withUnsafeMutableBytes { raw -> Int in
                let count = read(fd, raw.baseAddress!, raw.count)
                if count < 0 { readErrno = errno }
                return count
            }
            if n < 0 {
                if readErrno == EINTR { continue }
                throw POSIXErrorCode(rawValue: readErrno).map { POSIXError($0) } ?? POSIXError(.EIO)
            }
            if n == 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<n]) }
        }
    }
}
