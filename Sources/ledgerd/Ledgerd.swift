import ArgumentParser
import Foundation
import LedgerEngine
import LedgerServer
import LedgerStore
import LedgerWire
import Logging

/// `ledgerd`: the ledger daemon. Argument parsing and wiring only; the work
/// is in LedgerEngine (storage, rules, queries) and LedgerServer (the socket).
@main
struct Ledgerd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerd",
        abstract: "The tamper-evident audit ledger daemon of a Party committee.",
        discussion: """
            Appends events to an LMDB log with a Merkle tree and a signed checkpoint after every \
            commit, and answers ledgerctl over a Unix socket. Flags override the config file.

            Runs under systemd (Type=notify: READY=1, STATUS=, STOPPING=1, WATCHDOG=1; socket \
            activation through LISTEN_FDS) or in the foreground. SIGTERM or SIGINT: stop accepting, \
            finish in-flight commits, write a state snapshot, close LMDB. SIGHUP: reload the role map \
            from the config file. Logs go to stderr with journald priority prefixes.

            Exit codes: 0 stopped cleanly (or --restore-only done); 1 failed (storage, socket, \
            restore, a config file that cannot be read); 2 a bad flag or a config file found wrong \
            (the systemd unit does not restart on it).

            Examples:
              ledgerd --data-dir /var/lib/ledger --socket /run/ledger/ledger.sock
              ledgerd --config /etc/ledger/ledgerd.conf
              ledgerd --restore /var/backups/ledger/20261128T023512Z --restore-only \\
                --config /etc/ledger/ledgerd.conf
            """,
        version: LedgerVersion.string)

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Where the ledger lives (default /var/lib/ledger).", valueName: "dir"))
    var dataDirectory: String?

    @Option(help: ArgumentHelp("The Unix socket to listen on (default /run/ledger/ledger.sock).", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("A config file (key = value; see Deploy/ledgerd.conf).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp(
        "Checkpoint origin and key name, e.g. ledger.local/dang-bo-01 (no spaces or '+'). Default: the existing ledger's (its signing key's name); for a new ledger, <hostname>/ledger.",
        valueName: "name"))
    var origin: String?

    @Option(name: .customLong("socket-group"), help: ArgumentHelp("Group owning the socket.", valueName: "group"))
    var socketGroup: String?

    @Option(name: .customLong("socket-mode"), help: ArgumentHelp("Octal mode of the socket (default 0660).", valueName: "mode"))
    var socketMode: String?

    @Option(help: ArgumentHelp("Before serving, verify the backup in DIR and put it in place as the data dir (which must hold no ledger).", valueName: "dir"))
    var restore: String?

    @Flag(name: .customLong("restore-only"), help: "With --restore: exit once the backup is verified and in place, without serving (then start the service).")
    var restoreOnly = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    func validate() throws {
        if let socketMode, UInt32(socketMode, radix: 8) == nil {
            throw ValidationError("--socket-mode wants an octal mode like 0660; got '\(socketMode)'")
        }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level wants trace, debug, info, notice, warning, error or critical; got '\(logLevel)'")
        }
        if restoreOnly && restore == nil {
            throw ValidationError("--restore-only needs --restore DIR (the backup to put in place)")
        }
        if let origin, origin.isEmpty || origin.contains(where: { $0 == "+" || $0.isWhitespace }) {
            throw ValidationError("--origin must be non-empty with no spaces or '+'; got '\(origin)'")
        }
    }

    /// Usage errors (a bad flag) exit 2, like a bad config file, not
    /// ArgumentParser's 64: the unit does not restart on 2 (it would fail
    /// again) and operators read one code for "fix how it is started".
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    func run() async throws {
        var settings = try loadSettings()
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in JournaldLogHandler(label: label, logLevel: level) }
        let logger = Logger(label: "ledgerd")
        if let restore {
            do {
                try Restore.run(from: restore, into: settings.dataDirectory, origin: settings.origin, logger: logger)
            } catch {
                logger.critical("restore failed: \(error)")
                throw ExitCode(1)
            }
            if restoreOnly { return }
        }
        // Not configured: the existing ledger's own (its key's name), so that
        // renaming the host does not stop the daemon; for a new ledger, the
        // host's name.
        settings.origin = settings.origin
            ?? EventStore.existingOrigin(dataDirectory: settings.dataDirectory) ?? Self.defaultOrigin
        try await Daemon(settings: settings, configPath: config, logger: logger).run()
    }

    /// The config file (if any), then the flags over it.
    func loadSettings() throws -> LedgerdConfiguration {
        var settings = LedgerdConfiguration()
        if let config {
            do {
                settings = try LedgerdConfiguration.load(path: config)
            } catch {
                FileHandle.standardError.write(Data("ledgerd: \(error)\n".utf8))
                // Found wrong: 2 (starting again would fail again); could not
                // be read (perhaps for a moment): 1, which systemd retries.
                throw ExitCode(error.unreadable ? 1 : 2)
            }
        }
        if let dataDirectory { settings.dataDirectory = dataDirectory }
        if let socket { settings.socketPath = socket }
        if let origin { settings.origin = origin }
        if let socketGroup { settings.socketGroup = socketGroup }
        if let socketMode, let mode = UInt32(socketMode, radix: 8) { settings.socketMode = mode }
        if let logLevel, let level = Logger.Level(rawValue: logLevel) { settings.logLevel = level }
        return settings
    }

    static var defaultOrigin: String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let host = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace && $0 != "+" }
        return (host.isEmpty ? "localhost" : host) + "/ledger"
    }
}
