import Foundation
import Glibc
import LedgerJSON

/// Runs the real binaries: `ledgerd` as a child process on a socket in a temp
/// dir, with a NOTIFY_SOCKET the test listens on, and `ledgerctl` commands
/// against it. Output goes to files (no pipe deadlocks).
enum Binaries {
    static let directory: String = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent(),
                          URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.build/debug")] {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("ledgerd").path) {
                return candidate.path
            }
        }
        return products.path
    }()
    static var ledgerd: String { directory + "/ledgerd" }
    static var ledgerctl: String { directory + "/ledgerctl" }

    /// A copy of ledgerctl that other users (nobody, via setpriv) can run even
    /// when the checkout sits in a directory only its owner may enter.
    static let ledgerctlForOtherUsers: String = {
        var bytes = Array("/tmp/le2e-bin-XXXXXX".utf8CString)
        guard let made = mkdtemp(&bytes) else { return ledgerctl }
        let dir = String(cString: made)
        chmod(dir, 0o755)
        let copy = dir + "/ledgerctl"
        // A hard link needs no open file; a copy is written through an
        // O_CLOEXEC descriptor, or a process spawned meanwhile by another test
        // would inherit it and every exec of the copy would fail with ETXTBSY.
        if link(ledgerctl, copy) == 0 { return copy }
        guard let bytes = FileManager.default.contents(atPath: ledgerctl) else { return ledgerctl }
        let fd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { return ledgerctl }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { return ledgerctl }
        chmod(copy, 0o755)
        return copy
    }()
}

final class TempDir: @unchecked Sendable {
    let path: String

    init() {
        // Short paths: a Unix socket path must fit in 108 bytes.
        var bytes = Array("/tmp/le2e-XXXXXX".utf8CString)
        guard let made = mkdtemp(&bytes) else { fatalError("mkdtemp failed: \(errno)") }
        path = String(cString: made)
        chmod(path, 0o755)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A finished command: exit status and what it printed.
struct Finished {
    let status: Int32
    let stdout: String
    let stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    func json() throws -> JSONValue { try JSONParser.parse(Array(stdout.utf8)) }
}

/// posix_spawn with stdout/stderr to files, an optional stdin file, optional
/// inherited fd 3 (socket activation) and an environment.
struct Spawn {
    static func start(_ path: String, _ args: [String], environment: [String: String], stdin: String? = nil,
                      stdout: String, stderr: String, fd3: Int32? = nil, prefix: [String] = []) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let fd3 { posix_spawn_file_actions_adddup2(&actions, fd3, 3) }
        let argv = prefix.isEmpty ? [path] + args : prefix + [path] + args
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        // Children start as a service manager would start them: no blocked
        // signals and default dispositions, whatever the test runner's threads have.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw HarnessError("posix_spawn \(argv[0]) failed: \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits for `pid`; returns its exit status (128 + signal if killed).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return exitStatus(status)
    }

    /// Waits for `pid` at most `seconds`; nil (and the child killed) if it
    /// ran longer.
    static func wait(_ pid: pid_t, seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid { return exitStatus(status) }
            if rc < 0 && errno != EINTR { return nil }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = wait(pid)
                return nil
            }
            usleep(10_000)
        }
    }

    private static func exitStatus(_ status: Int32) -> Int32 {
        status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A datagram socket standing in for systemd's NOTIFY_SOCKET.
final class NotifyListener {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw HarnessError("bind \(path): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Messages received until one contains `needle` or `seconds` pass.
    func waitFor(_ needle: String, seconds: Double) -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                messages.append(message)
                if message.contains(needle) { return messages }
            }
        }
        return messages
    }
}
