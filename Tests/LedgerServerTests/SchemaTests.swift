import Foundation
import LedgerWire
import Testing

/// The schemas under Schemas/protocol/ are documentation that programs use:
/// they must list exactly the codes and verbs the code has.
@Suite("Protocol schemas")
struct SchemaTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas/protocol")

    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func errorCodesMatch() throws {
        let schema = try Self.load("response.schema.json")
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let errorCode = try #require(definitions["errorCode"] as? [String: Any])
        let codes = try #require(errorCode["enum"] as? [String])
        #expect(codes == WireErrorCode.allCases.map(\.rawValue))
    }

    @Test func verbsAndRolesMatch() throws {
        let schema = try Self.load("request.schema.json")
        let properties = try #require(schema["properties"] as? [String: Any])
        let verb = try #require(properties["verb"] as? [String: Any])
        #expect(try #require(verb["enum"] as? [String]) == VerbCatalog.verbs)
        let roles = try #require(verb["x-required-role"] as? [String: String])
        #expect(roles == VerbCatalog.requiredRoles.mapValues(\.rawValue))
    }

    @Test func requestExamplesDecode() throws {
        let schema = try Self.load("request.schema.json")
        for example in try #require(schema["examples"] as? [Any]) {
            let line = try JSONSerialization.data(withJSONObject: example)
            let request = try WireRequest.decode(line: Array(line))
            // An example a person copies must be one the verb takes.
            if request.verb == "append" {
                let events = try #require(request.args["events"]?.arrayValue, "an append example without args.events")
                #expect(!events.isEmpty)
            }
        }
    }

    @Test func responseExamplesDecode() throws {
        let schema = try Self.load("response.schema.json")
        for example in try #require(schema["examples"] as? [Any]) {
            let line = try JSONSerialization.data(withJSONObject: example)
            _ = try WireFrame.decode(line: Array(line))
        }
    }
}
