public import Logging

/// ledgerd's settings: defaults, then the config file, then command-line
/// flags (applied by ledgerd on top of `load(path:)`'s result).
///
/// See `Deploy/ledgerd.conf.example` for the file format and every key.
public struct LedgerdConfiguration: Sendable, Hashable {
    /// `data-dir`: the LMDB environment, the signing key, backups.
    public var dataDirectory = "/var/lib/ledger"
    /// `socket`: the Unix socket path (ignored under socket activation).
    public var socketPath = "/run/ledger/ledger.sock"
    /// `socket-group`: the socket file's group (nil: the daemon's group).
    public var socketGroup: String?
    /// `socket-mode`: the socket file's permission bits.
    public var socketMode: UInt32 = 0o660
    /// `origin`: the checkpoint origin line (nil: the engine's default).
    public var origin: String?
    /// `max-connections`: open connections beyond this get `too-many-connections`
    /// (one user other than root holds at most a quarter: `ConnectionBudget`).
    public var connectionsMax = 256
    /// `max-connections-per-user`: connections one user other than root may
    /// hold (nil: a quarter of `max-connections`, at least 16).
    public var connectionsPerUserMax: Int?
    /// `request-bytes-max`: the longest request line.
    public var requestBytesMax = 1 << 20
    /// `requests-in-flight-max`: requests one connection may have in flight
    /// before the server stops reading from it.
    public var requestsInFlightMax = 128
    /// `idle-timeout-seconds`: close a connection with no request in flight
    /// and nothing received for this long (0: never).
    public var idleTimeoutSeconds = 0
    /// `shutdown-grace-seconds`: how long SIGTERM waits for in-flight requests.
    public var shutdownGraceSeconds = 10
    /// `log-level`: trace, debug, info, notice, warning, error or critical.
    public var logLevel: Logger.Level = .info
    /// The `[roles]` section, in file order.
    public var roleGrants: [RoleGrant] = []

    public init() {}
}

/// A config file that cannot be used: names the file, the line and the key,
/// and says what was got and what is wanted.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    /// 1-based; nil for errors about the whole file (unreadable).
    public let line: Int?
    public let key: String?
    public let message: String
    /// The file could not be read (missing, no permission, an I/O error),
    /// as opposed to read and found wrong.
    public let unreadable: Bool

    public init(file: String, line: Int?, key: String?, message: String, unreadable: Bool = false) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.unreadable = unreadable
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "key '\(key)': " }
        return text + message
    }
}
