import Foundation
@testable import LedgerClient
import LedgerJSON
import LedgerMerkle
import Testing

/// Verifying a ledger month by month: what one verification proved (a
/// `VerifiedPrefix`) lets the next read only the events after it, and still
/// proves the new checkpoint extends the old one.
@Suite struct VerifiedPrefixTests {
    /// A ledger's export lines, and a signer that signs its checkpoints at any size.
    struct Ledger {
        let lines: [[UInt8]]
        let signer: NoteSigner
        let origin: String
        var key: String { signer.verifierKey }

        /// `count` records (the same as `ExportVerifierTests.export`'s, with
        /// `alteredSeq` carrying other minutes), signed by `signer`.
        init(count: Int, signer: NoteSigner? = nil, origin: String = "test.local/ledger", alteredSeq: Int? = nil) throws {
            self.signer = try signer ?? NoteSigner.generate(name: "test.local/ledger")
            self.origin = origin
            lines = (1...count).map { seq in
                var record: [String: JSONValue] = [
                    "seq": .int(Int64(seq)), "type": .string("MeetingHeld"), "stream": .string("org:C\(seq % 3)"),
                    "data": .object(["minutes": .string(seq == alteredSeq ? "sửa lại" : "Chi bộ họp tháng \(seq)")]),
                ]
                record["leafHash"] = .string(RFC9162.leafHash(CanonicalJSON.encode(.object(record))).hex)
                return CanonicalJSON.encode(.object(record))
            }
        }

        /// The signed checkpoint of the first `size` events.
        func checkpoint(_ size: Int) throws -> String {
            var range = CompactRange()
            for line in lines.prefix(size) {
                guard case .object(let record)? = try? JSONParser.parse(line), let hex = record["leafHash"]?.stringValue,
                      let leaf = TreeHash(hex: hex) else { throw CocoaError(.coderReadCorrupt) }
                range.append(leaf)
            }
            return try signer.sign(Checkpoint(origin: origin, size: UInt64(size), rootHash: range.root())).formatted
        }

        /// Verifies `lines[seqs]` (1-based, inclusive) against the checkpoint of `size` (of `signed`'s
        /// lines, by default these), after `prefix`.
        func verify(_ seqs: ClosedRange<Int>?, size: Int, after prefix: VerifiedPrefix? = nil, signed: Ledger? = nil) throws
            -> ExportVerifier.Result
        {
            let part = seqs.map { Array(lines[($0.lowerBound - 1)..<$0.upperBound]) } ?? []
            let path = NSTemporaryDirectory() + "part-\(UUID().uuidString).jsonl"
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = FileManager.default.createFile(atPath: path, contents: Data(part.flatMap { $0 + [10] }))
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            var verifier = try ExportVerifier(signedCheckpoint: (signed ?? self).checkpoint(size), verifierKey: key,
                                              lineBytesMax: 4096, after: prefix)
            verifier.readBufferBytes = 64 << 10
            return verifier.verify(fileDescriptor: fd)
        }

        /// What verifying the first `size` events proves.
        func prefix(_ size: Int) throws -> VerifiedPrefix {
            let result = try verify(size == 0 ? nil : 1...size, size: size)
            let range = try #require(result.verifiedRange, "\(result.failure ?? "")")
            return try VerifiedPrefix(note: checkpoint(size), verifierKey: key, range: range)
        }
    }

    /// Resuming at any size, including inside and at the edges of the
    /// verifier's blocks of 16 384 lines, ends at the tree a whole
    /// verification ends at.
    @Test(arguments: [(0, 5), (1, 5), (3, 3), (7, 20_000), (16_384, 40_000), (16_385, 32_768), (20_001, 40_000)])
    func aResumedVerificationEndsAtTheWholeOnesTree(sizes: (Int, Int)) throws {
        let (before, after) = sizes
        let ledger = try Ledger(count: after)
        let whole = try ledger.verify(1...after, size: after)
        #expect(whole.ok)
        let prefix = try ledger.prefix(before)
        let resumed = try ledger.verify(before < after ? (before + 1)...after : nil, size: after, after: prefix)
        #expect(resumed.ok, "\(resumed.failure ?? "")")
        #expect(resumed.linesRead == UInt64(after - before))
        #expect(resumed.prefixSize == UInt64(before))
        #expect(resumed.rootHash == whole.rootHash)
        #expect(resumed.verifiedRange == whole.verifiedRange)
    }

    @Test func aPrefixFileReadsBackAndRefusesEveryDamage() throws {
        let ledger = try Ledger(count: 45)
        let prefix = try ledger.prefix(45)
        #expect(try VerifiedPrefix(json: prefix.json, verifierKey: ledger.key) == prefix)
        guard case .object(let object)? = try? JSONParser.parse(prefix.json) else { Issue.record("not JSON"); return }
        #expect(object["size"] == 45 && object["origin"] == "test.local/ledger" && object["range"]?.arrayValue?.count == 4)

        func refusal(_ change: (inout [String: JSONValue]) -> Void, key: String? = nil) -> String {
            var damaged = object
            change(&damaged)
            do {
                _ = try VerifiedPrefix(json: CanonicalJSON.encode(.object(damaged)), verifierKey: key ?? ledger.key)
                return "accepted"
            } catch {
                return error.description
            }
        }
        // One digit of a subtree's hash.
        #expect(refusal { o in
            var hashes = o["range"]!.arrayValue!
            let hex = hashes[1].stringValue!
            hashes[1] = .string((hex.first == "0" ? "1" : "0") + hex.dropFirst())
            o["range"] = .array(hashes)
        }.contains("is not the root its checkpoint signs"))
        // A size that does not fit the hashes (44 has three bits set, 45 four), or the checkpoint.
        #expect(refusal { $0["size"] = 44 }.contains("its range is not a tree's"))
        #expect(refusal { $0["size"] = 46 }.contains("its tree has 46 leaves but its checkpoint signs 45"))
        // Another ledger's key, a checkpoint of another size, the wrong format.
        let other = try Ledger(count: 1)
        #expect(refusal({ _ in }, key: other.key).contains("does not verify with the key"))
        #expect(refusal { o in o["checkpoint"] = .string(try! ledger.checkpoint(44)) }.contains("its checkpoint signs 44"))
        #expect(refusal { $0["format"] = "ledger-verified-prefix/0" }.contains("its format is not"))
        #expect(refusal { $0["range"] = .array([1, 2, 3]) }.contains("64-digit hex"))
        #expect(throws: VerifiedPrefix.Problem.self) { try VerifiedPrefix(json: Array("not json".utf8), verifierKey: ledger.key) }
    }

    /// A ledger rolled back, forked, or another ledger is refused before
    /// any line is read; a fork after the prefix is caught by the root.
    @Test func aCheckpointThatCannotExtendThePrefixIsRefused() throws {
        let ledger = try Ledger(count: 60)
        let prefix = try ledger.prefix(40)
        func mismatch(_ checkpoint: String, key: String? = nil) -> String {
            do {
                _ = try ExportVerifier(signedCheckpoint: checkpoint, verifierKey: key ?? ledger.key, after: prefix)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(mismatch(try ledger.checkpoint(30)).hasPrefix("ROLLBACK: the checkpoint signs 30 events, fewer than the 40"))
        // The same signer, another history of the same size.
        let forked = try Ledger(count: 60, signer: ledger.signer, alteredSeq: 12)
        #expect(mismatch(try forked.checkpoint(40)).hasPrefix("FORK: the checkpoint signs 40 events with the root"))
        let elsewhere = try Ledger(count: 60, signer: ledger.signer, origin: "other.local/ledger")
        #expect(mismatch(try elsewhere.checkpoint(50)).contains("is of the ledger other.local/ledger"))
        #expect(mismatch(try ledger.checkpoint(40)) == "accepted")

        // Forked at seq 12, before the prefix: its events 41…60 hash as they
        // should, and only the root, grown from the prefix, disagrees.
        let grown = try forked.verify(41...60, size: 60, after: prefix)
        #expect(!grown.ok && grown.badSeq == nil)
        #expect(grown.failure?.contains("or the ledger was rewritten at or before seq 40 since it was verified (a fork)") == true,
                "\(grown.failure ?? "")")
        // Read whole, the same fork is met at the prefix's size.
        let whole = try forked.verify(1...60, size: 60, after: prefix)
        #expect(whole.failure?.hasPrefix("FORK: events 1...40 of the export have the root") == true, "\(whole.failure ?? "")")
    }

    /// With the ledger's other checkpoints, a difference is placed: a fork
    /// at or before the prefix, or an export that differs after it.
    @Test func theLedgersCheckpointsPlaceADifferenceBeforeOrAfterThePrefix() throws {
        let ledger = try Ledger(count: 60)
        let prefix = try ledger.prefix(40)
        /// `export`'s lines `seqs`, checked against `signed`'s checkpoints of `sizes` and of 60.
        func locate(_ export: Ledger, _ seqs: ClosedRange<Int>, _ signed: Ledger, _ sizes: [Int]) throws
            -> ExportVerifier.Divergence?
        {
            let path = NSTemporaryDirectory() + "part-\(UUID().uuidString).jsonl"
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = FileManager.default.createFile(
                atPath: path, contents: Data(export.lines[(seqs.lowerBound - 1)..<seqs.upperBound].flatMap { $0 + [10] }))
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            let verifier = try ExportVerifier(signedCheckpoint: signed.checkpoint(60), verifierKey: signed.key, after: prefix)
            let listed = try sizes.map { ExportVerifier.ListedCheckpoint(size: UInt64($0), note: try signed.checkpoint($0)) }
            return verifier.locateDivergence(fileDescriptor: fd, checkpoints: listed, verifierKey: signed.key)
        }
        // The ledger forked at seq 12: its own checkpoint of 40 events has another root than the prefix.
        let forked = try Ledger(count: 60, signer: ledger.signer, alteredSeq: 12)
        let fork = try locate(forked, 41...60, forked, [10, 20, 40, 50])
        #expect(fork?.from == 1 && fork?.through == 40 && fork?.forkedBeforePrefix == true)
        #expect(try locate(forked, 1...60, forked, [10, 20, 40, 50])?.forkedBeforePrefix == true)
        // Read whole, the forked export agrees with the forked ledger's other checkpoints: nothing to
        // place (the verification says FORK at the prefix's size).
        #expect(try locate(forked, 1...60, forked, [10, 20, 50]) == nil)
        // A whole export rewritten at seq 12 (the ledger not): placed, and no fork claimed.
        let early = try locate(forked, 1...60, ledger, [10, 20, 50])
        #expect(early?.from == 11 && early?.through == 20 && early?.forkedBeforePrefix == false)
        // The export rewritten at seq 52 with its leafHash (so only roots see it), the ledger not:
        // placed after the prefix once a checkpoint of the ledger confirms the prefix (its own size,
        // or a later one the export matches up to); from seq 1 when none does (a fork before the
        // prefix would look the same).
        let altered = try Ledger(count: 60, signer: ledger.signer, alteredSeq: 52)
        let confirmed = try locate(altered, 41...60, ledger, [40, 45, 50, 55])
        #expect(confirmed?.from == 51 && confirmed?.through == 55)
        let later = try locate(altered, 41...60, ledger, [45, 50, 55])
        #expect(later?.from == 51 && later?.through == 55)
        let unconfirmed = try locate(altered, 41...60, ledger, [55])
        #expect(unconfirmed?.from == 1 && unconfirmed?.through == 55)
        let whole = try locate(altered, 1...60, ledger, [45, 50, 55])
        #expect(whole?.from == 51 && whole?.through == 55)
    }

    @Test func aCheckpointStandsToOneVerifiedBefore() {
        let a = TreeHash(hex: String(repeating: "1", count: 64))!, b = TreeHash(hex: String(repeating: "2", count: 64))!
        let old = Checkpoint(origin: "x.example/ledger", size: 40, rootHash: a)
        func to(_ origin: String, _ size: UInt64, _ root: TreeHash) -> CheckpointSuccession {
            CheckpointSuccession(from: old, to: Checkpoint(origin: origin, size: size, rootHash: root))
        }
        #expect(to("x.example/ledger", 40, a) == .same)
        #expect(to("x.example/ledger", 40, b) == .forked)
        #expect(to("x.example/ledger", 39, a) == .rolledBack)
        #expect(to("x.example/ledger", 41, b) == .grows)
        #expect(to("y.example/ledger", 40, a) == .otherLedger)
    }

    @Test func theExportMustStartRightAfterThePrefix() throws {
        let ledger = try Ledger(count: 60)
        let prefix = try ledger.prefix(40)
        // Whole (from seq 1) or after the prefix (from 41): both verify; from anywhere else, not.
        #expect(try ledger.verify(1...60, size: 60, after: prefix).ok)
        let elsewhere = try ledger.verify(2...60, size: 60, after: prefix)
        #expect(elsewhere.badSeq == 41)
        #expect(elsewhere.failure?.contains("line 1 has seq 2; want 41") == true, "\(elsewhere.failure ?? "")")
        // A whole export whose first line is damaged is still taken as whole: seq 1 is named.
        var damaged = ledger.lines
        damaged[0] = Array("not an event".utf8)
        let first = try Ledger(lines: damaged, signer: ledger.signer, origin: ledger.origin)
            .verify(1...60, size: 60, after: prefix, signed: ledger)
        #expect(first.badSeq == 1 && first.firstSeq == 1, "\(first.failure ?? "")")
        let gap = try ledger.verify(42...60, size: 60, after: prefix)
        #expect(gap.badSeq == 41)
        let empty = try ledger.verify(nil, size: 60, after: prefix)
        #expect(empty.failure == "the export is empty but the checkpoint covers 60 events, 20 after the 40 verified before")
        let nothingNew = try ledger.verify(nil, size: 40, after: prefix)
        #expect(nothingNew.ok && nothingNew.linesRead == 0 && nothingNew.verifiedRange == prefix.range)
    }

    @Test func anAlteredLineAfterThePrefixIsNamed() throws {
        let ledger = try Ledger(count: 60)
        let prefix = try ledger.prefix(40)
        var lines = ledger.lines
        // Event 50's minutes changed, its leafHash left as it was.
        let text = String(decoding: lines[49], as: UTF8.self).replacingOccurrences(of: "tháng 50", with: "tháng 05")
        lines[49] = Array(text.utf8)
        let altered = Ledger(lines: lines, signer: ledger.signer, origin: ledger.origin)
        let result = try altered.verify(41...60, size: 60, after: prefix)
        #expect(result.badSeq == 50)
        #expect(result.failure?.contains("seq 50 was altered") == true, "\(result.failure ?? "")")
    }
}

extension VerifiedPrefixTests.Ledger {
    init(lines: [[UInt8]], signer: NoteSigner, origin: String) {
        self.lines = lines
        self.signer = signer
        self.origin = origin
    }
}
