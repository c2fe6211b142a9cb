import Crypto
import Foundation
@testable import LedgerClient
import LedgerJSON
import LedgerMerkle
import Testing

/// Offline verification of an export, through both of its paths: canonical
/// lines (as exported) hashed in place, and any other valid JSON re-encoded.
@Suite struct ExportVerifierTests {
    /// Records as the ledger stores them, their export lines and a signed checkpoint.
    static func export(count: Int, checkpointSize: Int? = nil) throws -> (lines: [[UInt8]], checkpoint: String, key: String) {
        let signer = try NoteSigner.generate(name: "test.local/ledger")
        var range = CompactRange()
        var signedRoot: TreeHash?
        var lines: [[UInt8]] = []
        for seq in 1...count {
            var record: [String: JSONValue] = [
                "seq": .int(Int64(seq)), "id": .string("00000000-0000-4000-8000-\(String(format: "%012d", seq))"),
                "type": .string("MeetingHeld"), "occurredOn": .string("2026-01-\(String(format: "%02d", seq % 28 + 1))"),
                "recordedAt": .string("2026-11-29T03:00:00.123Z"),
                "actor": .object(["uid": .int(1000), "user": .string("an")]),
                "stream": .string("org:C\(seq % 3)"), "streamVersion": .int(Int64(seq)),
                "data": .object(["cell": .string("C\(seq % 3)"), "minutes": .string("Chi bộ họp \"thường kỳ\"\n\ttháng \(seq)")]),
            ]
            if seq % 2 == 0 { record["idempotencyKey"] = .string("k-\(seq)") }
            let leaf = RFC9162.leafHash(CanonicalJSON.encode(.object(record)))
            range.append(leaf)
            if seq == checkpointSize { signedRoot = range.root() }
            record["leafHash"] = .string(leaf.hex)
            lines.append(CanonicalJSON.encode(.object(record)))
        }
        let note = try signer.sign(Checkpoint(
            origin: "test.local/ledger", size: UInt64(checkpointSize ?? count), rootHash: signedRoot ?? range.root()))
        return (lines, note.formatted, signer.verifierKey)
    }

    /// Verifies `lines` written to a file; `readBufferBytes` small makes lines cross the read
    /// buffer's edges often.
    static func verify(_ lines: [[UInt8]], checkpoint: String, key: String, readBufferBytes: Int? = nil,
                       progress: ((UInt64) -> Void)? = nil) throws -> ExportVerifier.Result {
        let path = NSTemporaryDirectory() + "export-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes: [UInt8] = lines.flatMap { $0 + [10] }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var verifier = try ExportVerifier(signedCheckpoint: checkpoint, verifierKey: key, lineBytesMax: 4096)
        if let readBufferBytes { verifier.readBufferBytes = readBufferBytes }
        return verifier.verify(fileDescriptor: fd, progress: progress)
    }

    /// A validly signed checkpoint of an absurd size (C2SP allows up to
    /// 2^64 - 1) is refused with a message, not a trap.
    @Test(arguments: [UInt64(1) << 53 + 1, UInt64(1) << 63, UInt64.max])
    func aCheckpointBeyondAnyExportIsRefused(size: UInt64) throws {
        let signer = try NoteSigner.generate(name: "test.local/ledger")
        let note = try signer.sign(Checkpoint(origin: "test.local/ledger", size: size, rootHash: RFC9162.emptyRoot))
        #expect(throws: CheckpointError.self) {
            _ = try ExportVerifier(signedCheckpoint: note.formatted, verifierKey: signer.verifierKey)
        }
    }

    @Test func canonicalLinesTakeTheFastPathAndAgreeWithTheGeneralOne() throws {
        let (lines, checkpoint, key) = try Self.export(count: 40)
        for line in lines {
            let fast = try #require(ExportVerifier.leafOfCanonicalLine(line))
            guard case .object(var record) = try JSONParser.parse(line) else { Issue.record("not an object"); return }
            let claimed = record.removeValue(forKey: "leafHash")?.stringValue
            #expect(fast.claimed == claimed)
            #expect(fast.computed == RFC9162.leafHash(CanonicalJSON.encode(.object(record))))
            #expect(fast.seq == record["seq"]?.intValue)
        }
        let result = try Self.verify(lines, checkpoint: checkpoint, key: key)
        #expect(result.ok, "\(result.failure ?? "")")
        #expect(result.linesRead == 40)
    }

    @Test func reformattedLinesGoTheGeneralPathAndStillVerify() throws {
        let (lines, checkpoint, key) = try Self.export(count: 12)
        let pretty = try lines.map { Array(try JSONParser.parse($0).prettyPrinted().utf8.filter { $0 != 10 }) }
        for line in pretty { #expect(ExportVerifier.leafOfCanonicalLine(line) == nil) }
        let result = try Self.verify(pretty, checkpoint: checkpoint, key: key)
        #expect(result.ok, "\(result.failure ?? "")")
    }

    @Test(arguments: [false, true])
    func anAlteredLineIsNamedOnEitherPath(reformatted: Bool) throws {
        var (lines, checkpoint, key) = try Self.export(count: 20)
        if reformatted {
            lines = try lines.map { Array(try JSONParser.parse($0).prettyPrinted().utf8.filter { $0 != 10 }) }
        }
        // "tháng 7" → "tháng 8" in seq 7's minutes.
        let line = lines[6]
        let needle = Array("tháng 7".utf8)
        let at = try #require((0...(line.count - needle.count)).first { Array(line[$0..<($0 + needle.count)]) == needle })
        lines[6][at + needle.count - 1] = UInt8(ascii: "8")
        let result = try Self.verify(lines, checkpoint: checkpoint, key: key)
        #expect(!result.ok)
        #expect(result.badSeq == 7)
        #expect(result.failure?.contains("seq 7 was altered") == true)
    }

    @Test func aCutLeafHashOrSeqIsReportedNotTrapped() throws {
        let (lines, checkpoint, key) = try Self.export(count: 3)
        var noLeaf = lines
        noLeaf[1] = Array(String(decoding: lines[1], as: UTF8.self)
            .replacingOccurrences(of: #","leafHash":"[0-9a-f]{64}""#, with: "", options: .regularExpression).utf8)
        let result = try Self.verify(noLeaf, checkpoint: checkpoint, key: key)
        #expect(result.badSeq == 2)
        #expect(result.failure?.contains("no valid leafHash") == true)
        var zeroSeq = lines
        zeroSeq[0] = Array(String(decoding: lines[0], as: UTF8.self).replacingOccurrences(of: "\"seq\":1,", with: "\"seq\":0,").utf8)
        let second = try Self.verify(zeroSeq, checkpoint: checkpoint, key: key)
        #expect(second.badSeq == 1)
        #expect(second.failure?.contains("no valid seq") == true)
    }
}

/// Large exports go through the block path: blocks of up to 16 384 lines, each
/// an aligned subtree hashed on both cores, cut short at the checkpoint's size;
/// a block with any line not exactly as exported is redone line by line.
@Suite struct ExportVerifierBlockTests {
    static let shared = try! ExportVerifierTests.export(count: 3000, checkpointSize: 2500)

    @Test(arguments: [nil, 64 << 10] as [Int?])
    func aLargeExportVerifiesWithACheckpointInsideABlock(readBufferBytes: Int?) throws {
        let (lines, checkpoint, key) = Self.shared
        var reports: [UInt64] = []
        let result = try ExportVerifierTests.verify(lines, checkpoint: checkpoint, key: key,
                                                    readBufferBytes: readBufferBytes) { reports.append($0) }
        #expect(result.ok, "\(result.failure ?? "")")
        #expect(result.linesRead == 3000)
        #expect(result.checkpointSize == 2500)
        #expect(result.linesBeyondCheckpoint == 500)
        #expect(reports.last == 3000)
        // The root it reports is the one signed, computed here leaf by leaf.
        var range = CompactRange()
        for line in lines.prefix(2500) {
            guard case .object(var record) = try JSONParser.parse(line) else { return }
            record["leafHash"] = nil
            range.append(RFC9162.leafHash(CanonicalJSON.encode(.object(record))))
        }
        #expect(result.rootHash == range.root().hex)
    }

    @Test func theFastHashOfEveryLineIsTheGeneralOne() throws {
        let (lines, _, _) = Self.shared
        var members: [CanonicalScanner.Member] = []
        var out = [UInt8](repeating: 0, count: 32)
        for (index, line) in lines.prefix(300).enumerated() {
            let passed = line.withUnsafeBytes { raw in
                out.withUnsafeMutableBytes {
                    ExportBlockHasher.hashExportedLine(raw, want: UInt64(index + 1), members: &members, into: $0.baseAddress!)
                }
            }
            #expect(passed)
            #expect(out == ExportVerifier.leafOfCanonicalLine(line)?.computed.bytes)
            // The quick way finds the same members from the end, and the same hash.
            var quick = [UInt8](repeating: 0, count: 32)
            let quickly = line.withUnsafeBytes { raw in
                quick.withUnsafeMutableBytes {
                    ExportBlockHasher.hashExportedLineQuickly(raw, want: UInt64(index + 1), into: $0.baseAddress!)
                }
            }
            #expect(quickly && quick == out)
            let quickWrongSeq = line.withUnsafeBytes { raw in
                quick.withUnsafeMutableBytes {
                    ExportBlockHasher.hashExportedLineQuickly(raw, want: UInt64(index + 2), into: $0.baseAddress!)
                }
            }
            #expect(!quickWrongSeq)
            // The wrong seq, or the leafHash in capitals, is left to the careful path.
            let wrongSeq = line.withUnsafeBytes { raw in
                out.withUnsafeMutableBytes {
                    ExportBlockHasher.hashExportedLine(raw, want: UInt64(index + 2), members: &members, into: $0.baseAddress!)
                }
            }
            #expect(!wrongSeq)
        }
    }

    /// A line in another form (a space added) whose `leafHash` is recomputed
    /// over its own bytes passes the quick way, which does not prove lines
    /// canonical; the signed root then differs. From a file, the second pass
    /// (every line proved canonical) names its seq; from a pipe, which cannot
    /// be read again, only the root says so.
    /// `line` with a space after `"data":` and a `leafHash` recomputed over
    /// those bytes: another form, consistent with itself.
    static func reformattedWithItsOwnLeafHash(_ line: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: line, as: UTF8.self).replacingOccurrences(of: #""data":{"#, with: #""data": {"#)
        let leafRange = try #require(text.range(of: #","leafHash":"[0-9a-f]{64}""#, options: .regularExpression))
        let own = RFC9162.leafHash(Array(text.replacingCharacters(in: leafRange, with: "").utf8))
        return Array(text.replacingCharacters(in: leafRange, with: #","leafHash":""# + own.hex + "\"").utf8)
    }

    @Test(arguments: [false, true])
    func aLineInAnotherFormWithItsOwnLeafHashIsCaught(throughPipe: Bool) throws {
        let (lines, checkpoint, key) = Self.shared
        var changed = lines
        changed[1500] = try Self.reformattedWithItsOwnLeafHash(lines[1500])
        #expect(changed[1500].withUnsafeBytes { raw in
            var out = [UInt8](repeating: 0, count: 32)
            return out.withUnsafeMutableBytes { ExportBlockHasher.hashExportedLineQuickly(raw, want: 1501, into: $0.baseAddress!) }
        })
        let result: ExportVerifier.Result
        if throughPipe {
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            let bytes: [UInt8] = changed.flatMap { $0 + [10] }
            let writeEnd = fds[1]
            let written = DispatchSemaphore(value: 0)
            let writer = Thread {
                defer { written.signal() }
                bytes.withUnsafeBytes { raw in
                    var done = 0
                    while done < raw.count {
                        let n = write(writeEnd, raw.baseAddress! + done, raw.count - done)
                        if n <= 0 { break }
                        done += n
                    }
                }
                close(writeEnd)
            }
            writer.start()
            let verifier = try ExportVerifier(signedCheckpoint: checkpoint, verifierKey: key, lineBytesMax: 4096)
            result = verifier.verify(fileDescriptor: fds[0])
            // Read what the verifier left, so the writer ends (no SIGPIPE), then close.
            var rest = [UInt8](repeating: 0, count: 1 << 16)
            while read(fds[0], &rest, rest.count) > 0 {}
            written.wait()
            close(fds[0])
        } else {
            result = try ExportVerifierTests.verify(changed, checkpoint: checkpoint, key: key, readBufferBytes: 64 << 10)
        }
        #expect(!result.ok)
        if throughPipe {
            #expect(result.badSeq == nil)
            #expect(result.failure?.contains("the root of events 1...2500") == true)
        } else {
            #expect(result.badSeq == 1501, "\(result.failure ?? "")")
        }
    }

    /// Past the checkpoint's size no signed root covers the lines, so the
    /// quick way is not used there: such a line in another form, with its
    /// own recomputed `leafHash`, is named by the strict way's careful check.
    @Test func aLineInAnotherFormPastTheCheckpointIsNamed() throws {
        let (lines, checkpoint, key) = Self.shared
        var changed = lines
        changed[2700] = try Self.reformattedWithItsOwnLeafHash(lines[2700])
        let result = try ExportVerifierTests.verify(changed, checkpoint: checkpoint, key: key, readBufferBytes: 64 << 10)
        #expect(!result.ok)
        #expect(result.badSeq == 2701, "\(result.failure ?? "")")
    }

    /// The quick way's backward search agrees with a plain one, at every
    /// length and place (the word-at-a-time part and the bytes around it).
    @Test func theBackwardSearchFindsTheLastOccurrence() {
        var random = GarbageTests.SplitMix(state: 9162)
        let patterns: [[UInt8]] = [Array(#","leafHash":""#.utf8), Array(#","seq":"#.utf8), Array(#"q":"#.utf8)]
        let alphabet = Array(#","seqHleafash:"#.utf8)
        for _ in 0..<3000 {
            var line = (0..<Int(random.next() % 70)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let pattern = patterns[Int(random.next() % UInt64(patterns.count))]
            // Planted zero to three times, at the start, the end or anywhere (sometimes cut short).
            for _ in 0..<Int(random.next() % 4) {
                var planted = pattern
                if random.next() % 5 == 0 { planted.removeLast() }
                let at = [0, line.count, Int(random.next() % UInt64(line.count + 1))][Int(random.next() % 3)]
                line.insert(contentsOf: planted, at: at)
            }
            let anchor = Int(random.next() % UInt64(pattern.count))
            let naive = line.count < pattern.count ? nil
                : (0...(line.count - pattern.count)).last { Array(line[$0..<($0 + pattern.count)]) == pattern }
            let found = line.withUnsafeBytes { ExportBlockHasher.lastIndex(of: pattern, anchor: anchor, in: $0) }
            #expect(found == naive, "\(String(decoding: line, as: UTF8.self)) / \(String(decoding: pattern, as: UTF8.self)) @\(anchor)")
        }
    }

    /// The member moved into `data`, into `actor`, into a string, or to the
    /// line's start: the line minus it is still the ledger's record (so the
    /// root would hold), but it is not an export line. The quick way reads
    /// the members after `leafHash` exactly and so declines each; the line
    /// is named.
    @Test(arguments: ["data", "actor", "string", "start"])
    func aLeafHashMovedOutOfItsPlaceIsNamed(place: String) throws {
        let (lines, checkpoint, key) = Self.shared
        var changed = lines
        let text = String(decoding: lines[1200], as: UTF8.self)
        let leafRange = try #require(text.range(of: #","leafHash":"[0-9a-f]{64}""#, options: .regularExpression))
        let member = String(text[leafRange])
        let record = text.replacingCharacters(in: leafRange, with: "")
        let moved: String
        switch place {
        case "data": moved = record.replacingOccurrences(of: #"","minutes":""#, with: "\"" + member + #","minutes":""#)
        case "actor": moved = record.replacingOccurrences(of: #""actor":{"uid":1000"#, with: #""actor":{"uid":1000"# + member)
        case "string": moved = record.replacingOccurrences(of: "thường kỳ", with: "thường" + member + " kỳ")
        default: moved = member + record
        }
        #expect(moved != record && moved.utf8.count == record.utf8.count + member.utf8.count)
        changed[1200] = Array(moved.utf8)
        #expect(!changed[1200].withUnsafeBytes { raw in
            var out = [UInt8](repeating: 0, count: 32)
            return out.withUnsafeMutableBytes { ExportBlockHasher.hashExportedLineQuickly(raw, want: 1201, into: $0.baseAddress!) }
        })
        let result = try ExportVerifierTests.verify(changed, checkpoint: checkpoint, key: key, readBufferBytes: 64 << 10)
        #expect(!result.ok)
        #expect(result.badSeq == 1201, "\(result.failure ?? "")")
    }

    @Test func capitalLeafHashesTakeTheCarefulPathAndStillVerify() throws {
        let (lines, checkpoint, key) = Self.shared
        var shouting = lines
        for index in [5, 1999, 2700] {
            let text = String(decoding: lines[index], as: UTF8.self)
            let range = try #require(text.range(of: #""leafHash":"[0-9a-f]{64}""#, options: .regularExpression))
            shouting[index] = Array(text.replacingCharacters(in: range, with: text[range].uppercased().replacingOccurrences(of: "LEAFHASH", with: "leafHash")).utf8)
        }
        let result = try ExportVerifierTests.verify(shouting, checkpoint: checkpoint, key: key)
        #expect(result.ok, "\(result.failure ?? "")")
        #expect(result.linesRead == 3000)
    }

    /// Each fault deep inside a large block is named as the careful path words it.
    @Test(arguments: ["altered", "duplicated", "reordered", "dropped", "forged", "tooLong", "empty", "truncated"])
    func aFaultDeepInABlockIsNamed(fault: String) throws {
        var (lines, checkpoint, key) = Self.shared
        switch fault {
        case "altered":
            let text = String(decoding: lines[1776], as: UTF8.self)
            lines[1776] = Array(text.replacingOccurrences(of: "tháng 1777", with: "tháng 1778").utf8)
        case "duplicated": lines.insert(lines[1998], at: 1999)
        case "reordered": lines.swapAt(2200, 2201)
        case "dropped": lines.remove(at: 1024)
        case "forged":
            // Content and leafHash both changed: only the root can tell.
            guard case .object(var record) = try JSONParser.parse(lines[1500]) else { return }
            record["leafHash"] = nil
            record["data"] = .object(["cell": .string("C0"), "minutes": .string("forged")])
            record["leafHash"] = .string(RFC9162.leafHash(CanonicalJSON.encode(.object(record))).hex)
            lines[1500] = CanonicalJSON.encode(.object(record))
        case "tooLong": lines[2100] = Array(repeating: UInt8(ascii: "x"), count: 5000)
        case "empty": lines[3] = []
        default: lines.removeLast(600)
        }
        let result = try ExportVerifierTests.verify(lines, checkpoint: checkpoint, key: key, readBufferBytes: 64 << 10)
        #expect(!result.ok)
        switch fault {
        case "altered":
            #expect(result.badSeq == 1777)
            #expect(result.failure?.contains("seq 1777 was altered") == true)
        case "duplicated":
            #expect(result.badSeq == 2000)
            #expect(result.failure == "line 2000 has seq 1999; want 2000 (lines missing, duplicated or reordered)")
        case "reordered":
            #expect(result.badSeq == 2201)
            #expect(result.failure?.contains("line 2201 has seq 2202; want 2201") == true)
        case "dropped":
            #expect(result.badSeq == 1025)
            #expect(result.failure?.contains("has seq 1026; want 1025") == true)
        case "forged":
            #expect(result.badSeq == nil)
            #expect(result.failure?.contains("the root of events 1...2500") == true)
        case "tooLong":
            #expect(result.badSeq == 2101)
            #expect(result.failure == "line 2101: line longer than 4096 bytes")
        case "empty":
            #expect(result.badSeq == 4)
            #expect(result.failure == "line 4 is empty")
        default:
            #expect(result.badSeq == 2401)
            #expect(result.failure?.contains("the export ends at seq 2400") == true)
        }
    }
}

extension ExportVerifierBlockTests {
    /// Hostile input: one byte of one line changed, anywhere, to anything. The
    /// verifier names that line's seq every time, whichever path the block
    /// takes; the one change it may accept is a hex letter of `leafHash` in
    /// the other case (the same hash, as RFC 4648 hex is read either way).
    @Test func anyOneByteChangeIsNamed() throws {
        let (lines, checkpoint, key) = Self.shared
        var random = GarbageTests.SplitMix(state: 2026)
        for _ in 0..<60 {
            let index = Int(random.next() % UInt64(lines.count))
            let offset = Int(random.next() % UInt64(lines[index].count))
            var changed = lines
            var byte = UInt8(truncatingIfNeeded: random.next())
            if byte == lines[index][offset] { byte ^= 0x01 }
            changed[index][offset] = byte
            let result = try ExportVerifierTests.verify(changed, checkpoint: checkpoint, key: key, readBufferBytes: 64 << 10)
            if result.ok {
                #expect(Array(String(decoding: changed[index], as: UTF8.self).lowercased().utf8) == lines[index],
                        "line \(index + 1) byte \(offset) → \(byte) was accepted")
            } else {
                #expect(result.badSeq == UInt64(index + 1),
                        "line \(index + 1) byte \(offset) → \(byte): \(result.failure ?? "")")
            }
        }
    }
}

@Suite struct LineBlockReaderTests {
    /// All lines of `bytes` through `LineBlockReader`, asking for `want` at a time and reading
    /// ahead between blocks, with a small buffer.
    static func lines(of bytes: [UInt8], want: Int, lineBytesMax: Int = 4096, bufferBytes: Int = 1) throws -> [[UInt8]] {
        let path = NSTemporaryDirectory() + "blocks-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var reader = LineBlockReader(fd: fd, lineBytesMax: lineBytesMax, bufferBytes: bufferBytes)
        var out: [[UInt8]] = []
        while true {
            let ready = try reader.available(upTo: want)
            if ready == 0 { break }
            let taken = (0..<ready).map { Array(reader.line($0)) }
            // Reading ahead (and splitting the next block's lines) leaves the lines handed out as they are.
            reader.readAhead(splittingUpTo: ready + want)
            #expect((0..<ready).map { Array(reader.line($0)) } == taken)
            out += taken
            reader.consume(ready)
        }
        return out
    }

    @Test(arguments: [1, 3, 64, 1000])
    func linesAcrossBufferEdgesComeBackWhole(want: Int) throws {
        var random = GarbageTests.SplitMix(state: 5)
        var expected: [[UInt8]] = []
        var bytes: [UInt8] = []
        while bytes.count < 200_000 {
            let letter = UInt8(ascii: "a") + UInt8(random.next() % 26)
            let line = [UInt8](repeating: letter, count: Int(random.next() % 4097))
            expected.append(line)
            bytes.append(contentsOf: line)
            bytes.append(10)
        }
        #expect(try Self.lines(of: bytes, want: want) == expected)
        #expect(try Self.lines(of: Array("a\n\nbc".utf8), want: want) == [Array("a".utf8), [], Array("bc".utf8)])
        #expect(try Self.lines(of: [], want: want) == [])
    }

    @Test func theLinesBeforeAnOverlongOneComeFirst() throws {
        let bytes = Array("one\ntwo\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000) + [10]
        let path = NSTemporaryDirectory() + "blocks-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var reader = LineBlockReader(fd: fd, lineBytesMax: 4096, bufferBytes: 1)
        #expect(try reader.available(upTo: 10) == 2)
        #expect(Array(reader.line(1)) == Array("two".utf8))
        reader.consume(2)
        #expect(throws: LineReader.TooLong.self) { _ = try reader.available(upTo: 10) }
    }
}

@Suite struct LineReaderTests {
    static func lines(of bytes: [UInt8], lineBytesMax: Int = 1 << 20) throws -> [[UInt8]] {
        let path = NSTemporaryDirectory() + "lines-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var reader = LineReader(fd: fd, lineBytesMax: lineBytesMax)
        var out: [[UInt8]] = []
        while let line = try reader.next() { out.append(line) }
        return out
    }

    @Test func linesAcrossReadBoundariesComeBackWhole() throws {
        // ~2.5 MiB of lines of 0–3000 bytes: two of them straddle the 1 MiB reads.
        var random = GarbageTests.SplitMix(state: 3)
        var expected: [[UInt8]] = []
        var bytes: [UInt8] = []
        bytes.reserveCapacity(3 << 20)
        while bytes.count < 5 << 19 {
            let letter = UInt8(ascii: "a") + UInt8(random.next() % 26)
            let line = [UInt8](repeating: letter, count: Int(random.next() % 3000))
            expected.append(line)
            bytes.append(contentsOf: line)
            bytes.append(10)
        }
        #expect(try Self.lines(of: bytes) == expected)
        // A last line without its newline is returned too; empty lines are kept.
        #expect(try Self.lines(of: Array("a\n\nbc".utf8)) == [Array("a".utf8), [], Array("bc".utf8)])
        #expect(try Self.lines(of: []) == [])
    }

    @Test func aLineOverTheLimitIsRefused() {
        #expect(throws: LineReader.TooLong.self) {
            _ = try Self.lines(of: Array(repeating: UInt8(ascii: "x"), count: 5000) + [10], lineBytesMax: 4096)
        }
    }
}
