#if canImport(Glibc)
import Glibc
#endif
import Logging
import LedgerWire

/// The config file's strict `key = value` format.
///
/// - One setting per line; blank lines and lines starting with `#` are
///   ignored. There are no trailing comments: `#` inside a value is kept.
/// - Top-level keys come before any section; the only section is `[roles]`,
///   whose keys are role names and whose values are comma-separated
///   principals (`user:NAME`, `group:NAME`, `uid:N`, `gid:N`).
/// - Unknown keys, unknown sections, repeated keys and bad values are errors
///   that name the file, the line and the key. Strict, because a typo that is
///   silently ignored ("max-conections") is a setting that silently isn't.
extension LedgerdConfiguration {
    /// Every top-level key the file may set (the `[roles]` keys are role names).
    public static let fileKeys = [
        "data-dir", "socket", "socket-group", "socket-mode", "origin", "max-connections", "max-connections-per-user", "request-bytes-max",
        "requests-in-flight-max", "idle-timeout-seconds", "shutdown-grace-seconds", "log-level",
    ]

    /// The longest config file read, so a wrong path (a log, a device) fails fast.
    static let fileBytesMax = 1 << 20

    /// Reads and parses a config file.
    public static func load(path: String) throws(ConfigurationError) -> LedgerdConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try readSmallFile(path: path, bytesMax: fileBytesMax)
        } catch {
            throw ConfigurationError(file: path, line: nil, key: nil, message: error.message, unreadable: true)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(file: path, line: nil, key: nil, message: "the file is not valid UTF-8")
        }
        return try parse(text, file: path)
    }

    /// Parses config text; `file` names it in errors and warnings.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> LedgerdConfiguration {
        var parser = ConfigurationParser(file: file)
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            try parser.consume(line: rawLine, number: lineNumber)
        }
        return parser.configuration
    }
}

/// The state of one parse: the section we are in and where each key was set.
private struct ConfigurationParser {
    let file: String
    var configuration = LedgerdConfiguration()
    var section: String?
    var seenKeys: [String: Int] = [:]
    var seenSections: Set<String> = []

    init(file: String) { self.file = file }

    static let topLevelKeys = Set(LedgerdConfiguration.fileKeys)

    func fail(_ line: Int, _ key: String?, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line, key: key, message: message)
    }

    mutating func consume(line rawLine: Substring, number: Int) throws(ConfigurationError) {
        let line = rawLine.trimmingASCIIWhitespace()
        if line.isEmpty || line.hasPrefix("#") { return }
        if line.hasPrefix("[") {
            guard line.hasSuffix("]") else { throw fail(number, nil, "a section header must end with ']', got '\(line)'") }
            let name = String(line.dropFirst().dropLast()).trimmingASCIIWhitespace()
            guard name == "roles" else { throw fail(number, nil, "unknown section '[\(name)]'; the only section is [roles]") }
            guard seenSections.insert(name).inserted else { throw fail(number, nil, "section [\(name)] appears twice") }
            section = name
            return
        }
        guard let equals = line.firstIndex(of: "=") else {
            throw fail(number, nil, "expected 'key = value', got '\(line)'")
        }
        let key = String(line[..<equals]).trimmingASCIIWhitespace()
        let value = String(line[line.index(after: equals)...]).trimmingASCIIWhitespace()
        guard !key.isEmpty else { throw fail(number, nil, "missing key before '='") }
        let scopedKey = section.map { "[\($0)] \(key)" } ?? key
        guard !value.isEmpty else { throw fail(number, key, "missing value") }
        if let first = seenKeys[scopedKey] {
            throw fail(number, key, "set twice (first on line \(first))")
        }
        seenKeys[scopedKey] = number
        if section == "roles" {
            try setRole(key, value, number)
        } else {
            try setTopLevel(key, value, number)
        }
    }

    mutating func setTopLevel(_ key: String, _ value: String, _ line: Int) throws(ConfigurationError) {
        switch key {
        case "data-dir":
            configuration.dataDirectory = try absolutePath(key, value, line)
        case "socket":
            let path = try absolutePath(key, value, line)
            // sockaddr_un.sun_path holds 108 bytes, NUL included.
            guard path.utf8.count <= 107 else {
                throw fail(line, key, "a socket path must be at most 107 bytes, got \(path.utf8.count)")
            }
            configuration.socketPath = path
        case "socket-group":
            guard Principal(parsing: "group:\(value)") != nil else {
                throw fail(line, key, "want a group name or number, got '\(value)'")
            }
            configuration.socketGroup = value
        case "socket-mode":
            guard (3...4).contains(value.count), value.allSatisfy({ ("0"..."7").contains($0) }),
                  let mode = UInt32(value, radix: 8), mode <= 0o777
            else {
                throw fail(line, key, "want octal permission bits like 0660, got '\(value)'")
            }
            guard mode & 0o600 == 0o600 else {
                throw fail(line, key, "the owner needs read and write (0600), got \(value)")
            }
            configuration.socketMode = mode
        case "origin":
            guard value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                throw fail(line, key, "want a checkpoint origin without spaces or control characters, got '\(value)'")
            }
            configuration.origin = value
        case "max-connections":
            configuration.connectionsMax = try integer(key, value, line, in: 1...65_536)
        case "max-connections-per-user":
            configuration.connectionsPerUserMax = try integer(key, value, line, in: 1...65_536)
        case "request-bytes-max":
            configuration.requestBytesMax = try integer(key, value, line, in: 1024...(64 << 20))
        case "requests-in-flight-max":
            configuration.requestsInFlightMax = try integer(key, value, line, in: 1...4096)
        case "idle-timeout-seconds":
            configuration.idleTimeoutSeconds = try integer(key, value, line, in: 0...604_800)
        case "shutdown-grace-seconds":
            configuration.shutdownGraceSeconds = try integer(key, value, line, in: 0...3600)
        case "log-level":
            guard let level = Logger.Level(rawValue: value) else {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail(line, key, "want one of \(levels), got '\(value)'")
            }
            configuration.logLevel = level
        default:
            throw fail(line, key, "unknown key (a [roles] entry must come after the [roles] header)")
        }
    }

    mutating func setRole(_ key: String, _ value: String, _ line: Int) throws(ConfigurationError) {
        guard let role = Role(rawValue: key) else {
            if Self.topLevelKeys.contains(key) {
                throw fail(line, key, "unknown role; move this setting above the [roles] header")
            }
            let roles = Role.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail(line, key, "unknown role; the roles are \(roles)")
        }
        for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
            let text = String(entry).trimmingASCIIWhitespace()
            guard !text.isEmpty else { throw fail(line, key, "empty entry in the list '\(value)'") }
            guard let principal = Principal(parsing: text) else {
                throw fail(line, key, "want user:NAME, group:NAME, uid:N or gid:N, got '\(text)'")
            }
            configuration.roleGrants.append(RoleGrant(role: role, principal: principal, origin: "\(file):\(line)"))
        }
    }

    func absolutePath(_ key: String, _ value: String, _ line: Int) throws(ConfigurationError) -> String {
        guard value.hasPrefix("/"), !value.utf8.contains(0) else {
            throw fail(line, key, "want an absolute path, got '\(value)'")
        }
        return value
    }

    func integer(_ key: String, _ value: String, _ line: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(value), range.contains(number) else {
            throw fail(line, key, "want an integer in \(range.lowerBound)...\(range.upperBound), got '\(value)'")
        }
        return number
    }
}

extension StringProtocol {
    /// Trims spaces, tabs and carriage returns (a file edited on Windows).
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) }) ?? first
        return String(self[first...last])
    }
}

/// Why a small file could not be read; `message` names the cause.
struct FileReadError: Error {
    let message: String
}

/// Reads a whole small file with POSIX calls (no Foundation in the daemon's shell).
func readSmallFile(path: String, bytesMax: Int) throws(FileReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        throw FileReadError(message: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw FileReadError(message: "cannot read: \(String(cString: strerror(errno)))")
        }
        if count == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<count])
        guard bytes.count <= bytesMax else {
            throw FileReadError(message: "the file is larger than \(bytesMax) bytes")
        }
    }
}
