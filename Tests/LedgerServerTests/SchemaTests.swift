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

    /// Each verb's `args` in the schema name exactly what the daemon takes
    /// (`VerbCatalog.arguments`, which refuses any other key).
    @Test func argumentsMatch() throws {
        let schema = try Self.load("request.schema.json")
        let rules = try #require(schema["allOf"] as? [[String: Any]])
        var documented: [String: Set<String>] = [:]
        for rule in rules {
            let condition = try #require(rule["if"] as? [String: Any])
            let verb = try #require(
                ((condition["properties"] as? [String: Any])?["verb"] as? [String: Any])?["const"] as? String)
            let then = try #require(rule["then"] as? [String: Any])
            let args = try #require((then["properties"] as? [String: Any])?["args"] as? [String: Any])
            if let most = args["maxProperties"] as? Int {
                #expect(most == 0, "\(verb)")
                documented[verb] = []
            } else {
                #expect(args["additionalProperties"] as? Bool == false, "\(verb): other keys must be refused")
                documented[verb] = Set(try #require(args["properties"] as? [String: Any]).keys)
            }
        }
        #expect(documented == VerbCatalog.arguments)
        #expect(Set(documented.keys) == Set(VerbCatalog.verbs))
    }

    @Test func requestExamplesDecode() throws {
        let schema = try Self.load("request.schema.json")
        for example in try #require(schema["examples"] as? [Any]) {
            let line = try JSONSerialization.data(withJSONObject: example)
            let request = try WireRequest.decode(line: Array(line))
            #expect(VerbCatalog.unknownArgument(of: request.verb, in: request.args.keys) == nil, "\(example)")
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
