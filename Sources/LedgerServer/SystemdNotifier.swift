#if canImport(Glibc)
import Glibc
#endif

/// Talks to systemd's notification socket (sd_notify(3)) for `Type=notify`
/// units: `READY=1` once the socket accepts, `STATUS=…` for `systemctl
/// status`, `STOPPING=1` at shutdown, `WATCHDOG=1` as a heartbeat.
///
/// Without `NOTIFY_SOCKET` (not under systemd, or in tests) every call does
/// nothing. Each message is one datagram on a fresh socket: notifications are
/// rare, and a fresh socket has no state to share between tasks.
public struct SystemdNotifier: Sendable {
    /// The socket path; a leading `@` means the abstract namespace.
    public let socketPath: String?
    /// How often systemd expects `WATCHDOG=1` (`WATCHDOG_USEC`), if it does
    /// and it is meant for this process (`WATCHDOG_PID`). Send at half this.
    public let watchdogInterval: Duration?

    public init(socketPath: String?, watchdogInterval: Duration? = nil) {
        self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
        self.watchdogInterval = watchdogInterval
    }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`.
    public init(environment: [String: String], pid: Int32) {
        var interval: Duration?
        if let usecText = environment["WATCHDOG_USEC"], let usec = Int64(usecText), usec > 0 {
            let meantForUs = environment["WATCHDOG_PID"].map { Int32($0) == pid } ?? true
            if meantForUs { interval = .microseconds(usec) }
        }
        self.init(socketPath: environment["NOTIFY_SOCKET"], watchdogInterval: interval)
    }

    /// The notifier for this process's environment.
    public static func fromProcessEnvironment() -> SystemdNotifier {
        var environment: [String: String] = [:]
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return SystemdNotifier(environment: environment, pid: getpid())
    }

    public var isEnabled: Bool { socketPath != nil }

    /// `READY=1` with a status line.
    @discardableResult
    public func ready(status: String? = nil) -> Bool { send(["READY=1"] + statusLine(status)) }

    /// `STATUS=…`: one line for `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Bool { send(statusLine(text)) }

    /// `STOPPING=1`: shutdown began.
    @discardableResult
    public func stopping(status: String? = nil) -> Bool { send(["STOPPING=1"] + statusLine(status)) }

    /// `RELOADING=1` (SIGHUP began) or `READY=1` after it.
    @discardableResult
    public func reloading() -> Bool { send(["RELOADING=1"]) }

    /// `WATCHDOG=1`: still alive.
    @discardableResult
    public func watchdog() -> Bool { send(["WATCHDOG=1"]) }

    /// Sends `WATCHDOG=1` at half `watchdogInterval` until the task is
    /// cancelled; returns at once when systemd asked for no watchdog. Run it
    /// in a task beside the server: if the process wedges, systemd restarts it.
    public func runWatchdog() async {
        guard isEnabled, let interval = watchdogInterval else { return }
        while !Task.isCancelled {
            watchdog()
            do {
                try await Task.sleep(for: interval / 2)
            } catch {
                return
            }
        }
    }

    private func statusLine(_ text: String?) -> [String] {
        guard let text else { return [] }
        // One assignment per line: a line break in the text would start
        // another (by scalar: "\r\n" is a single Character).
        var line = "STATUS="
        line.unicodeScalars.append(contentsOf: text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        return [line]
    }

    /// Sends `assignments` as one newline-separated datagram. Returns false if
    /// disabled or if sending failed (systemd gone: nothing to do about it).
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard let socketPath, !assignments.isEmpty else { return false }
        let message = Array(assignments.joined(separator: "\n").utf8)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        // An abstract address's length counts exactly its bytes, no NUL terminator.
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let length = socklen_t(abstract ? pathOffset + path.count : MemoryLayout<sockaddr_un>.size)
        let sent = message.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        return sent == message.count
    }
}
