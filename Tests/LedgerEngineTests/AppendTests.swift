import Foundation
import LedgerEngine
import LedgerJSON
import LedgerMerkle
import Crypto
import Testing

@Suite struct AppendTests {
    @Test func eventsGetConsecutiveSeqsAndAreExportedWithTheirLeafHash() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let outcomes = await engine.append(setupEvents, actor: tester, atomic: true)
        #expect(outcomes.map(\.seq) == (1...7).map { Optional(UInt64($0)) })
        var lines: [[UInt8]] = []
        try engine.export { _, line in
            lines.append(line)
            return true
        }
        #expect(lines.count == 7)
        var leaves: [TreeHash] = []
        for (i, line) in lines.enumerated() {
            guard case .object(var record) = try JSONParser.parse(line) else { Issue.record("not an object"); return }
            // Each line is itself RFC 8785 canonical (leafHash in its sorted place).
            #expect(CanonicalJSON.encode(.object(record)) == line)
            #expect(record["seq"] == .int(Int64(i + 1)))
            #expect(record["actor"] == .object(["uid": 1000, "user": "an"]))
            let leafHex = try #require(record.removeValue(forKey: "leafHash")?.stringValue)
            var preimage: [UInt8] = [0]
            preimage += CanonicalJSON.encode(.object(record))
            #expect(Array(SHA256.hash(data: preimage)).hexString == leafHex)
            leaves.append(try #require(TreeHash(hex: leafHex)))
        }
        let status = try engine.status()
        #expect(status["size"] == 7)
        // The setup's commit is timed; its events are counted.
        let recent = try #require(status["recentCommits"])
        #expect(recent["commits"] == 1)
        #expect(recent["events"] == 7)
        let p50 = try #require(recent["p50Micros"]?.intValue), max = try #require(recent["maxMicros"]?.intValue)
        #expect(p50 > 0 && p50 <= max)
        var range = CompactRange()
        for leaf in leaves { range.append(leaf) { _, _, _ in } }
        #expect(status["rootHash"]?.stringValue == range.root().hex)
    }

    @Test func aRefusalNamesTheRuleAndWritesNothing() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        _ = await engine.append(setupEvents, actor: tester, atomic: true)
        let outcomes = await engine.append([
            event("MemberRegistered", ["memberId": "M009", "name": "Phạm Văn Dũng", "cell": "NOPE", "status": "official"]),
        ], actor: tester, atomic: false)
        #expect(outcomes.first?.errorCode == "refused")
        #expect(try engine.status()["size"] == 7)
        // A commit that wrote nothing is not timed as one that did.
        #expect(try engine.status()["recentCommits"]?["commits"] == 1)
    }

    @Test func anAtomicRequestIsAllOrNothingAndANonAtomicOneKeepsTheGood() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        _ = await engine.append(setupEvents, actor: tester, atomic: true)
        let batch = [
            meeting("CB01", on: "2024-01-10", attendees: ["M001", "M002"]),
            meeting("CB01", on: "2024-02-10", attendees: ["M001", "M404"]),
            meeting("CB01", on: "2024-03-10", attendees: ["M002"]),
        ]
        let atomic = await engine.append(batch, actor: tester, atomic: true)
        #expect(atomic.allSatisfy { $0.seq == nil })
        #expect(try engine.status()["size"] == 7)
        let loose = await engine.append(batch, actor: tester, atomic: false)
        #expect(loose.map(\.seq) == [8, nil, 9])
        #expect(try engine.status()["size"] == 9)
    }

    @Test func oneCallersBadEventNeverFailsAnotherCallersGoodOne() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        _ = await engine.append(setupEvents, actor: tester, atomic: true)
        let results = await withTaskGroup(of: (Int, AppendOutcome?).self) { group in
            for i in 0..<40 {
                group.addTask {
                    let member = i % 2 == 0 ? "M001" : "GHOST"
                    let e = event("MemberTaskAssigned", ["memberId": .string(member), "task": .string("Việc \(i)")])
                    return (i, await engine.append([e], actor: tester, atomic: true).first)
                }
            }
            var collected: [Int: AppendOutcome?] = [:]
            for await (i, outcome) in group { collected[i] = outcome }
            return collected
        }
        for (i, outcome) in results {
            if i % 2 == 0 { #expect(outcome?.seq != nil) } else { #expect(outcome?.errorCode == "refused") }
        }
        #expect(try engine.status()["size"] == 27)
        let verdict = try engine.verify()
        #expect(verdict["ok"] == true, "\(verdict)")
    }

    @Test func idempotencyKeysReturnTheFirstSeqOrRefuseADifferentEvent() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        _ = await engine.append(setupEvents, actor: tester, atomic: true)
        let task = event("MemberTaskAssigned", ["memberId": "M001", "task": "Báo cáo quý"], key: "req-1")
        let first = await engine.append([task], actor: tester, atomic: true)
        let again = await engine.append([task], actor: tester, atomic: true)
        #expect(first.first?.seq == 8)
        #expect(again.first?.seq == 8)
        #expect(try engine.status()["size"] == 8)
        let other = event("MemberTaskAssigned", ["memberId": "M001", "task": "Việc khác"], key: "req-1")
        #expect(await engine.append([other], actor: tester, atomic: true).first?.errorCode == "idempotency-mismatch")
        #expect(try engine.status()["size"] == 8)
    }

    @Test func expectedVersionMustMatchTheStream() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        _ = await engine.append(setupEvents, actor: tester, atomic: true)
        // member/M001 is at version 1 (its registration).
        let stale = event("MemberTaskAssigned", ["memberId": "M001", "task": "A"], expectedVersion: 0)
        #expect(await engine.append([stale], actor: tester, atomic: true).first?.errorCode == "conflict")
        let fresh = event("MemberTaskAssigned", ["memberId": "M001", "task": "A"], expectedVersion: 1)
        #expect(await engine.append([fresh], actor: tester, atomic: true).first?.seq == 8)
    }

    @Test func malformedEventsAreRefusedAsBadArguments() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let outcomes = await engine.append([
            event("NoSuchEvent", [:]),
            event("OrganizationRegistered", ["code": "B", "name": "X", "kind": "bloc"], on: "2013-02-30"),
            .object(["type": "OrganizationRegistered", "occurredOn": "2013-02-03", "data": .object(["code": "B", "name": "X", "kind": "bloc", "weight": .double(1.5)])]),
        ], actor: tester, atomic: false)
        #expect(outcomes.map(\.errorCode) == ["bad-arguments", "bad-arguments", "bad-arguments"])
    }

    @Test func stateSurvivesARestartWithAndWithoutASnapshot() async throws {
        for snapshotEvery: UInt64 in [3, 1_000] {
            let dir = TempDir()
            var engine = try openEngine(dir, snapshotEvery: snapshotEvery)
            _ = await engine.append(setupEvents, actor: tester, atomic: true)
            _ = await engine.append([meeting("CB01", on: "2024-01-10", attendees: ["M001"])], actor: tester, atomic: true)
            engine.shutdown()
            engine = try openEngine(dir, snapshotEvery: snapshotEvery)
            // M003 is probationary: confirmation is accepted once, then refused.
            let confirm = event("MemberConfirmed", ["memberId": "M003"], on: "2013-01-03")
            #expect(await engine.append([confirm], actor: tester, atomic: true).first?.seq == 9)
            #expect(await engine.append([confirm], actor: tester, atomic: true).first?.errorCode == "refused")
            let verdict = try engine.verify()
            #expect(verdict["ok"] == true, "\(verdict)")
            engine.shutdown()
        }
    }
}

extension Array where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
