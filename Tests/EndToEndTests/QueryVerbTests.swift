import Foundation
import Glibc
import LedgerClient
import LedgerDemo
import LedgerJSON
import Testing

/// The query verbs, `report`, `tail`, `export --from`, `--at-seq`, `rebuild`,
/// `checkpoints` and `--help`, driven through the real `ledgerctl` against a
/// real `ledgerd`, asserting what a user checks: exit codes, JSON keys and
/// values, readable text.
@Suite struct QueryVerbTests {
    /// A daemon loaded through `ledgerctl demo-data --seed 3 --events 3000 > FILE;
    /// ledgerctl append FILE`, with the generator's own model of what it made.
    final class DemoLedger: @unchecked Sendable {
        static let seed: UInt64 = 3
        static let count = 3000

        let daemon: DaemonProcess
        let events: [JSONValue]
        let model: DemoModel
        /// Seqs retracted by an `EventRetracted` (every event is accepted, so event i has seq i + 1).
        let retracted: Set<Int64>

        init() throws {
            daemon = try DaemonProcess()
            let file = daemon.dir.path + "/demo.jsonl"
            let generated = try daemon.ctl(["demo-data", "--seed", "\(Self.seed)", "--events", "\(Self.count)"])
            #expect(generated.status == 0, "\(generated.stderr)")
            try generated.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let appended = try daemon.ctl(["append", file])
            #expect(appended.status == 0, "\(appended.stderr) \(appended.lines.filter { $0.contains("error") }.prefix(3))")
            #expect(appended.lines.count == Self.count)
            #expect(appended.lines.allSatisfy { $0.hasPrefix("{\"seq\":") })

            (events, model) = DemoGenerator(DemoConfiguration.sized(events: Self.count, seed: Self.seed)).generateAll()
            // The CLI's stream is the generator's stream, event for event.
            #expect(generated.lines == events.map(\.canonicalString))
            retracted = Set(events.compactMap { $0["type"] == "EventRetracted" ? $0["data"]?["seq"]?.intValue : nil })
        }

        /// The live events (seq, event) of one type, retracted ones left out.
        func live(_ type: String) -> [(seq: Int64, event: JSONValue)] {
            events.enumerated().compactMap { i, e in
                e["type"]?.stringValue == type && !retracted.contains(Int64(i + 1)) ? (Int64(i + 1), e) : nil
            }
        }
    }

    // MARK: report

    @Test func demoDataAppendsAndTheReportMatchesTheModelInEveryFormat() throws {
        let demo = try DemoLedger()
        let model = demo.model
        let first = try #require(model.firstDate), last = try #require(model.lastDate)
        // The demo's history is short (3000 events: about two months); periods: all of it, its first
        // whole month, and a partial one.
        let firstDay = try #require(DemoCalendar.parse(first)), lastDay = try #require(DemoCalendar.parse(last))
        let start = DemoCalendar.civil(firstDay)
        let monthEnd = DemoCalendar.string(DemoCalendar.day(year: start.year, month: start.month,
                                                            day: DemoCalendar.daysInMonth(year: start.year, month: start.month)))
        let contractKeys = [
            "organization", "from", "to", "cells", "members", "regularMeetings", "thematicMeetings", "cellsMeetingMonthly",
            "cellsMissingMeetings", "attendanceRate", "speakerRate", "averageDurationMinutes", "minutesRecordedRate",
            "inspectedCells", "supervisedCells", "inspections", "supervisions", "disciplines", "retireesPendingTransfer",
            "membersWithoutTask",
        ]
        #expect(model.blocCode == "DBK")
        let periods = [(first, last), (first, monthEnd), (DemoCalendar.string(firstDay + 9), DemoCalendar.string(lastDay - 4))]
        for org in ["DBK", model.committeeCodes[0], model.cellCodes[0]] {
            for (from, to) in periods {
                let result = try demo.daemon.ctl(["report", "--org", org, "--from", from, "--to", to, "--json"])
                #expect(result.status == 0, "\(result.stderr)")
                let actual = try parse(result.stdout)
                let object = try #require(actual.objectValue)
                for key in contractKeys { #expect(object[key] != nil, "report \(org) \(from)…\(to) lacks \(key)") }
                #expect(actual["organization"]?.stringValue == org)
                #expect(actual["from"]?.stringValue == from && actual["to"]?.stringValue == to)
                let expected = model.expectedReport(org: org, from: from, to: to)
                let differences = DemoReportComparison.differences(expected: expected, actual: actual)
                #expect(differences.isEmpty, "report \(org) \(from)…\(to): \(differences.prefix(6))")
            }
        }

        let text = try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", last])
        #expect(text.status == 0, "\(text.stderr)")
        // --as-of does not apply to a period: refused, not silently ignored (the CLI, then the daemon).
        let asOf = try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", last, "--as-of", first])
        #expect(asOf.status == 2 && asOf.stderr.contains("--as-of does not apply"), "\(asOf.stderr)")
        let connection = try LedgerConnection(socketPath: demo.daemon.socket)
        _ = try connection.send(verb: "report", args: ["org": "DBK", "from": .string(first), "to": .string(last), "asOf": .string(first)])
        let refused = try connection.receive()
        guard case .failure(let error) = refused.result else { Issue.record("answered: \(refused)"); return }
        #expect(error.code == .badArguments && error.message.contains("asOf does not apply"))
        // A misspelt argument is refused and named, not ignored (here the
        // report would have come back as JSON instead of CSV), and so is
        // one of a verb that takes none.
        _ = try connection.send(verb: "report", args: ["org": "DBK", "from": .string(first), "to": .string(last), "fromat": "csv"])
        guard case .failure(let misspelt) = try connection.receive().result else { Issue.record("fromat accepted"); return }
        #expect(misspelt.code == .badArguments)
        #expect(misspelt.message == "args.fromat is not an argument of 'report'; it takes: asOf, atSeq, format, from, org, to")
        _ = try connection.send(verb: "status", args: ["verbose": true])
        guard case .failure(let none) = try connection.receive().result else { Issue.record("verbose accepted"); return }
        #expect(none.message == "args.verbose is not an argument of 'status'; it takes none")
        _ = try connection.send(verb: "append", args: ["events": [], "atomc": true])
        guard case .failure(let atomic) = try connection.receive().result else { Issue.record("atomc accepted"); return }
        #expect(atomic.message.contains("args.atomc is not an argument of 'append'; it takes: atomic, events"))
        // A real day the ledger keeps no events on is named as such, by argument,
        // not as a malformed date.
        _ = try connection.send(verb: "report", args: ["org": "DBK", "from": "1899-12-31", "to": .string(last)])
        guard case .failure(let early) = try connection.receive().result else { Issue.record("1899 accepted"); return }
        #expect(early.code == .badArguments)
        #expect(early.message == "args.from got '1899-12-31', outside the dates the ledger keeps (1900-01-01 to 2200-12-31)")
        _ = try connection.send(verb: "member", args: ["memberId": "DV000001", "asOf": "2201-01-01"])
        guard case .failure(let late) = try connection.receive().result else { Issue.record("2201 accepted"); return }
        #expect(late.message == "args.asOf got '2201-01-01', outside the dates the ledger keeps (1900-01-01 to 2200-12-31)")
        _ = try connection.send(verb: "meetings", args: ["cell": "DB01-CB01", "from": .string(last), "to": .string(first)])
        guard case .failure(let backwards) = try connection.receive().result else { Issue.record("from > to accepted"); return }
        #expect(backwards.message == "args.from (\(last)) is after args.to (\(first))")
        #expect(text.stdout.contains("BÁO CÁO"))
        #expect(text.stdout.contains("Kiểm tra"))
        #expect(text.stdout.contains("chi bộ"))

        let markdown = try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", last, "--format", "markdown"])
        #expect(markdown.status == 0)
        let tableRows = markdown.lines.filter { $0.hasPrefix("| ") }
        #expect(tableRows.count == model.cellCodes.count + 1, "a header and one row per cell")
        #expect(markdown.lines.contains { $0.hasPrefix("|:--|") }, "a Markdown table delimiter row")

        let csv = try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", last, "--format", "csv"])
        // --excel: the same bytes after a UTF-8 byte-order mark (read as bytes: decoding a String drops it).
        let excelFile = demo.daemon.dir.path + "/excel.csv"
        let excelRun = Process()
        excelRun.executableURL = URL(fileURLWithPath: Binaries.ledgerctl)
        excelRun.arguments = ["report", "--socket", demo.daemon.socket, "--org", "DBK", "--from", first, "--to", last,
                              "--format", "csv", "--excel"]
        _ = FileManager.default.createFile(atPath: excelFile, contents: nil)
        excelRun.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: excelFile))
        try excelRun.run()
        excelRun.waitUntilExit()
        let excelBytes = try Data(contentsOf: URL(fileURLWithPath: excelFile))
        #expect(excelRun.terminationStatus == 0)
        #expect(Array(excelBytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        // For Excel with Vietnamese settings: ';' between fields, decimal commas.
        let excelLines = String(decoding: excelBytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        let csvLines = csv.stdout.components(separatedBy: "\r\n")
        #expect(excelLines.count == csvLines.count)
        #expect(excelLines.first == csvLines.first?.replacingOccurrences(of: ",", with: ";"))
        for (plain, forExcel) in zip(csvLines.dropFirst(), excelLines.dropFirst()) where !plain.contains("\"") && !plain.isEmpty {
            let expected = plain.split(separator: ",", omittingEmptySubsequences: false).map { field in
                field.contains(".") && Double(field) != nil ? field.replacingOccurrences(of: ".", with: ",") : String(field)
            }.joined(separator: ";")
            #expect(forExcel == expected)
        }
        #expect(try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", last, "--excel"]).status == 2)
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("cell,name,members,regularMeetings,thematicMeetings,monthsMissed,attendanceRate,inspected,supervised\r\n"))
        let records = csv.stdout.components(separatedBy: "\r\n")
        #expect(records.last == "", "every record ends with CRLF")
        #expect(records.count == model.cellCodes.count + 2)
        #expect(!csv.stdout.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF line ends")
        for cell in model.cellCodes { #expect(records.contains { $0.hasPrefix(cell + ",") }) }

        // --json wins over --format; an unknown org is not-found (exit 1); a bad period is a usage error (exit 2).
        let both = try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", last, "--format", "csv", "--json"])
        #expect(try parse(both.stdout)["cells"]?.intValue == Int64(model.cellCodes.count))
        let unknown = try demo.daemon.ctl(["report", "--org", "NOPE", "--from", first, "--to", last])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("not-found"), "\(unknown.stderr)")
        #expect(try demo.daemon.ctl(["report", "--org", "DBK", "--from", last, "--to", first]).status == 2)
        #expect(try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", "2024-02-30"]).status == 2)
        #expect(try demo.daemon.ctl(["report", "--org", "DBK", "--from", first, "--to", last, "--format", "pdf"]).status == 2)
    }

    // MARK: org, orgs, members, member, history, meetings, warnings

    @Test func theQueryVerbsAnswerFromTheDemoLedger() throws {
        let demo = try DemoLedger()
        let model = demo.model, daemon = demo.daemon
        let last = try #require(model.lastDate)
        let committee = model.committeeCodes[0]
        let cells = model.cellCodes.filter { $0.hasPrefix(committee + "-") }
        let cell = try #require(cells.first)

        // org
        let bloc = try parse(try ok(daemon, ["org", "DBK", "--json"]))
        #expect(bloc["code"] == "DBK")
        #expect(bloc["kind"] == "bloc")
        #expect(bloc["children"]?.arrayValue?.compactMap(\.stringValue) == model.committeeCodes.sorted())
        let cellJSON = try parse(try ok(daemon, ["org", cell, "--json"]))
        #expect(cellJSON["kind"] == "cell" && cellJSON["parent"]?.stringValue == committee)
        #expect(cellJSON["activeMembers"]?.intValue == Int64(model.activeMembers(of: cell, on: last).count))
        let orgText = try ok(daemon, ["org", cell])
        #expect(orgText.contains(cell) && orgText.contains(committee))

        // orgs --under
        let subtree = try parse(try ok(daemon, ["orgs", "--under", committee, "--json"]))
        let codes = Set(subtree["organizations"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? [])
        #expect(codes == Set([committee] + cells))
        #expect(subtree["count"]?.intValue == Int64(codes.count))
        let all = try parse(try ok(daemon, ["orgs", "--under", "DBK", "--json"]))
        #expect(all["count"]?.intValue == Int64(1 + model.committeeCodes.count + model.cellCodes.count))
        let orgsText = try ok(daemon, ["orgs", "--under", committee])
        for code in cells { #expect(orgsText.contains(code)) }

        // members --org [--as-of]
        let members = try parse(try ok(daemon, ["members", "--org", cell, "--json"]))
        let ids = members["members"]?.arrayValue?.compactMap { $0["memberId"]?.stringValue } ?? []
        #expect(ids == model.activeMembers(of: cell, on: last))
        #expect(members["count"]?.intValue == Int64(ids.count))
        let middle = try #require(Self.middle(of: model))
        let thenJSON = try parse(try ok(daemon, ["members", "--org", committee, "--as-of", middle, "--json"]))
        #expect(thenJSON["asOf"]?.stringValue == middle)
        #expect(thenJSON["members"]?.arrayValue?.compactMap { $0["memberId"]?.stringValue } == model.activeMembers(of: committee, on: middle))
        let membersText = try ok(daemon, ["members", "--org", cell])
        #expect(ids.allSatisfy { membersText.contains($0) })

        // member ID [--as-of]: a member who was there from the start.
        let firstDate = try #require(model.firstDate)
        let memberId = try #require(model.activeMembers(of: cell, on: firstDate).first)
        let member = try parse(try ok(daemon, ["member", memberId, "--json"]))
        #expect(member["memberId"]?.stringValue == memberId)
        #expect(member["cell"]?.stringValue == model.cell(ofMember: memberId, on: last))
        #expect(member["active"]?.boolValue == model.isActive(member: memberId, on: last))
        #expect((member["timeline"]?.arrayValue?.count ?? 0) >= 1)
        let memberThen = try parse(try ok(daemon, ["member", memberId, "--as-of", middle, "--json"]))
        #expect(memberThen["cell"]?.stringValue == model.cell(ofMember: memberId, on: middle))
        #expect(memberThen["asOf"]?.stringValue == middle)
        let memberText = try ok(daemon, ["member", memberId])
        // In Vietnamese: labels, the values of enumerations, timeline changes as phrases.
        #expect(memberText.contains("mã đảng viên: \(memberId)") && memberText.contains("diễn biến:"), "\(memberText)")
        let memberLines = memberText.split(separator: "\n").map(String.init)
        // The creation as a phrase in the timeline (not the label "ngày đăng ký"):
        #expect(memberText.contains("đăng ký: chi bộ ") || memberText.contains("kết nạp: chi bộ "), "\(memberText)")
        // The status in words, on its own line:
        #expect(memberLines.contains("đảng viên: chính thức") || memberLines.contains("đảng viên: dự bị"), "\(memberText)")
        #expect(!memberText.contains("{\"kind\""), "no raw JSON in the human output: \(memberText)")
        let tooEarly = try daemon.ctl(["member", memberId, "--as-of", "1990-01-01"])
        #expect(tooEarly.status == 1 && tooEarly.stderr.contains("not-found"), "\(tooEarly.stderr)")
        let tooEarlyJSON = try daemon.ctl(["member", memberId, "--as-of", "1990-01-01", "--json"])
        #expect(tooEarlyJSON.status == 1)
        #expect(try tooEarlyJSON.json()["error"]?["code"] == "not-found", "\(tooEarlyJSON.stdout)")

        // history supervision --org: every live inspection naming the cell, by id.
        let inspections = demo.live("InspectionFiled")
        let inspected = try #require(inspections.first { $0.event["data"]?["targetOrganizations"]?.arrayValue?.contains(.string(cell)) == true }
            ?? inspections.first, "the demo files inspections")
        let target = try #require(inspected.event["data"]?["targetOrganizations"]?.arrayValue?.first?.stringValue)
        let naming = inspections.filter { $0.event["data"]?["targetOrganizations"]?.arrayValue?.contains(.string(target)) == true }
        let byOrg = try parse(try ok(daemon, ["history", "supervision", "--org", target, "--json"]))
        #expect(Set(byOrg["inspections"]?.arrayValue?.compactMap { $0["inspectionId"]?.stringValue } ?? [])
                == Set(naming.compactMap { $0.event["data"]?["inspectionId"]?.stringValue }), "\(byOrg.canonicalString.prefix(400))")
        #expect(byOrg["count"]?.intValue == Int64(naming.count))
        let inspectionId = try #require(inspected.event["data"]?["inspectionId"]?.stringValue)
        #expect(try ok(daemon, ["history", "supervision", "--org", target]).contains(inspectionId))

        // history supervision --member: an inspection that names members, if the demo has one; else a member with none.
        if let withMembers = inspections.first(where: { ($0.event["data"]?["targetMembers"]?.arrayValue?.count ?? 0) > 0 }),
           let who = withMembers.event["data"]?["targetMembers"]?.arrayValue?.first?.stringValue {
            let history = try parse(try ok(daemon, ["history", "supervision", "--member", who, "--json"]))
            #expect(history["inspections"]?.arrayValue?.contains { $0["inspectionId"] == withMembers.event["data"]?["inspectionId"] } == true)
        } else {
            let history = try parse(try ok(daemon, ["history", "supervision", "--member", memberId, "--json"]))
            #expect(history["subject"]?.stringValue == memberId)
        }

        // history discipline --member / --org. A 3000-event demo imposes none, so record two (and an appeal).
        let disciplined = try #require(model.activeMembers(of: cell, on: last).last)
        let subject = disciplined, disciplineId = "KL-E2E-001"
        let imposed = try daemon.append([
            event("DisciplineImposed", ["disciplineId": .string(disciplineId), "subjectKind": "member", "subject": .string(subject),
                                        "form": "reprimand", "decidedBy": .string(committee), "reason": "Vi phạm quy chế làm việc"], on: last),
            event("DisciplineAppealed", ["disciplineId": .string(disciplineId), "grounds": "Xin xem xét lại"], on: last),
            event("DisciplineImposed", ["disciplineId": "KL-E2E-002", "subjectKind": "organization", "subject": .string(cell),
                                        "form": "warning", "decidedBy": .string(committee), "reason": "Không sinh hoạt định kỳ"], on: last),
        ])
        #expect(imposed.status == 0, "\(imposed.stdout) \(imposed.stderr)")
        let byMember = try parse(try ok(daemon, ["history", "discipline", "--member", subject, "--json"]))
        #expect(byMember["subject"]?.stringValue == subject)
        #expect(byMember["count"] == 1)
        let entry = try #require(byMember["disciplines"]?.arrayValue?.first, "\(byMember.canonicalString.prefix(400))")
        #expect(entry["disciplineId"]?.stringValue == disciplineId)
        #expect(entry["form"] == "reprimand" && entry["inForce"] == true)
        #expect(entry.canonicalString.contains("Xin xem xét lại"), "the appeal is in the history: \(entry.canonicalString)")
        #expect(try ok(daemon, ["history", "discipline", "--member", subject]).contains(disciplineId))
        let byCell = try parse(try ok(daemon, ["history", "discipline", "--org", cell, "--json"]))
        #expect(byCell["disciplines"]?.arrayValue?.compactMap { $0["disciplineId"]?.stringValue } == ["KL-E2E-002"])
        // Before it was imposed, as of a business date: none.
        #expect(try parse(try ok(daemon, ["history", "discipline", "--member", subject, "--as-of", middle, "--json"]))["count"] == 0)
        #expect(try daemon.ctl(["history", "discipline"]).status == 2, "one of --org or --member is required")
        #expect(try daemon.ctl(["history", "discipline", "--org", cell, "--member", subject]).status == 2)

        // meetings --cell --from --to: exactly the live MeetingHeld events of the cell in the period.
        let (from, to) = (try #require(model.firstDate), last)
        let held = demo.live("MeetingHeld").filter {
            $0.event["data"]?["cell"]?.stringValue == cell && ($0.event["occurredOn"]?.stringValue).map { $0 >= from && $0 <= to } == true
        }
        let meetings = try parse(try ok(daemon, ["meetings", "--cell", cell, "--from", from, "--to", to, "--json"]))
        #expect(meetings["meetings"]?.arrayValue?.compactMap { $0["seq"]?.intValue } == held.map(\.seq))
        #expect(meetings["count"]?.intValue == Int64(held.count))
        #expect(held.count >= 1, "the cell met in the period")
        let none = try ok(daemon, ["meetings", "--cell", cell, "--from", "2001-01-01", "--to", "2001-12-31"])
        #expect(none.contains("số lượng: 0") && none.contains("cuộc sinh hoạt: —"), "\(none)")
        let meetingsText = try ok(daemon, ["meetings", "--cell", cell, "--from", from, "--to", to])
        // The kind column comes first: rows start with it, in words (a topic may say "định kỳ" too).
        let rows = meetingsText.split(separator: "\n").filter { $0.hasPrefix("  định kỳ  ") || $0.hasPrefix("  chuyên đề  ") }
        #expect(meetingsText.contains(cell) && rows.count == held.count, "\(meetingsText)")
        let notACell = try daemon.ctl(["meetings", "--cell", committee, "--from", from, "--to", to])
        #expect(notACell.status == 1, "\(notACell.stderr)")

        // warnings --org
        let warnings = try parse(try ok(daemon, ["warnings", "--org", "DBK", "--json"]))
        #expect(warnings["org"]?.stringValue == "DBK")
        let list = warnings["warnings"]?.arrayValue ?? []
        #expect(warnings["count"]?.intValue == Int64(list.count))
        let seqs = list.compactMap { $0["seq"]?.intValue }
        #expect(seqs == seqs.sorted())
        #expect(seqs.allSatisfy { !demo.retracted.contains($0) })
        let warningsText = try ok(daemon, ["warnings", "--org", "DBK"])
        #expect(warningsText.contains("DBK"))
        if let first = list.first {
            #expect(warningsText.contains(first["organization"]?.stringValue ?? "?"))
            // What the warning means in Vietnamese, then the rules' own words (cut to the column).
            let meanings = [
                "meeting-too-short": "cuộc sinh hoạt ngắn hơn thời lượng tối thiểu",
                "cell-too-few-official-members": "chi bộ có dưới 3 đảng viên chính thức",
                "thematic-quarter-missed": "chi bộ không sinh hoạt chuyên đề trong quý trước",
            ]
            let code = first["warnings"]?.arrayValue?.first?["code"]?.stringValue ?? "?"
            #expect(warningsText.contains((meanings[code] ?? "?") + ": "), "\(code): \(warningsText.prefix(600))")
            #expect(warningsText.contains("sinh hoạt chi bộ") || warningsText.contains("đánh giá"), "event types in words")
        }

        // Unknown ids are not-found (exit 1); bad dates and ids are usage errors (exit 2) before any request.
        for args in [["org", "NOPE"], ["orgs", "--under", "NOPE"], ["members", "--org", "NOPE"], ["member", "NOPE"],
                     ["history", "supervision", "--org", "NOPE"], ["history", "discipline", "--member", "NOPE"],
                     ["warnings", "--org", "NOPE"], ["meetings", "--cell", "NOPE", "--from", from, "--to", to]] {
            let result = try daemon.ctl(args + ["--json"])
            #expect(result.status == 1, "\(args): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("not-found"), "\(args): \(result.stderr)")
        }
        for args in [["members", "--org", cell, "--as-of", "2024-02-30"], ["member", memberId, "--as-of", "yesterday"],
                     ["meetings", "--cell", cell, "--from", "2024-1-01", "--to", to], ["org", "bad code!"],
                     ["org", cell, "--at-seq", "-1"]] {
            let result = try daemon.ctl(args)
            #expect(result.status == 2, "\(args): \(result.status) \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
    }

    /// A date in the middle of the demo's history.
    static func middle(of model: DemoModel) -> String? {
        guard let first = model.firstDate.flatMap(DemoCalendar.parse), let last = model.lastDate.flatMap(DemoCalendar.parse) else { return nil }
        return DemoCalendar.string((first + last) / 2)
    }

    // MARK: tail, export --from

    /// A name Excel would run as a formula is kept as text in --excel
    /// output; the plain CSV keeps it as recorded.
    @Test func excelOutputDoesNotRunANameAsAFormula() throws {
        let daemon = try DaemonProcess()
        let appended = try daemon.append([
            event("OrganizationRegistered", ["code": "B", "name": "Đảng bộ Khối", "kind": "bloc"], on: "2025-01-02"),
            event("OrganizationRegistered", ["code": "C1", "name": "=1+2", "kind": "cell", "parent": "B"], on: "2025-01-02"),
        ])
        #expect(appended.status == 0, "\(appended.stderr)")
        let args = ["report", "--org", "B", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv"]
        let plain = try daemon.ctl(args)
        #expect(plain.stdout.contains("\r\nC1,=1+2,"), "\(plain.stdout)")
        let excel = try daemon.ctl(args + ["--excel"])
        #expect(excel.stdout.contains("\r\nC1;'=1+2;"), "\(excel.stdout)")
    }

    @Test func tailPrintsFromASeqAndFollowsNewEvents() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents + (0..<10).map { task($0) })  // seqs 1…15

        let from = try daemon.ctl(["tail", "--from", "12"])
        #expect(from.status == 0, "\(from.stderr)")
        #expect(try from.lines.map { try parse($0)["seq"]?.intValue } == [12, 13, 14, 15])
        let line = try parse(from.lines[0])
        #expect(line["leafHash"]?.stringValue?.count == 64)
        #expect(line["type"] == "MemberTaskAssigned")
        let lastTen = try daemon.ctl(["tail"])
        #expect(try lastTen.lines.map { try parse($0)["seq"]?.intValue } == Array(6...15))
        #expect(try daemon.ctl(["tail", "--from", "99"]).stdout.isEmpty)
        #expect(try daemon.ctl(["tail", "--from", "0"]).status == 2)

        // The same lines as the export.
        let export = try daemon.ctl(["export"])
        #expect(Array(export.lines.suffix(4)) == from.lines)
        let exportFrom = try daemon.ctl(["export", "--from", "7"])
        #expect(exportFrom.status == 0)
        #expect(try exportFrom.lines.map { try parse($0)["seq"]?.intValue } == Array(7...15))
        #expect(exportFrom.lines == Array(export.lines.dropFirst(6)))
        let exportFile = daemon.dir.path + "/from7.jsonl"
        #expect(try daemon.ctl(["export", "--from", "7", "--to", exportFile]).status == 0)
        #expect(try String(contentsOfFile: exportFile, encoding: .utf8) == exportFrom.stdout)

        // --follow, in the background: it prints from 14, then each new event as it is committed.
        let out = daemon.dir.path + "/follow.out"
        let pid = try Spawn.start(Binaries.ledgerctl, ["tail", "--follow", "--from", "14"],
                                  environment: ["LEDGER_SOCKET": daemon.socket, "HOME": daemon.dir.path, "PATH": "/usr/bin:/bin"],
                                  stdout: out, stderr: daemon.dir.path + "/follow.err")
        var stopped = false
        defer {
            if !stopped {
                kill(pid, SIGKILL)
                _ = Spawn.wait(pid)
            }
        }
        func followed(until seq: Int64) -> [Int64] {
            var seqs: [Int64] = []
            for _ in 0..<200 {
                let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                seqs = text.split(separator: "\n").compactMap { try? parse(String($0))["seq"]?.intValue }
                if seqs.contains(seq) { break }
                usleep(100_000)
            }
            return seqs
        }
        #expect(followed(until: 15) == [14, 15])
        #expect(try daemon.append([task(100), task(101)]).status == 0)
        #expect(followed(until: 17) == [14, 15, 16, 17])
        #expect(try daemon.append([task(102)]).status == 0)
        let seqs = followed(until: 18)
        #expect(seqs == [14, 15, 16, 17, 18])
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        #expect(text.contains("Nhiệm vụ số 102"))
        #expect(kill(pid, 0) == 0, "tail --follow is still following")
        // SIGKILL: a child of posix_spawn inherits the test thread's signal mask, in
        // which SIGTERM and SIGINT are blocked, so they would not stop it.
        kill(pid, SIGKILL)
        _ = Spawn.wait(pid)
        stopped = true
        // A follower that leaves is no error of the ledger's: nothing is logged as one.
        usleep(500_000)
        let log = (try? String(contentsOfFile: daemon.dir.path + "/ledgerd.err", encoding: .utf8)) ?? ""
        #expect(!log.contains("internal error") && !log.contains("tail failed"), "\(log)")
        #expect(try daemon.ctl(["status"]).status == 0)
    }

    // MARK: --at-seq

    @Test func atSeqAnswersWhatTheLedgerKnewThen() throws {
        let daemon = try DaemonProcess()
        let moreSetup: [JSONValue] = [
            event("OrganizationRegistered", ["code": "CB02", "name": "Chi bộ Thanh tra", "kind": "cell", "parent": "DB01"], on: "2012-01-02"),
            event("MemberRegistered", ["memberId": "M003", "name": "Lê Văn Cường", "cell": "CB01", "status": "official"], on: "2012-01-03"),
        ]
        #expect(try daemon.append(setupEvents + moreSetup).status == 0)  // seqs 1…7
        let meeting = event("MeetingHeld", [
            "cell": "CB01", "kind": "regular", "durationMinutes": 120, "attendees": ["M001", "M002", "M003"], "absentees": [],
            "speakers": ["M001"], "minutesRecorded": true,
        ], on: "2024-03-14")
        let transfer = event("MemberTransferred", ["memberId": "M001", "toCell": "CB02", "kind": "official"], on: "2024-05-02")
        let appended = try daemon.append([meeting, transfer])  // seqs 8, 9
        #expect(appended.status == 0)
        #expect(try appended.lines.map { try parse($0)["seq"]?.intValue } == [8, 9], "\(appended.stdout) \(appended.stderr)")

        let now = try parse(try ok(daemon, ["member", "M001", "--json"]))
        let before = try parse(try ok(daemon, ["member", "M001", "--at-seq", "8", "--json"]))
        #expect(now["cell"] == "CB02")
        #expect(before["cell"] == "CB01")
        #expect(now["atSeq"]?.intValue == 9 && before["atSeq"]?.intValue == 8)
        #expect((before["timeline"]?.arrayValue?.count ?? 0) < (now["timeline"]?.arrayValue?.count ?? 0))
        // As of a business date before the transfer, as the ledger knows it now: still CB01.
        #expect(try parse(try ok(daemon, ["member", "M001", "--as-of", "2024-04-30", "--json"]))["cell"] == "CB01")
        #expect(try parse(try ok(daemon, ["members", "--org", "CB02", "--json"]))["count"] == 1)
        #expect(try parse(try ok(daemon, ["members", "--org", "CB02", "--at-seq", "8", "--json"]))["count"] == 0)

        let period = ["--org", "DB01", "--from", "2024-01-01", "--to", "2024-12-31", "--json"]
        let reportNow = try parse(try ok(daemon, ["report"] + period))
        let reportAt7 = try parse(try ok(daemon, ["report"] + period + ["--at-seq", "7"]))
        #expect(reportNow["regularMeetings"] == 1)
        #expect(reportAt7["regularMeetings"] == 0)
        #expect(number(reportNow["attendanceRate"]) == 100)
        let cb01Now = try parse(try ok(daemon, ["report", "--org", "CB01", "--from", "2024-01-01", "--to", "2024-12-31", "--json"]))
        let cb01At8 = try parse(try ok(daemon, ["report", "--org", "CB01", "--from", "2024-01-01", "--to", "2024-12-31", "--json", "--at-seq", "8"]))
        #expect(cb01Now["members"] == 2)
        #expect(cb01At8["members"] == 3)
        // The text report follows --at-seq too.
        let text7 = try ok(daemon, ["report", "--org", "DB01", "--from", "2024-01-01", "--to", "2024-12-31", "--at-seq", "7"])
        let textNow = try ok(daemon, ["report", "--org", "DB01", "--from", "2024-01-01", "--to", "2024-12-31"])
        #expect(text7 != textNow)

        // A retraction: the report drops the meeting now, but --at-seq 9 still sees it.
        #expect(try daemon.append([event("EventRetracted", ["seq": 8, "reason": "ghi nhầm chi bộ"], on: "2024-06-01")]).status == 0)
        #expect(try parse(try ok(daemon, ["report"] + period))["regularMeetings"] == 0)
        #expect(try parse(try ok(daemon, ["report"] + period + ["--at-seq", "9"]))["regularMeetings"] == 1)
        let meetingsAt9 = try parse(try ok(daemon, ["meetings", "--cell", "CB01", "--from", "2024-01-01", "--to", "2024-12-31", "--at-seq", "9", "--json"]))
        #expect(meetingsAt9["count"] == 1)
        // The meeting's advisory warning (no thematic meeting last quarter) likewise: gone now, known at seq 9.
        let warningSeqs = { (extra: [String]) throws -> [Int64] in
            try parse(try ok(daemon, ["warnings", "--org", "DB01", "--json"] + extra))["warnings"]?.arrayValue?.compactMap { $0["seq"]?.intValue } ?? []
        }
        #expect(try warningSeqs([]).contains(8) == false)
        #expect(try warningSeqs(["--at-seq", "9"]) == [8])
        #expect(try warningSeqs(["--at-seq", "7"]) == [])
        #expect(try warningSeqs(["--at-seq", "9", "--as-of", "2024-03-13"]) == [])
        #expect(try parse(try ok(daemon, ["meetings", "--cell", "CB01", "--from", "2024-01-01", "--to", "2024-12-31", "--json"]))["count"] == 0)
    }

    // MARK: rebuild, checkpoints

    @Test func rebuildAndCheckpointsOverTheSocket() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        _ = try daemon.append((0..<20).map { task($0) })  // two commits: checkpoints at 5 and 25

        let rebuild = try daemon.ctl(["rebuild", "--json"])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        let result = try parse(rebuild.stdout)
        #expect(result["events"] == 25)
        #expect(result["matches"] == true)
        #expect(result["swapped"] == false)
        #expect((result["eventsPerSecond"]?.intValue ?? 0) > 0)
        let digest = try #require(result["digest"]?.stringValue)
        #expect(digest.count == 64 && result["liveDigest"]?.stringValue == digest)

        let text = try daemon.ctl(["rebuild"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("25"))
        #expect(text.stdout.contains("sự kiện/giây"))
        #expect(text.stdout.contains("khớp"))
        #expect(text.stdout.contains(digest))
        // The state is unchanged and still answers.
        #expect(try parse(try ok(daemon, ["member", "M001", "--json"]))["tasks"]?.arrayValue?.count == 20)

        let checkpoints = try daemon.ctl(["checkpoints", "--json"])
        #expect(checkpoints.status == 0, "\(checkpoints.stderr)")
        let notes = try parse(checkpoints.stdout)["checkpoints"]?.arrayValue ?? []
        let sizes = notes.compactMap { $0["size"]?.intValue }
        #expect(sizes.contains(5) && sizes.last == 25 && sizes == sizes.sorted(), "\(sizes)")
        let latest = try daemon.ctl(["checkpoint"]).stdout
        #expect(notes.last?["checkpoint"]?.stringValue == latest)
        let fromSize = try parse(try ok(daemon, ["checkpoints", "--from-size", "6", "--json"]))["checkpoints"]?.arrayValue ?? []
        #expect(fromSize.compactMap { $0["size"]?.intValue } == sizes.filter { $0 >= 6 })
        let checkpointsText = try ok(daemon, ["checkpoints"])
        #expect(checkpointsText.contains("25") && checkpointsText.contains("test.local/dang-bo"))

        // A reader may not rebuild (admin only): exit 4.
        let dir = daemon.dir
        let config = dir.path + "/roles.conf"
        try "socket-mode = 0666\n[roles]\nadmin = uid:0\nreader = uid:65534\n".write(toFile: config, atomically: true, encoding: .utf8)
        let limited = try DaemonProcess(extraArgs: ["--config", config])
        _ = try limited.append(setupEvents)
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let refused = try limited.ctl(["rebuild"], prefix: nobody)
        #expect(refused.status == 4, "\(refused.stdout) \(refused.stderr)")
        #expect(try limited.ctl(["org", "CB01", "--json"], prefix: nobody).status == 0)
    }

    // MARK: --help

    @Test func everyHelpExitsZeroAndShowsAnExample() throws {
        let dir = TempDir()
        let root = try Ctl.run(["--help"], socket: nil, dir: dir)
        #expect(root.status == 0)
        #expect(root.stdout.contains("Example"))
        let subcommands = [
            ["append"], ["status"], ["export"], ["checkpoint"], ["checkpoints"], ["pubkey"], ["verify"], ["verify-export"],
            ["report"], ["org"], ["orgs"], ["members"], ["member"], ["history"], ["meetings"], ["warnings"], ["prove"],
            ["prove", "inclusion"], ["prove", "consistency"], ["check-proof"], ["tail"], ["backup"], ["audit-bundle"],
            ["witness"], ["replay"], ["demo-data"], ["rebuild"],
        ]
        for words in subcommands {
            let help = try Ctl.run(words + ["--help"], socket: nil, dir: dir)
            #expect(help.status == 0, "\(words) --help: \(help.status) \(help.stderr)")
            #expect(help.stdout.contains("Example"), "\(words) --help shows no example")
            #expect(help.stdout.contains("ledgerctl \(words.joined(separator: " "))"), "\(words) --help: no example of itself")
            #expect(root.stdout.contains(words[0]), "ledgerctl --help does not list \(words[0])")
        }
    }
}

/// Parses one JSON document as a client reads it (reports carry rates with decimals).
func parse(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8), limits: JSONLimits(depthMax: 64, stringBytesMax: 1 << 24, arrayCountMax: 1 << 20,
                                                                 objectMemberCountMax: 1 << 16, documentBytesMax: 1 << 28),
                         allowFloats: true)
}

/// A JSON number as a Double (canonical JSON writes 100.0 as 100).
func number(_ value: JSONValue?) -> Double? {
    switch value {
    case .int(let i)?: return Double(i)
    case .double(let d)?: return d
    default: return nil
    }
}

/// Runs a command that must succeed and returns its stdout.
func ok(_ daemon: DaemonProcess, _ args: [String]) throws -> String {
    let result = try daemon.ctl(args)
    #expect(result.status == 0, "ledgerctl \(args.joined(separator: " ")): exit \(result.status): \(result.stderr)")
    if result.status != 0 { throw HarnessError("ledgerctl \(args.joined(separator: " ")) failed: \(result.stderr)") }
    return result.stdout
}
