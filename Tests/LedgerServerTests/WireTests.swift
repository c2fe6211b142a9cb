import LedgerJSON
import Testing

@testable import LedgerWire

@Suite("Wire protocol")
struct WireTests {
    struct DecodeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let line: [UInt8]
        let code: WireErrorCode
        let id: JSONValue
        var testDescription: String { name }

        init(_ name: String, _ line: String, _ code: WireErrorCode, id: JSONValue = .null) {
            self.init(name, Array(line.utf8), code, id: id)
        }
        init(_ name: String, _ line: [UInt8], _ code: WireErrorCode, id: JSONValue = .null) {
            self.name = name
            self.line = line
            self.code = code
            self.id = id
        }
    }

    static let badLines: [DecodeCase] = [
        DecodeCase("not JSON", #"{"id":1,"verb":"#, .malformedJSON),
        DecodeCase("trailing garbage", #"{"id":1,"verb":"status"} x"#, .malformedJSON),
        DecodeCase("invalid UTF-8", Array(#"{"id":1,"verb":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8), .invalidUTF8),
        DecodeCase("too deep", #"{"id":1,"verb":"status","args":{"a":"# + String(repeating: "[", count: 80) + String(repeating: "]", count: 80) + "}}", .tooDeep),
        DecodeCase("array", "[1,2]", .badRequest),
        DecodeCase("string", #""status""#, .badRequest),
        DecodeCase("missing id", #"{"verb":"status"}"#, .badRequest),
        DecodeCase("boolean id", #"{"id":true,"verb":"status"}"#, .badRequest),
        DecodeCase("float id", #"{"id":1.5,"verb":"status"}"#, .badRequest),
        DecodeCase("empty id", #"{"id":"","verb":"status"}"#, .badRequest),
        DecodeCase("missing verb", #"{"id":7}"#, .badRequest, id: 7),
        DecodeCase("verb not a string", #"{"id":"a","verb":3}"#, .badRequest, id: "a"),
        DecodeCase("empty verb", #"{"id":7,"verb":""}"#, .badRequest, id: 7),
        DecodeCase("args not an object", #"{"id":7,"verb":"status","args":[1]}"#, .badRequest, id: 7),
        DecodeCase("args null", #"{"id":7,"verb":"status","args":null}"#, .badRequest, id: 7),
        DecodeCase("unknown key", #"{"id":7,"verb":"status","arg":{}}"#, .badRequest, id: 7),
        // Beyond ±(2^53 − 1) a number is not an integer id (LedgerJSON reads it as a float).
        DecodeCase("integer beyond 2^53", #"{"id":9007199254740993,"verb":"status"}"#, .badRequest),
    ]

    @Test("bad lines get a stable code and the id when readable", arguments: badLines)
    func badLine(_ testCase: DecodeCase) {
        #expect(throws: WireRequestError.self) { try WireRequest.decode(line: testCase.line) }
        do {
            _ = try WireRequest.decode(line: testCase.line)
        } catch {
            #expect(error.error.code == testCase.code, "\(error.error.message)")
            #expect(error.id == testCase.id)
        }
    }

    @Test func goodRequests() throws {
        let plain = try WireRequest.decode(line: Array(#"{"id":1,"verb":"status"}"#.utf8))
        #expect(plain == WireRequest(id: 1, verb: "status"))
        let withArgs = try WireRequest.decode(line: Array(#"{"verb":"history","id":"abc","args":{"limit":5,"x":[true,null]}}"#.utf8))
        #expect(withArgs.id == "abc")
        #expect(withArgs.args == ["limit": 5, "x": [true, nil]])
        let unicode = try WireRequest.decode(line: Array(#"{"id":2,"verb":"org","args":{"name":"Chi bộ 1 \u0041"}}"#.utf8))
        #expect(unicode.args["name"] == "Chi bộ 1 A")
    }

    @Test func lineLimitIsEnforcedByTheDecoderToo() {
        let limits = WireLimits(lineBytesMax: 16)
        #expect(throws: WireRequestError.self) { try WireRequest.decode(line: Array(#"{"id":1,"verb":"status"}"#.utf8), limits: limits) }
    }

    @Test func requestRoundTrip() throws {
        let request = WireRequest(id: 42, verb: "append", args: ["event": ["type": "MemberConfirmed", "data": ["memberId": "m-1"]]])
        var line = request.encodedLine()
        #expect(line.last == UInt8(ascii: "\n"))
        line.removeLast()
        #expect(!line.contains(UInt8(ascii: "\n")))
        #expect(try WireRequest.decode(line: line) == request)
    }

    static let frames: [WireFrame] = [
        .result(id: 1, ["size": 3, "rootHash": "ab"]),
        .result(id: "x", .null),
        .item(id: 1, ["seq": 1, "text": "line\nbreak \"quoted\" \\ \u{01}"]),
        .progress(id: 1, done: 5, total: 10),
        .progress(id: 1, done: 5, total: nil),
        .error(id: .null, WireError(.lineTooLong, "too long")),
        .error(id: 9, WireError(.refused, "rule", details: ["rule": "member-left"])),
    ]

    @Test("frames encode to one line and decode back", arguments: frames)
    func frameRoundTrip(_ frame: WireFrame) throws {
        var line = frame.encodedLine()
        #expect(line.removeLast() == UInt8(ascii: "\n"))
        #expect(!line.contains(UInt8(ascii: "\n")))
        #expect(try WireFrame.decode(line: line) == frame)
    }

    /// A canonical item is sent as its bytes and reads back as the item.
    @Test func canonicalItemFramesEncodeLikeItems() throws {
        let value: JSONValue = ["seq": 4, "text": "Nguyễn \"A\"\n", "leafHash": "ab"]
        let raw = WireFrame.canonicalItem(id: 12, bytes: CanonicalJSON.encode(value))
        #expect(raw.encodedLine() == WireFrame.item(id: 12, value).encodedLine())
        var line = raw.encodedLine()
        line.removeLast()
        #expect(try WireFrame.decode(line: line) == .item(id: 12, value))
        #expect(raw.jsonValue == WireFrame.item(id: 12, value).jsonValue && !raw.isFinal && raw.id == 12)
    }

    @Test func frameShapes() {
        #expect(String(decoding: WireFrame.result(id: 1, ["b": 1, "a": 2]).encodedLine(), as: UTF8.self) == #"{"id":1,"ok":true,"result":{"a":2,"b":1}}"# + "\n")
        #expect(String(decoding: WireFrame.error(id: .null, WireError(.badRequest, "m")).encodedLine(), as: UTF8.self)
            == #"{"error":{"code":"bad-request","message":"m"},"id":null,"ok":false}"# + "\n")
        #expect(String(decoding: WireFrame.progress(id: 1, done: 1, total: 2).encodedLine(), as: UTF8.self) == #"{"id":1,"progress":{"done":1,"total":2}}"# + "\n")
    }

    @Test func unknownErrorCodeFromANewerServerIsKept() throws {
        let frame = try WireFrame.decode(line: Array(#"{"id":1,"ok":false,"error":{"code":"brand-new","message":"m"}}"#.utf8))
        guard case .error(_, let error) = frame else { Issue.record("not an error"); return }
        #expect(error.code == .internal)
        #expect(error.message.contains("brand-new"))
    }

    @Test func malformedResponses() {
        for line in [#"[]"#, #"{"ok":true,"result":1}"#, #"{"id":1}"#, #"{"id":1,"ok":true}"#, #"{"id":1,"ok":false,"error":{"code":"x"}}"#, #"{"id":1,"progress":{}}"#] {
            #expect(throws: WireError.self, "\(line)") { try WireFrame.decode(line: Array(line.utf8)) }
        }
    }

    /// Scripts match on these strings: a rename is a breaking change.
    @Test func errorCodesAreStable() {
        #expect(WireErrorCode.allCases.map(\.rawValue) == [
            "malformed-json", "invalid-utf8", "line-too-long", "too-deep", "bad-request", "unknown-verb",
            "bad-arguments", "permission-denied", "too-many-connections", "too-many-requests", "shutting-down",
            "refused", "conflict", "idempotency-mismatch", "not-found", "read-only", "unavailable", "internal",
        ])
    }

    @Test func verbCatalog() {
        #expect(VerbCatalog.requiredRole(for: "status") == .reader)
        #expect(VerbCatalog.requiredRole(for: "append") == .recorder)
        #expect(VerbCatalog.requiredRole(for: "export") == .auditor)
        #expect(VerbCatalog.requiredRole(for: "backup") == .admin)
        #expect(VerbCatalog.requiredRole(for: "nope") == nil)
        #expect(VerbCatalog.verbs.count == 23)
        let byRole = Dictionary(grouping: VerbCatalog.verbs) { VerbCatalog.requiredRole(for: $0)! }
        #expect(byRole[.recorder] == ["append"])
        #expect(byRole[.admin] == ["backup", "rebuild", "reload"])
        #expect(byRole[.auditor]?.count == 7)
        #expect(byRole[.reader]?.count == 12)
    }

    @Test func rolePermissions() {
        // (holder, required) → permitted
        let table: [(Role, Role, Bool)] = [
            (.reader, .reader, true), (.reader, .recorder, false), (.reader, .auditor, false), (.reader, .admin, false),
            (.recorder, .reader, true), (.recorder, .recorder, true), (.recorder, .auditor, false), (.recorder, .admin, false),
            (.auditor, .reader, true), (.auditor, .recorder, false), (.auditor, .auditor, true), (.auditor, .admin, false),
            (.admin, .reader, true), (.admin, .recorder, true), (.admin, .auditor, true), (.admin, .admin, true),
        ]
        for (holder, required, permitted) in table {
            #expect(holder.permits(required) == permitted, "\(holder) → \(required)")
        }
        #expect([Role.recorder, .auditor].permit(.auditor))
        #expect([Role.recorder, .auditor].permit(.recorder))
        #expect(![Role]().permit(.reader))
        #expect(Role.allCases.sorted() == [.reader, .recorder, .auditor, .admin])
    }

    @Test func encoderSortsKeysAndEscapesMinimally() {
        let value: JSONValue = ["é": 1, "b": ["z": nil, "a": false], "a": "\u{7}\t/ü"]
        #expect(String(decoding: wireEncode(value), as: UTF8.self) == #"{"a":"\u0007\t/ü","b":{"a":false,"z":null},"é":1}"#)
    }

    @Test func parserKeepsIntegersBooleansAndDoublesApart() throws {
        let value = try wireParse(Array(#"[0,1,true,false,1.5,-7,null]"#.utf8), limits: WireLimits())
        #expect(value == [0, 1, true, false, .double(1.5), -7, nil])
    }
}
