@testable import LedgerDomain
import LedgerJSON
import Testing

/// The in-place decoder of stored `data` (`InPlaceEventDecoder`) against the
/// general one (`JSONParser` + `StoredEventDecoder`), which is the reference:
/// whatever the in-place one returns, the general one returns too; what it
/// declines, the general one decides.
@Suite struct InPlaceEventDecoderTests {
    static let version = StoredEventDecoder.currentSchemaVersion

    /// The general way, as a replay falls back to it.
    static func general(_ bytes: [UInt8], type: String = "MeetingHeld", version: Int = version) -> DomainEvent? {
        guard let data = try? JSONParser.parse(bytes) else { return nil }
        return try? StoredEventDecoder.decode(type: type, schemaVersion: version, data: data)
    }

    static func inPlace(_ bytes: [UInt8], type: String = "MeetingHeld", version: Int = version) -> DomainEvent? {
        bytes.withUnsafeBytes { InPlaceEventDecoder.decode(type: type, schemaVersion: version, data: $0) }
    }

    static func bytes(_ meeting: MeetingHeld) -> [UInt8] { CanonicalJSON.encode(meeting.data) }

    /// Meetings of every shape the ledger writes: with and without topic,
    /// resolutions, absentees and speakers; Vietnamese text; long lists.
    static func meetings() -> [MeetingHeld] {
        let ids = (1...40).map { "DV-\(1000 + $0)" }
        return [
            MeetingHeld(cell: "CB01", kind: .regular, durationMinutes: 90, attendees: ["M1"], minutesRecorded: true),
            MeetingHeld(
                cell: "CB-02.a_b", kind: .thematic, topic: "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
                durationMinutes: 720, attendees: Array(ids[0..<30]),
                absentees: [.init(memberId: ids[30], reason: "Ốm"), .init(memberId: ids[31], reason: "Đi công tác (Hà Nội)")],
                speakers: Array(ids[0..<5]), minutesRecorded: false,
                resolutions: ["Thống nhất kế hoạch quý IV", "Giao đồng chí Nguyễn Văn Ánh theo dõi"]),
            MeetingHeld(cell: "C", kind: .regular, durationMinutes: 1, attendees: ids, speakers: ids, minutesRecorded: true,
                        resolutions: []),
            MeetingHeld(cell: "CB03", kind: .regular, topic: "x", durationMinutes: 45, attendees: ["a", "b"],
                        absentees: [.init(memberId: "a", reason: "trùng")], minutesRecorded: true),
        ]
    }

    /// The other types read in place, with and without their optional members.
    static func others() -> [DomainEvent] {
        [
            .qualityEvaluated(.init(subject: .member("DV-1"), year: 2025, rating: .excellent)),
            .qualityEvaluated(.init(subject: .organization("CB-01"), year: 1930, rating: .unsatisfactory)),
            .memberRegistered(.init(memberId: "DV-2", name: "Nguyễn Thị Ánh", cell: "CB01", status: .official)),
            .memberRegistered(.init(memberId: "DV-3", name: "Lê Văn Tám", cell: "CB01", status: .probationary,
                                    birthYear: 1961)),
            .memberTaskAssigned(.init(memberId: "DV-4", task: "Theo dõi, giúp đỡ quần chúng ưu tú")),
            .memberTaskAssigned(.init(memberId: "DV-4", task: "Phụ trách tổ dân phố số 3", assignedBy: "CB01",
                                      dueOn: BusinessDate("2026-02-28")!)),
            .memberTaskAssigned(.init(memberId: "DV-4", task: "x", dueOn: BusinessDate("2024-02-29")!)),
            .trainingCompleted(.init(memberId: "DV-5", course: "Lý luận chính trị trung cấp", by: "DB-KHOI")),
            .memberRoleAssigned(.init(memberId: "DV-6", organization: "CB01", role: .deputySecretary)),
            .commended(.init(subject: .member("DV-7"), by: "DB-01", title: "Đảng viên hoàn thành xuất sắc nhiệm vụ")),
            .commended(.init(subject: .organization("CB01"), by: "DB-01", title: "Chi bộ trong sạch, vững mạnh")),
            .memberConfirmed(.init(memberId: "DV-8")),
            .memberRetired(.init(memberId: "DV-9")),
            .memberTransferredToResidence(.init(memberId: "DV-9", residenceOrganization: "Chi bộ khu phố 3, phường Đông Sơn")),
            .memberAdmitted(.init(memberId: "DV-10", name: "Phạm Văn Đồng", cell: "CB02")),
            .memberTransferred(.init(memberId: "DV-10", toCell: "CB03", kind: .temporary)),
            .memberRoleEnded(.init(memberId: "DV-6", organization: "CB01", role: .committeeMember)),
            .memberRemoved(.init(memberId: "DV-11", reason: .struckOff)),
            .inspectionConcluded(.init(inspectionId: "KT-2025-01", conclusion: "Không phát hiện vi phạm", violationsFound: false)),
            .inspectionFiled(.init(inspectionId: "KT-2025-02", by: "UBKT-DBK", kind: .supervision, targetOrganizations: ["CB01"])),
            .inspectionFiled(.init(inspectionId: "KT-2025-03", by: "UBKT-DBK", kind: .violationInspection,
                                   targetOrganizations: ["CB01", "CB02"], targetMembers: ["DV-1", "DV-2"],
                                   team: ["Nguyễn Văn An", "Trần Thị Bích"], findings: "Chưa sinh hoạt đủ 12 kỳ trong năm")),
            .inspectionFiled(.init(inspectionId: "KT-2025-04", by: "DB01", kind: .inspection, targetOrganizations: ["CB03"],
                                   targetMembers: [], team: [])),
            .organizationRegistered(.init(code: "DBK", name: "Đảng bộ Khối các cơ quan tỉnh", kind: .bloc)),
            .organizationRegistered(.init(code: "DB01-CB01", name: "Chi bộ Văn phòng", kind: .cell, parent: "DB01")),
            .eventRetracted(.init(seq: 9_007_199_254_740_991, reason: "Ghi nhầm")),
        ]
    }

    static func all() -> [DomainEvent] { meetings().map(DomainEvent.meetingHeld) + others() }

    @Test func eventsTheLedgerWritesAreReadInPlace() throws {
        for event in Self.all() {
            let bytes = CanonicalJSON.encode(event.data)
            let type = event.type.rawValue
            let read = try #require(Self.inPlace(bytes, type: type), "\(type) \(String(decoding: bytes, as: UTF8.self))")
            #expect(read == event)
            #expect(Self.general(bytes, type: type) == read)
        }
    }

    /// Forms the general way reads differently or refuses, each declined here.
    @Test func otherFormsAreDeclined() throws {
        let meeting = Self.meetings()[1]
        let canonical = String(decoding: Self.bytes(meeting), as: UTF8.self)
        func declined(_ text: String, general accepted: Bool, _ why: Comment) {
            let bytes = Array(text.utf8)
            #expect(Self.inPlace(bytes) == nil, why)
            #expect((Self.general(bytes) != nil) == accepted, why)
        }
        declined(canonical.replacingOccurrences(of: "\"Ốm\"", with: "\"\\u00d3m\""), general: true, "an escape")
        declined(canonical.replacingOccurrences(of: "\"Ốm\"", with: "\"O\u{0302}\u{0301}m\""), general: true,
                 "decomposed text, which the general way normalizes")
        declined(canonical.replacingOccurrences(of: "\"Ốm\"", with: "\"\\n\""), general: false, "a blank reason")
        declined(canonical.replacingOccurrences(of: "\"Ốm\"", with: "\"a\\tb\""), general: true, "a tab in text")
        declined(canonical.replacingOccurrences(of: "\"Ốm\"", with: "\"   \""), general: false, "a reason of spaces")
        declined(canonical.replacingOccurrences(of: ":720", with: ":0720"), general: false, "a leading zero")
        declined(canonical.replacingOccurrences(of: ":720", with: ":721"), general: false, "too long a meeting")
        declined(canonical.replacingOccurrences(of: ":720", with: ":7.2e2"), general: false, "a float")
        declined(canonical.replacingOccurrences(of: ":720", with: ":-1"), general: false, "a negative")
        declined(canonical.replacingOccurrences(of: "\"thematic\"", with: "\"other\""), general: false, "a kind")
        declined(canonical.replacingOccurrences(of: "{\"absentees\"", with: "{ \"absentees\""), general: true,
                 "white space")
        declined(canonical.replacingOccurrences(of: ",\"topic\"", with: ",\"topic\":null,\"x\""), general: false,
                 "an unknown member")
        declined(canonical.replacingOccurrences(of: "\"DV-1002\",\"DV-1003\"", with: "\"DV-1002\",\"DV-1002\""),
                 general: false, "a repeated attendee")
        declined(canonical + " ", general: true, "bytes after the object")
        let noAbsentees = String(decoding: Self.bytes(Self.meetings()[0]), as: UTF8.self)
        declined(noAbsentees.replacingOccurrences(of: "\"absentees\":[],", with: ""), general: false,
                 "a missing member")
        declined(noAbsentees.replacingOccurrences(of: "\"attendees\":[\"M1\"]", with: "\"attendees\":[]"),
                 general: false, "no attendee")
        declined(noAbsentees.replacingOccurrences(of: "\"cell\":\"CB01\"", with: "\"cell\":\"CB 01\""),
                 general: false, "an id with a space")
        let longId = String(repeating: "x", count: DomainLimits.idLengthMax + 1)
        declined(noAbsentees.replacingOccurrences(of: "\"CB01\"", with: "\"\(longId)\""), general: false,
                 "an id too long")
        // Another version or type: not this decoder's to read.
        #expect(Self.inPlace(Self.bytes(meeting), version: Self.version + 1) == nil)
        #expect(Self.inPlace(Self.bytes(meeting), type: "MemberConfirmed") == nil)
        #expect(Self.inPlace(Array(#"{"memberId":"DV-1"}"#.utf8), type: "MemberRemoved") == nil)
    }

    /// The same for the other types: each change declined, and refused or read alike the general way.
    @Test func otherTypesDeclineOtherForms() {
        let cases: [(type: String, text: String, general: Bool, why: Comment)] = [
            ("MemberTaskAssigned", #"{"dueOn":"2025-02-29","memberId":"DV-4","task":"x"}"#, false, "no such day"),
            ("MemberTaskAssigned", #"{"dueOn":"2025-2-28","memberId":"DV-4","task":"x"}"#, false, "a short date"),
            ("MemberTaskAssigned", #"{"assignedBy":null,"memberId":"DV-4","task":"x"}"#, false, "a null"),
            ("MemberTaskAssigned", #"{"memberId":"DV-4","task":"x","dueOn":"2025-02-28"}"#, true, "members out of order"),
            ("MemberRegistered", #"{"birthYear":1899,"cell":"C","memberId":"M","name":"A","status":"official"}"#, false,
             "born too early"),
            ("MemberRegistered", #"{"cell":"C","memberId":"M","name":"A"# + "\t" + #"B","status":"official"}"#, false,
             "a raw tab, not JSON"),
            ("MemberRegistered", #"{"cell":"C","memberId":"M","name":"A\u0009B","status":"official"}"#, false,
             "a tab in a name"),
            ("MemberRegistered", #"{"cell":"C","memberId":"M","name":"A","status":"member"}"#, false, "a status"),
            ("QualityEvaluated", #"{"rating":"good","subject":"M","subjectKind":"cell","year":2025}"#, false,
             "a subject kind"),
            ("QualityEvaluated", #"{"rating":"good","subject":"M","subjectKind":"member","year":2025.0}"#, false,
             "a float year"),
            ("QualityEvaluated", #"{"rating":"good","subject":"M","subjectKind":"member","year":2025,"x":1}"#, false,
             "an unknown member"),
            ("MemberRoleAssigned", #"{"memberId":"M","organization":"C","role":"chair"}"#, false, "a role"),
            ("Commended", #"{"by":"D","subject":"M","subjectKind":"member","title":" "}"#, false, "a blank title"),
            ("TrainingCompleted", #"{"by":"D","course":"Lý luận","memberId":"M","memberId":"N"}"#, false,
             "a repeated member"),
            ("MemberConfirmed", #"{"memberId":"M","reason":"x"}"#, false, "an unknown member"),
            ("OrganizationRegistered", #"{"code":"C","kind":"bloc","name":"A","parent":"B"}"#, false, "a bloc with a parent"),
            ("OrganizationRegistered", #"{"code":"C","kind":"cell","name":"A"}"#, false, "a cell without a parent"),
            ("EventRetracted", #"{"reason":"x","seq":0}"#, false, "seq 0"),
            ("EventRetracted", #"{"reason":"x","seq":9007199254740992}"#, false, "a seq past the integers"),
            ("MemberRemoved", #"{"memberId":"M","reason":"quit"}"#, false, "a removal reason"),
            ("InspectionConcluded", #"{"conclusion":"x","inspectionId":"I","violationsFound":1}"#, false,
             "a number for a boolean"),
            ("MemberRetired", #"{"memberId":""}"#, false, "an empty id"),
            ("InspectionFiled", #"{"by":"U","inspectionId":"K","kind":"inspection","targetOrganizations":[]}"#, false,
             "no target organization"),
            ("InspectionFiled", #"{"by":"U","inspectionId":"K","kind":"audit","targetOrganizations":["C"]}"#, false,
             "a kind"),
            ("InspectionFiled", #"{"by":"U","inspectionId":"K","kind":"inspection","targetMembers":["M","M"],"targetOrganizations":["C"]}"#,
             false, "a repeated member"),
            ("InspectionFiled", #"{"by":"U","inspectionId":"K","kind":"inspection","targetOrganizations":["C"],"team":["A\nB"]}"#,
             false, "a line break in a name"),
            ("InspectionFiled", #"{"by":"U","inspectionId":"K","kind":"inspection","targetOrganizations":["C"],"team":["A \"B\""]}"#,
             true, "an escape"),
            ("InspectionFiled", #"{"by":"U","inspectionId":"K","kind":"inspection","targetOrganizations":["C"],"team":null}"#,
             false, "a null team"),
        ]
        for c in cases {
            let bytes = Array(c.text.utf8)
            #expect(Self.inPlace(bytes, type: c.type) == nil, c.why)
            #expect((Self.general(bytes, type: c.type) != nil) == c.general, c.why)
        }
    }

    /// A list of ids with one id twice is declined (and refused the general
    /// way) wherever the two stand and however long the ids; ids alike in
    /// their first and last eight bytes are not taken for the same.
    @Test func repeatedIdsAreFoundWhereverTheyStand() {
        var random = SeededRandom(seed: 7)
        var pool = (0..<30).map { "DV-\(String(repeating: "1", count: $0 % 9))\($0)" }
        pool += ["abcdefgh-1-ijklmnop", "abcdefgh-2-ijklmnop", "abcdefghijklmnop", "abcdefgh.ijklmnop",
                 String(repeating: "x", count: DomainLimits.idLengthMax), String(repeating: "x", count: DomainLimits.idLengthMax - 1),
                 "A", "B", "AB", "BA"]
        var declined = 0
        for round in 0..<400 {
            var ids = pool
            for i in ids.indices.reversed() { ids.swapAt(i, Int(random.next() % UInt64(i + 1))) }
            ids = Array(ids.prefix(1 + Int(random.next() % UInt64(ids.count))))
            let repeated = round % 2 == 0
            if repeated {
                ids.insert(ids[Int(random.next() % UInt64(ids.count))], at: Int(random.next() % UInt64(ids.count + 1)))
            }
            let meeting = MeetingHeld(cell: "CB01", kind: .regular, durationMinutes: 60, attendees: ids, minutesRecorded: true)
            let bytes = Self.bytes(meeting)
            let read = Self.inPlace(bytes)
            #expect((read == nil) == repeated, "round \(round): \(ids)")
            #expect(read == Self.general(bytes), "round \(round): \(ids)")
            if read == nil { declined += 1 }
        }
        #expect(declined == 200)
    }

    /// Differential fuzz: bytes of canonical events of every type it reads changed (to JSON's
    /// punctuation, digits, letters, Vietnamese lead bytes, anything), cut
    /// short, or a member dropped or doubled. The in-place decoder never
    /// returns an event the general one does not return.
    @Test func changedBytesAreNeverReadDifferently() {
        var random = SeededRandom(seed: 2026_11_29)  // SplitMix64: a failing round replays exactly
        let punctuation = Array("{}[],:\"\\ 0123456789-.eE".utf8) + [0xC3, 0xCC, 0xE1, 0xBB, 0x80, 0xFF, 0x00, 0x0A]
        var accepted = 0, declined = 0
        for (n, event) in Self.all().enumerated() {
            let original = CanonicalJSON.encode(event.data)
            let type = event.type.rawValue
            for round in 0..<1200 {
                var changed = original
                switch round % 5 {
                case 0:
                    changed.removeLast(Int(random.next() % UInt64(changed.count)))
                case 1:
                    // Drop or double a stretch between two commas.
                    let commas = changed.indices.filter { changed[$0] == UInt8(ascii: ",") }
                    guard commas.count >= 2 else { continue }
                    let a = commas[Int(random.next() % UInt64(commas.count - 1))]
                    let b = commas.first { $0 > a } ?? a
                    let stretch = Array(changed[a..<b])
                    if random.next() % 2 == 0 {
                        changed.removeSubrange(a..<b)
                    } else {
                        changed.insert(contentsOf: stretch, at: a)
                    }
                default:
                    for _ in 0...(round % 3) {
                        let at = Int(random.next() % UInt64(changed.count))
                        changed[at] = random.next() % 2 == 0
                            ? punctuation[Int(random.next() % UInt64(punctuation.count))]
                            : UInt8(truncatingIfNeeded: random.next())
                    }
                }
                guard let read = Self.inPlace(changed, type: type) else {
                    declined += 1
                    continue
                }
                accepted += 1
                #expect(Self.general(changed, type: type) == read,
                        "event \(n), round \(round): \(String(decoding: changed, as: UTF8.self))")
            }
        }
        #expect(accepted > 600, "changes inside ids, text and digits keep events readable in place")
        #expect(declined > 5000)
    }
}

/// `verify` steps over a record's `data` on its reading thread
/// (`PlainDataCursor.skipPlainObject`) and leaves it to its replay thread.
@Suite struct SkipPlainObjectTests {
    /// Where the skip stops in `text` (nil: declined).
    func skipped(_ text: String) -> Int? {
        Array(text.utf8).withUnsafeBytes { bytes -> Int? in
            var c = PlainDataCursor(bytes)
            return c.skipPlainObject() ? c.index : nil
        }
    }

    @Test func stepsOverOneObjectToItsClosingBrace() {
        #expect(skipped("{}") == 2)
        #expect(skipped(#"{"a":1},"id":"x"}"#) == 7)
        // Brackets inside strings do not count; nested ones do.
        let nested = #"{"a":[1,{"b":"}]{["}],"c":"Đảng bộ"}"#
        #expect(skipped(nested + #","id":"x"}"#) == nested.utf8.count)
    }

    @Test func declinesWhatIsNotOnePlainObject() {
        #expect(skipped(#"[1]"#) == nil)  // not an object
        #expect(skipped(#" {}"#) == nil)  // not where the cursor stands
        #expect(skipped(#"{"a":"x\"y"}"#) == nil)  // an escape: the plain form has none
        #expect(skipped(#"{"a\n":1}"#.replacingOccurrences(of: "\n", with: "\\n")) == nil)
        #expect(skipped(#"{"a":[1}"#) == nil)  // never closed
        #expect(skipped(#"{"a":"open}"#) == nil)  // a string never closed
        #expect(skipped("") == nil)
    }
}

/// Strings are read eight bytes at a time where they are plain ASCII
/// (`PlainDataCursor.plainASCIIRun`): the same as byte by byte, whatever
/// byte stands in whichever of the eight lanes.
@Suite struct PlainStringTests {
    /// `plainASCII` byte by byte: where the cursor ends, or nil.
    static func referenceASCII(_ b: [UInt8], lengthMax: Int) -> Int? {
        guard b.first == 0x22 else { return nil }
        var i = 1
        while i < b.count {
            let byte = b[i]
            guard byte >= 0x20, byte <= 0x7E, byte != 0x5C else { return nil }
            if byte == 0x22 { break }
            i += 1
        }
        guard i - 1 <= lengthMax, i < b.count else { return nil }
        return i + 1
    }

    /// `text` byte by byte: the text and where the cursor ends, or nil.
    static func referenceText(_ b: [UInt8], lengthMax: Int) -> (String, Int)? {
        guard b.first == 0x22 else { return nil }
        var i = 1, scalars = 0, visible = false
        while i < b.count {
            let byte = b[i]
            if byte == 0x22 { break }
            if byte >= 0x21 && byte <= 0x7E {
                guard byte != 0x5C else { return nil }
                visible = true
                i += 1
            } else if byte == 0x20 {
                i += 1
            } else if byte >= 0xC3 && byte <= 0xCB {
                guard i + 1 < b.count, b[i + 1] & 0xC0 == 0x80 else { return nil }
                visible = true
                i += 2
            } else if byte == 0xE1 {
                guard i + 2 < b.count, b[i + 1] >= 0xB8, b[i + 1] <= 0xBB, b[i + 2] & 0xC0 == 0x80 else { return nil }
                visible = true
                i += 3
            } else {
                return nil
            }
            scalars += 1
        }
        guard i < b.count, visible, scalars <= lengthMax else { return nil }
        return (String(decoding: b[1..<i], as: UTF8.self), i + 1)
    }

    /// Every bad byte in every lane of a word, after no plain word and after
    /// one; runs of spaces alone (not text) and spaces before a letter.
    @Test func everyLaneOfAWordIsChecked() {
        var cases: [[UInt8]] = [Array(repeating: 0x20, count: 8), Array(repeating: 0x20, count: 16),
                                Array(repeating: 0x20, count: 8) + [0x61], Array(repeating: 0x20, count: 15) + [0x61]]
        for bad: UInt8 in [0x00, 0x1F, 0x22, 0x5C, 0x7F, 0x80, 0xFF] {
            for before in [0, 8] {
                for lane in 0..<8 {
                    var content = Array(repeating: UInt8(ascii: "k"), count: before + 8)
                    content[before + lane] = bad
                    cases.append(content)
                }
            }
        }
        for content in cases {
            let bytes = [0x22] + content + [0x22, 0x2C]
            bytes.withUnsafeBytes { buffer in
                var c = PlainDataCursor(buffer)
                let ascii = c.plainASCII(lengthMax: 100) ? c.index : nil
                #expect(ascii == Self.referenceASCII(bytes, lengthMax: 100), "\(bytes)")
                var t = PlainDataCursor(buffer)
                let text = t.text(lengthMax: 100).map { ($0, t.index) }
                let expected = Self.referenceText(bytes, lengthMax: 100)
                #expect(text?.0 == expected?.0 && text?.1 == expected?.1, "\(bytes)")
            }
        }
    }

    @Test func readsAsByteByByte() {
        var random = SeededRandom(seed: 88)
        let pieces: [[UInt8]] = [[0x61], [0x20], [0x7E], [0x21], [0x22], [0x5C], [0x1F], [0x00], [0x7F], [0x80], [0xFF],
                                 [0xC3, 0xA1], [0xE1, 0xBA, 0xBF], [0xC3], [0x30, 0x2D]]
        var accepted = 0
        for round in 0..<20_000 {
            var content: [UInt8] = []
            let length = Int(random.next() % 40)
            for _ in 0..<length {
                // Mostly plain letters, so that long plain runs and a bad byte in any lane both occur.
                let piece = random.next() % 4 == 0 ? pieces[Int(random.next() % UInt64(pieces.count))] : [0x61 + UInt8(random.next() % 26)]
                content += piece
            }
            let bytes = [0x22] + content + [0x22, 0x2C]
            let lengthMax = round % 3 == 0 ? 10 : 100
            bytes.withUnsafeBytes { buffer in
                var c = PlainDataCursor(buffer)
                let ascii = c.plainASCII(lengthMax: lengthMax) ? c.index : nil
                #expect(ascii == Self.referenceASCII(bytes, lengthMax: lengthMax), "round \(round): \(bytes)")
                var t = PlainDataCursor(buffer)
                let text = t.text(lengthMax: lengthMax).map { ($0, t.index) }
                let expected = Self.referenceText(bytes, lengthMax: lengthMax)
                #expect(text?.0 == expected?.0 && text?.1 == expected?.1, "round \(round): \(bytes)")
                if text != nil { accepted += 1 }
            }
        }
        #expect(accepted > 1000)
    }
}
