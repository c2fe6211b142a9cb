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
    static func export(count: Int) throws -> (lines: [[UInt8]], checkpoint: String, key: String) {
        let signer = try NoteSigner.generate(name: "test.local/ledger")
        var range = CompactRange()
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
            record["leafHash"] = .string(leaf.hex)
            lines.append(CanonicalJSON.encode(.object(record)))
        }
        let note = try signer.sign(Checkpoint(origin: "test.local/ledger", size: UInt64(count), rootHash: range.root()))
        return (lines, note.formatted, signer.verifierKey)
    }

    static func verify(_ lines: [[UInt8]], checkpoint: String, key: String) throws -> ExportVerifier.Result {
        let path = NSTemporaryDirectory() + "export-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes: [UInt8] = lines.flatMap { $0 + [10] }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return try ExportVerifier(signedCheckpoint: checkpoint, verifierKey: key).verify(fileDescriptor: fd)
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
