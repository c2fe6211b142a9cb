#if canImport(Glibc)
import Glibc
#endif

/// Sockets handed over by systemd socket activation (sd_listen_fds(3)).
///
/// systemd passes `LISTEN_PID` (the process meant), `LISTEN_FDS` (how many,
/// starting at fd 3) and `LISTEN_FDNAMES` (colon-separated names). The
/// variables are for this process only, so `takeFromEnvironment()` unsets
/// them: a child process must not think the sockets are its own.
public struct SocketActivation: Sendable, Hashable {
    /// The first passed descriptor (SD_LISTEN_FDS_START).
    public static let firstDescriptor: Int32 = 3
    /// More than this many sockets is a unit file mistake, not a daemon's need.
    public static let descriptorsMax = 64

    public let fileDescriptors: [Int32]
    /// One name per descriptor ("unknown" when systemd gave none).
    public let names: [String]

    public init(fileDescriptors: [Int32], names: [String]) {
        self.fileDescriptors = fileDescriptors
        self.names = names
    }

    /// A malformed activation environment: says which variable and why.
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public let variable: String
        public let message: String
        public var description: String { "\(variable): \(message)" }
    }

    /// Parses an environment. Returns nil when there is no activation for
    /// `pid` (variables absent, or `LISTEN_PID` names another process).
    public static func parse(environment: [String: String], pid: Int32) throws(Error) -> SocketActivation? {
        guard let pidText = environment["LISTEN_PID"], let countText = environment["LISTEN_FDS"] else { return nil }
        guard let listenPID = Int32(pidText), listenPID > 0 else {
            throw Error(variable: "LISTEN_PID", message: "want a process id, got '\(pidText)'")
        }
        guard listenPID == pid else { return nil }
        guard let count = Int(countText), (0...descriptorsMax).contains(count) else {
            throw Error(variable: "LISTEN_FDS", message: "want a count in 0...\(descriptorsMax), got '\(countText)'")
        }
        guard count > 0 else { return nil }
        var names = Array(repeating: "unknown", count: count)
        if let namesText = environment["LISTEN_FDNAMES"] {
            let given = namesText.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard given.count == count else {
                throw Error(variable: "LISTEN_FDNAMES", message: "has \(given.count) names for \(count) descriptors")
            }
            names = given
        }
        let descriptors = (0..<Int32(count)).map { firstDescriptor + $0 }
        return SocketActivation(fileDescriptors: descriptors, names: names)
    }

    /// Parses this process's environment, unsets the variables, and marks the
    /// descriptors close-on-exec (as sd_listen_fds does).
    public static func takeFromEnvironment() throws(Error) -> SocketActivation? {
        var environment: [String: String] = [:]
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
            unsetenv(name)
        }
        let activation = try parse(environment: environment, pid: getpid())
        for fd in activation?.fileDescriptors ?? [] {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return activation
    }

    /// The descriptor named `name` (LISTEN_FDNAMES / FileDescriptorName=).
    public func fileDescriptor(named name: String) -> Int32? {
        zip(fileDescriptors, names).first { $0.1 == name }?.0
    }
}
