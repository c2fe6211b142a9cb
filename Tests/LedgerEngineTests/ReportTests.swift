import Foundation
import LedgerDemo
import LedgerEngine
import LedgerJSON
import Testing

/// The engine's projections against the demo generator's own model: the
/// expected figures come from the model (kept while generating), never from
/// the projection code.
@Suite(.serialized) struct ReportTests {
    /// One generated ledger, appended through the real engine and LMDB.
    final class Loaded: @unchecked Sendable {
        let dir = TempDir()
        let engine: LedgerEngine
        let events: [JSONValue]
        let model: DemoModel

        init(events count: Int, seed: UInt64) async throws {
            var configuration = DemoConfiguration.sized(events: count, seed: seed)
            configuration.retractionsPerMillion = 20_000
            (events, model) = DemoGenerator(configuration).generateAll()
            engine = try openEngine(dir)
            var refused: [String] = []
            for chunk in stride(from: 0, to: events.count, by: 500) {
                let outcomes = await engine.append(Array(events[chunk..<min(chunk + 500, events.count)]), actor: tester, atomic: false)
                for (i, outcome) in outcomes.enumerated() where outcome.seq == nil {
                    refused.append("event \(chunk + i + 1): \(outcome.json.canonicalString)")
                }
            }
            #expect(refused.isEmpty, "\(refused.prefix(5))")
        }

        func report(_ org: String, _ from: String, _ to: String, atSeq: UInt64? = nil) throws -> JSONValue {
            try engine.query(QueryRequest(kind: .report(org: org, from: from, to: to, format: "json"), atSeq: atSeq))
        }

        deinit { engine.shutdown() }
    }

    @Test func reportsMatchTheGeneratorsModelForEveryScopeAndPeriod() async throws {
        let loaded = try await Loaded(events: 6_000, seed: 11)
        let model = loaded.model
        let first = try #require(model.firstDate), last = try #require(model.lastDate)
        let year = String(last.prefix(4))
        let periods = [
            (first, last), ("\(year)-01-01", "\(year)-12-31"), ("\(year)-02-10", "\(year)-05-20"),
            ("\(year)-03-01", "\(year)-03-31"), ("\(year)-03-05", "\(year)-03-25"),
        ]
        let orgs = [model.blocCode] + model.committeeCodes.prefix(2) + model.cellCodes.prefix(3)
        var compared = 0
        for org in orgs {
            for (from, to) in periods where from <= to {
                let expected = model.expectedReport(org: org, from: from, to: to)
                let actual = try loaded.report(org, from, to)
                let differences = DemoReportComparison.differences(expected: expected, actual: actual)
                #expect(differences.isEmpty, "report \(org) \(from)…\(to): \(differences.prefix(6))")
                compared += 1
            }
        }
        #expect(compared >= 25)
        // The report says something: meetings were held and counted.
        let bloc = try loaded.report(model.blocCode, first, last)
        #expect((bloc["regularMeetings"]?.intValue ?? 0) > 50)
    }

    @Test func membersStandingAsOfADateMatchesTheModel() async throws {
        let loaded = try await Loaded(events: 4_000, seed: 5)
        let model = loaded.model
        let first = try #require(model.firstDate), last = try #require(model.lastDate)
        let dates = [first, last, String(last.prefix(7)) + "-01"]
        var checked = 0
        for id in model.memberIds.prefix(60) {
            for date in dates {
                let answer = try? loaded.engine.query(QueryRequest(kind: .member(id: id), asOf: date))
                let expectedCell = model.cell(ofMember: id, on: date)
                #expect(answer?["cell"]?.stringValue == expectedCell, "member \(id) on \(date)")
                if let answer, expectedCell != nil {
                    #expect(answer["active"]?.boolValue == model.isActive(member: id, on: date), "member \(id) active on \(date)")
                }
                checked += 1
            }
        }
        #expect(checked == 180)
        // Members of a cell on a date.
        for cell in model.cellCodes.prefix(4) {
            let listed = try loaded.engine.query(QueryRequest(kind: .members(org: cell, includeDeparted: false), asOf: last))
            let ids = (listed["members"]?.arrayValue ?? []).compactMap { $0["memberId"]?.stringValue }
            #expect(ids == model.activeMembers(of: cell, on: last).sorted(), "members of \(cell) on \(last)")
        }
    }

    @Test func aReportAtAnEarlierSeqIsWhatTheLedgerKnewThen() async throws {
        let loaded = try await Loaded(events: 3_000, seed: 3)
        let half = loaded.events.count / 2
        let earlier = DemoModel()
        for event in loaded.events.prefix(half) { earlier.apply(event) }
        let from = try #require(loaded.model.firstDate), to = try #require(loaded.model.lastDate)
        let expected = earlier.expectedReport(org: loaded.model.blocCode, from: from, to: to)
        let actual = try loaded.report(loaded.model.blocCode, from, to, atSeq: UInt64(half))
        #expect(actual["atSeq"] == .int(Int64(half)))
        let differences = DemoReportComparison.differences(expected: expected, actual: actual)
        #expect(differences.isEmpty, "\(differences.prefix(6))")
        // And the full ledger differs from it (more events are known now).
        let now = try loaded.report(loaded.model.blocCode, from, to)
        #expect(now["regularMeetings"] != actual["regularMeetings"])
    }

    @Test func theTextReportIsInVietnamese() async throws {
        let loaded = try await Loaded(events: 2_000, seed: 9)
        let from = try #require(loaded.model.firstDate), to = try #require(loaded.model.lastDate)
        let text = try loaded.engine.query(QueryRequest(kind: .report(org: loaded.model.blocCode, from: from, to: to, format: "text")))
        let body = try #require(text["text"]?.stringValue)
        #expect(body.contains("BÁO CÁO"))
        #expect(body.contains("Kiểm tra"))
        #expect(body.contains("giám sát"))
        let csv = try loaded.engine.query(QueryRequest(kind: .report(org: loaded.model.blocCode, from: from, to: to, format: "csv")))
        let lines = (csv["text"]?.stringValue ?? "").split(separator: "\r\n")
        #expect(lines.first == "cell,name,members,regularMeetings,thematicMeetings,monthsMissed,attendanceRate,inspected,supervised")
        #expect(lines.count == loaded.model.cellCodes.count + 1 || lines.count > 1)
    }
}
