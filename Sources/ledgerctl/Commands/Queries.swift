import ArgumentParser
import LedgerJSON

/// The projections' queries. Each prints a readable table, or JSON with --json,
/// and takes --as-of DATE / --at-seq N.
protocol QueryCommand: ParsableCommand {
    var connection: ConnectionOptions { get }
    var time: TimeOptions { get }
    var output: OutputOptions { get }
    var verb: String { get }
    var queryArgs: [String: JSONValue] { get }
}

extension QueryCommand {
    func run() throws {
        var args = time.args
        args.merge(queryArgs) { _, new in new }
        let result = try Session.call(connection, verb, args)
        if output.json { Output.json(result) } else { Output.human(result) }
    }
}

func requireID(_ value: String, _ option: String) throws {
    guard Validation.isID(value) else {
        throw ValidationError("\(option) wants an id of 1–64 characters A-Z a-z 0-9 . _ -; got '\(value)'")
    }
}

struct OrgCommand: QueryCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "One organization: kind, parent, children, registration, dissolution.",
        discussion: "Example: ledgerctl org DB01 --as-of 2025-06-30")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp("The organization's code.", valueName: "code")) var code: String
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions
    func validate() throws { try requireID(code, "CODE") }
    var verb: String { "org" }
    var queryArgs: [String: JSONValue] { ["code": .string(code)] }
}

struct Orgs: QueryCommand {
    static let configuration = CommandConfiguration(
        abstract: "The organizations under one (its whole subtree).",
        discussion: "Example: ledgerctl orgs --under DBK")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("The root organization's code.", valueName: "code")) var under: String
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions
    func validate() throws { try requireID(under, "--under") }
    var verb: String { "orgs" }
    var queryArgs: [String: JSONValue] { ["under": .string(under)] }
}

struct Members: QueryCommand {
    static let configuration = CommandConfiguration(
        abstract: "The members of the cells under an organization, with status and roles.",
        discussion: "Example: ledgerctl members --org DB01-CB03 --as-of 2025-06-30")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("The organization's code.", valueName: "code")) var org: String
    @Flag(help: "Include members who left (retired to residence, removed, expelled).") var all = false
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions
    func validate() throws { try requireID(org, "--org") }
    var verb: String { "members" }
    var queryArgs: [String: JSONValue] { ["org": .string(org), "all": .bool(all)] }
}

struct MemberCommand: QueryCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "One member's standing and full timeline.",
        discussion: "Example: ledgerctl member DV000123 --as-of 2025-06-30")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp("The member's id.", valueName: "id")) var id: String
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions
    func validate() throws { try requireID(id, "ID") }
    var verb: String { "member" }
    var queryArgs: [String: JSONValue] { ["memberId": .string(id)] }
}

struct History: QueryCommand {
    enum Kind: String, ExpressibleByArgument, CaseIterable { case supervision, discipline }
    static let configuration = CommandConfiguration(
        abstract: "Supervision history (inspections, supervisions) or discipline history of an organization or a member.",
        discussion: """
            Examples:
              ledgerctl history supervision --org DB01-CB03
              ledgerctl history discipline --member DV000123
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "supervision or discipline") var kind: Kind
    @Option(help: ArgumentHelp("An organization's code.", valueName: "code")) var org: String?
    @Option(help: ArgumentHelp("A member's id.", valueName: "id")) var member: String?
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions
    func validate() throws {
        guard (org == nil) != (member == nil) else { throw ValidationError("give exactly one of --org or --member") }
        if let org { try requireID(org, "--org") }
        if let member { try requireID(member, "--member") }
    }
    var verb: String { "history" }
    var queryArgs: [String: JSONValue] {
        var args: [String: JSONValue] = ["kind": .string(kind.rawValue)]
        if let org { args["org"] = .string(org) }
        if let member { args["memberId"] = .string(member) }
        return args
    }
}

struct Meetings: QueryCommand {
    static let configuration = CommandConfiguration(
        abstract: "The meetings of a cell in a period.",
        discussion: "Example: ledgerctl meetings --cell DB01-CB03 --from 2025-01-01 --to 2025-06-30")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("The cell's code.", valueName: "code")) var cell: String
    @Option(help: ArgumentHelp("First day (YYYY-MM-DD).", valueName: "date")) var from: String
    @Option(help: ArgumentHelp("Last day (YYYY-MM-DD).", valueName: "date")) var to: String
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions
    func validate() throws {
        try requireID(cell, "--cell")
        try Validation.requireDate(from, "--from")
        try Validation.requireDate(to, "--to")
        guard from <= to else { throw ValidationError("--from (\(from)) is after --to (\(to))") }
    }
    var verb: String { "meetings" }
    var queryArgs: [String: JSONValue] { ["cell": .string(cell), "from": .string(from), "to": .string(to)] }
}

struct Warnings: QueryCommand {
    static let configuration = CommandConfiguration(
        abstract: "The advisory warnings of the domain rules for the organizations under one.",
        discussion: "Example: ledgerctl warnings --org DB01")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("The organization's code.", valueName: "code")) var org: String
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions
    func validate() throws { try requireID(org, "--org") }
    var verb: String { "warnings" }
    var queryArgs: [String: JSONValue] { ["org": .string(org)] }
}
