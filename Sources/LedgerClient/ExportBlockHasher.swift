import Crypto
import Dispatch
import Foundation
import LedgerJSON
import LedgerMerkle

/// The fast path of `ExportVerifier`: checks a block of export lines exactly
/// as `ledgerctl export` writes them and returns the root of the perfect
/// subtree they make, using both cores.
///
/// A line passes when the scanner vouches that it is canonical JSON, its
/// `seq` is the one expected, and its `leafHash` is the lowercase hex of
/// SHA-256(0x00 ‖ the line without its `leafHash` member). Anything else
/// (another valid form, a bad line) fails the block, and the verifier then
/// checks that block line by line the careful way, which names what is wrong.
/// So this path only ever says "all fine", never why not.
///
/// Lines are independent until the tree: a block is cut into parts (aligned
/// subtrees), and each part's lines and subtree are hashed by whichever core
/// comes free, writing only that part of `scratch`; the parts' roots are then
/// joined into the block's.
struct ExportBlockHasher: ~Copyable {
    /// Room for one 32-byte hash per line of the largest block.
    private let scratch: UnsafeMutableRawBufferPointer
    private var lines: [UnsafeRawBufferPointer] = []
    let blockLinesMax: Int
    /// Blocks smaller than this are hashed on the calling thread, in one part.
    static let partedLinesMin = 256
    /// How many pieces a large block is cut into, so that the two cores finish together.
    static let partsPerBlock = 32

    init(blockLinesMax: Int) {
        precondition(blockLinesMax > 0 && blockLinesMax & (blockLinesMax - 1) == 0, "blocks are 2^k lines")
        self.blockLinesMax = blockLinesMax
        scratch = .allocate(byteCount: blockLinesMax * TreeHash.byteCount, alignment: 16)
        lines.reserveCapacity(blockLinesMax)
    }

    deinit { scratch.deallocate() }

    /// Takes the block's lines: `count` of them, `line(i)` giving each, which should carry seqs
    /// `firstSeq`, `firstSeq + 1`, …. The memory behind them must stay put until `subtreeRoot`
    /// returns. Precondition: `count` is a power of two no larger than `blockLinesMax`.
    mutating func take(count: Int, line: (Int) -> UnsafeRawBufferPointer) {
        precondition(count > 0 && count <= blockLinesMax && count & (count - 1) == 0, "a block of \(count) lines")
        lines.removeAll(keepingCapacity: true)
        for index in 0..<count { lines.append(line(index)) }
    }

    /// The root of the subtree of the lines taken, whose first has seq `firstSeq`; nil if any
    /// line is not exactly as exported. `strict`: each line must be proved canonical
    /// (`hashExportedLine`), not only have its members found from the end
    /// (`hashExportedLineQuickly`, sound only where a signed root will cover the lines).
    /// `meanwhile` runs on the calling thread while other threads hash (the verifier
    /// reads ahead in it).
    func subtreeRoot(firstSeq: UInt64, strict: Bool, meanwhile: () -> Void) -> TreeHash? {
        let count = lines.count
        precondition(count > 0 && count & (count - 1) == 0, "take a block first")
        // Blocks of at least `partedLinesMin` lines are cut into `parts` aligned subtrees,
        // handed out to both cores as they come free, beside one more task: `meanwhile`.
        let parts = count >= Self.partedLinesMin ? Self.partsPerBlock : 1
        let perPart = count / parts
        // The threads share the lines (read only) and scratch (each writes its own part).
        nonisolated(unsafe) let scratch = self.scratch.baseAddress!
        let passed = UnsafeMutableBufferPointer<Bool>.allocate(capacity: parts)
        defer { passed.deallocate() }
        passed.initialize(repeating: false)
        nonisolated(unsafe) let passedShared = passed
        lines.withUnsafeBufferPointer { lines in
            nonisolated(unsafe) let lines = lines
            let hashPart: @Sendable (Int) -> Void = { part in
                var members: [CanonicalScanner.Member] = []
                members.reserveCapacity(16)
                let first = part * perPart
                for index in first..<(first + perPart) {
                    let out = scratch + index * TreeHash.byteCount
                    let want = firstSeq + UInt64(index)
                    // A line the quick way does not read (escapes, warnings) is tried the strict way.
                    guard !strict && Self.hashExportedLineQuickly(lines[index], want: want, into: out)
                        || Self.hashExportedLine(lines[index], want: want, members: &members, into: out)
                    else { return }
                }
                RFC9162.perfectSubtreeRoot(inPlace: scratch + first * TreeHash.byteCount, count: perPart)
                passedShared[part] = true
            }
            if parts == 1 {
                meanwhile()
                hashPart(0)
            } else {
                withoutActuallyEscaping(meanwhile) { meanwhile in
                    nonisolated(unsafe) let meanwhile = meanwhile
                    DispatchQueue.concurrentPerform(iterations: parts + 1) { task in
                        if task == 0 { meanwhile() } else { hashPart(task - 1) }
                    }
                }
            }
        }
        guard passed.allSatisfy({ $0 }) else { return nil }
        // Join the parts' roots (each `perPart` hashes apart) into the block's.
        var stride = perPart
        while stride < count {
            for left in Swift.stride(from: 0, to: count, by: 2 * stride) {
                let at = scratch + left * TreeHash.byteCount
                RFC9162.nodeHash(at, at + stride * TreeHash.byteCount, into: at)
            }
            stride *= 2
        }
        return try! TreeHash(Array(UnsafeRawBufferPointer(start: scratch, count: TreeHash.byteCount)))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    /// The 8 bytes of `leafHash` as one little- or big-endian load sees them.
    private static let leafHashKey: UInt64 = Array("leafHash".utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    /// `,"leafHash":"`: how the member starts in an exported line, after `id`
    /// (or `idempotencyKey`).
    private static let leafHashStart: [UInt8] = Array(#","leafHash":""#.utf8)
    /// The top-level members after `leafHash`, in their sorted order: each
    /// key with what comes before its value, whether the value is a string
    /// (else digits), and whether the member may be missing (`schemaVersion`,
    /// which this ledger writes and the contract does not ask for). A line
    /// with `warnings` (after `type`) is left to the strict way.
    private static let tail: [(key: [UInt8], string: Bool, optional: Bool)] = [
        (Array(#","occurredOn":""#.utf8), true, false), (Array(#","recordedAt":""#.utf8), true, false),
        (Array(#","schemaVersion":"#.utf8), false, true), (Array(#","seq":"#.utf8), false, false),
        (Array(#","stream":""#.utf8), true, false), (Array(#","streamVersion":"#.utf8), false, false),
        (Array(#","type":""#.utf8), true, false),
    ]
    /// Which of `tail` is `seq`.
    private static let tailSeq = 3

    /// Whether `line` has seq `want` and its own leafHash, read without
    /// proving the whole line canonical; if so its leaf hash is at `out`.
    /// False also for a line this does not read (the strict way then does).
    ///
    /// `leafHash` is the last `,"leafHash":"` of the line, and what follows
    /// its 64 hex digits must be exactly the top-level members an export line
    /// ends with (`occurredOn` … `type`), as flat strings without escapes and
    /// digits, to the line's closing brace. Those bytes hold no quote inside
    /// a string and no brace, so they can only be the top level: the member
    /// is where the contract puts it. What stays unproved, the bytes before
    /// it, is hashed; and a leaf hash computed here joins the tree whose root
    /// must be the signed one, so a line whose hashed bytes are not the
    /// ledger's record byte for byte fails at the root, not silently. (Lines
    /// past the checkpoint's size, which no root covers, never come here.)
    /// What the whole proof would cost (a third of the work: `CanonicalScanner`
    /// over every byte) buys only naming: which is why `ExportVerifier`
    /// checks the file again the strict way when it fails.
    static func hashExportedLineQuickly(_ line: UnsafeRawBufferPointer, want: UInt64, into out: UnsafeMutableRawPointer) -> Bool {
        guard let cut = lastIndex(of: leafHashStart, anchor: 6, in: line) else { return false }  // the H
        let end = cut + leafHashStart.count + 2 * TreeHash.byteCount + 1
        guard end <= line.count, line[end - 1] == UInt8(ascii: "\""), topLevelSeq(line, from: end) == want else {
            return false
        }
        ExportVerifier.leafHash(ofLine: line, without: cut..<end).withUnsafeBytes {
            out.copyMemory(from: $0.baseAddress!, byteCount: TreeHash.byteCount)
        }
        return isLowercaseHex(of: out, at: line.baseAddress! + cut + leafHashStart.count)
    }

    /// The seq of a line whose bytes from `start` are exactly `tail` and the
    /// closing brace; nil if they are anything else.
    static func topLevelSeq(_ line: UnsafeRawBufferPointer, from start: Int) -> UInt64? {
        var at = start
        var seq: UInt64?
        for (index, member) in tail.enumerated() {
            guard line.count - at >= member.key.count,
                  member.key.withUnsafeBytes({ memcmp(line.baseAddress! + at, $0.baseAddress!, member.key.count) }) == 0
            else {
                if member.optional { continue }
                return nil
            }
            at += member.key.count
            if member.string {
                // To the closing quote; a backslash (an escape) is left to the strict way.
                while at < line.count, line[at] != UInt8(ascii: "\""), line[at] != UInt8(ascii: "\\") { at += 1 }
                guard at < line.count, line[at] == UInt8(ascii: "\"") else { return nil }
                at += 1
            } else {
                var value: UInt64 = 0
                let first = at
                while at < line.count, line[at] &- UInt8(ascii: "0") < 10, at - first < 19 {
                    value = value * 10 + UInt64(line[at] &- UInt8(ascii: "0"))
                    at += 1
                }
                guard at > first else { return nil }
                if index == tailSeq { seq = value }
            }
        }
        guard line.count - at == 1, line[at] == UInt8(ascii: "}") else { return nil }
        return seq
    }

    /// Whether the 64 bytes at `claimed` are the 32 at `hash` in lowercase hex.
    static func isLowercaseHex(of hash: UnsafeRawPointer, at claimed: UnsafeRawPointer) -> Bool {
        hexDigits.withUnsafeBufferPointer { digits in
            for k in 0..<TreeHash.byteCount {
                let byte = hash.load(fromByteOffset: k, as: UInt8.self)
                guard claimed.load(fromByteOffset: 2 * k, as: UInt8.self) == digits[Int(byte >> 4)],
                      claimed.load(fromByteOffset: 2 * k + 1, as: UInt8.self) == digits[Int(byte & 15)]
                else { return false }
            }
            return true
        }
    }

    /// Where `pattern` last starts in `line`; nil if nowhere. Found from
    /// the end by its byte at `anchor` (one that is rare in an exported
    /// line, looked for eight bytes at a time), then compared whole.
    static func lastIndex(of pattern: [UInt8], anchor: Int, in line: UnsafeRawBufferPointer) -> Int? {
        precondition(anchor >= 0 && anchor < pattern.count, "the anchor lies in the pattern")
        guard pattern.count <= line.count else { return nil }
        let base = line.baseAddress!
        let byte = pattern[anchor]
        // Candidates for the anchor: from the last place a whole pattern could hold it, backward.
        var limit = line.count - pattern.count + anchor + 1
        return pattern.withUnsafeBytes { p -> Int? in
            while limit > anchor, let found = Self.lastByte(byte, in: base, count: limit) {
                let at = found - anchor
                if at >= 0, memcmp(base + at, p.baseAddress!, pattern.count) == 0 { return at }
                limit = at + anchor
            }
            return nil
        }
    }

    /// The offset of the last `byte` in the `count` bytes at `base`; nil if none.
    /// Eight bytes at a time: a word has the byte where `x ^ pattern` has a zero byte.
    @inline(__always)
    static func lastByte(_ byte: UInt8, in base: UnsafeRawPointer, count: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let spread = ones &* UInt64(byte)
        var end = count
        while end >= 8 {
            let word = base.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) ^ spread
            if (word &- ones) & ~word & highs != 0 {
                // A zero byte is in this word: find the last one exactly.
                for offset in stride(from: end - 1, through: end - 8, by: -1)
                where base.load(fromByteOffset: offset, as: UInt8.self) == byte {
                    return offset
                }
            }
            end -= 8
        }
        for offset in stride(from: end - 1, through: 0, by: -1) where base.load(fromByteOffset: offset, as: UInt8.self) == byte {
            return offset
        }
        return nil
    }

    /// Whether `line` is exactly as exported with seq `want`; if so its leaf hash is at `out`.
    /// `members` is scratch space, reused from line to line.
    static func hashExportedLine(
        _ line: UnsafeRawBufferPointer, want: UInt64, members: inout [CanonicalScanner.Member],
        into out: UnsafeMutableRawPointer
    ) -> Bool {
        guard CanonicalScanner.topLevelMembers(line, into: &members) else { return false }
        let base = line.baseAddress!
        var seqIndex = -1, leafIndex = -1
        for (index, member) in members.enumerated() {
            let key = base + member.key.lowerBound
            if member.key.count == 3, key.load(as: UInt8.self) == UInt8(ascii: "s"),
               key.load(fromByteOffset: 1, as: UInt8.self) == UInt8(ascii: "e"),
               key.load(fromByteOffset: 2, as: UInt8.self) == UInt8(ascii: "q")
            {
                seqIndex = index
            } else if member.key.count == 8, key.loadUnaligned(as: UInt64.self) == Self.leafHashKey {
                leafIndex = index
            }
        }
        guard seqIndex >= 0, leafIndex >= 0 else { return false }
        var seq: UInt64 = 0
        for offset in members[seqIndex].value {
            let digit = line[offset] &- UInt8(ascii: "0")
            guard digit < 10 else { return false }
            seq = seq &* 10 &+ UInt64(digit)
        }
        guard seq == want else { return false }
        let leafValue = members[leafIndex].value
        guard leafValue.count == 2 + 2 * TreeHash.byteCount else { return false }
        ExportVerifier.leafHash(ofLine: line, members: members, leafHashIndex: leafIndex).withUnsafeBytes {
            out.copyMemory(from: $0.baseAddress!, byteCount: TreeHash.byteCount)
        }
        // The claimed hash must be the computed one in lowercase hex.
        return isLowercaseHex(of: out, at: base + leafValue.lowerBound + 1)
    }
}
