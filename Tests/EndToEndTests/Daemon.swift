import Foundation
import Glibc
import LedgerJSON

/// One running `ledgerd` child in its own temp dir.
final class DaemonProcess: @unchecked Sendable {
    let dir: TempDir
    let dataDir: String
    let socket: String
    let notify: NotifyListener
    private(set) var pid: pid_t = 0
    private(set) var notifications: [String] = []
    var extraArgs: [String]
    /// The `--origin` flag given at start (nil: none, ledgerd's default).
    var origin: String? = "test.local/dang-bo"

    /// A prefix that runs a command as `nobody` (uid and gid 65534, no groups).
    static let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    /// A daemon started with a config file holding `text` (written into its dir).
    static func configured(_ text: String) throws -> DaemonProcess {
        let dir = TempDir()
        let config = dir.path + "/ledgerd.conf"
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return try DaemonProcess(dir: dir, extraArgs: ["--config", config])
    }

    /// Starts ledgerd and waits for READY=1.
    init(dir: TempDir = TempDir(), extraArgs: [String] = [], start: Bool = true) throws {
        self.dir = dir
        dataDir = dir.path + "/data"
        socket = dir.path + "/ledger.sock"
        notify = try NotifyListener(path: dir.path + "/notify.sock")
        self.extraArgs = extraArgs
        if start { try self.start() }
    }

    var environment: [String: String] {
        ["NOTIFY_SOCKET": notify.path, "PATH": "/usr/bin:/bin", "HOME": dir.path]
    }

    func start(fd3: Int32? = nil, environment extra: [String: String] = [:], prefix: [String] = []) throws {
        var args = ["--data-dir", dataDir]
        if let origin { args += ["--origin", origin] }
        if fd3 == nil { args += ["--socket", socket] }
        args += extraArgs
        pid = try Spawn.start(Binaries.ledgerd, args, environment: environment.merging(extra) { $1 },
                              stdout: dir.path + "/ledgerd.out", stderr: dir.path + "/ledgerd.err", fd3: fd3, prefix: prefix)
        let messages = notify.waitFor("READY=1", seconds: 60)
        notifications += messages
        guard messages.contains(where: { $0.contains("READY=1") }) else {
            kill(pid, SIGKILL)
            _ = Spawn.wait(pid)
            throw HarnessError("ledgerd did not become ready; stderr:\n\(log)")
        }
    }

    var log: String { (try? String(contentsOfFile: dir.path + "/ledgerd.err", encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for exit; returns the exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        guard pid > 0 else { return -1 }
        kill(pid, signal)
        let status = Spawn.wait(pid)
        notifications += notify.waitFor("STOPPING=1", seconds: signal == SIGKILL ? 0.01 : 0.5)
        pid = 0
        return status
    }

    deinit { if pid > 0 { kill(pid, SIGKILL); _ = Spawn.wait(pid) } }

    /// Runs `ledgerctl ARGS` against this daemon.
    func ctl(_ args: [String], stdin: String? = nil, prefix: [String] = []) throws -> Finished {
        try Ctl.run(args, socket: socket, dir: dir, stdin: stdin, prefix: prefix)
    }

    /// Writes `lines` to a file and appends it.
    func append(_ events: [JSONValue], extra: [String] = []) throws -> Finished {
        let file = dir.path + "/in-\(UUID().uuidString.prefix(8)).jsonl"
        let text = events.map { $0.canonicalString }.joined(separator: "\n") + "\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return try ctl(["append", file] + extra)
    }
}

enum Ctl {
    static func run(_ args: [String], socket: String?, dir: TempDir, stdin: String? = nil, prefix: [String] = []) throws -> Finished {
        let tag = UUID().uuidString.prefix(8)
        let out = dir.path + "/ctl-\(tag).out", err = dir.path + "/ctl-\(tag).err"
        var environment = ["PATH": "/usr/bin:/bin", "HOME": dir.path, "LEDGER_STATE_DIR": dir.path + "/state"]
        if let socket { environment["LEDGER_SOCKET"] = socket }
        let binary = prefix.isEmpty ? Binaries.ledgerctl : Binaries.ledgerctlForOtherUsers
        let pid = try Spawn.start(binary, args, environment: environment, stdin: stdin,
                                  stdout: out, stderr: err, prefix: prefix)
        let status = Spawn.wait(pid)
        defer {
            unlink(out)
            unlink(err)
        }
        return Finished(status: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}

func event(_ type: String, _ data: [String: JSONValue], on date: String = "2024-03-14", key: String? = nil) -> JSONValue {
    var object: [String: JSONValue] = ["type": .string(type), "occurredOn": .string(date), "data": .object(data)]
    if let key { object["idempotencyKey"] = .string(key) }
    return .object(object)
}

let setupEvents: [JSONValue] = [
    event("OrganizationRegistered", ["code": "BLOC", "name": "Đảng bộ Khối các cơ quan", "kind": "bloc"], on: "2012-01-02"),
    event("OrganizationRegistered", ["code": "DB01", "name": "Đảng bộ Sở Tư pháp", "kind": "committee", "parent": "BLOC"], on: "2012-01-02"),
    event("OrganizationRegistered", ["code": "CB01", "name": "Chi bộ Văn phòng", "kind": "cell", "parent": "DB01"], on: "2012-01-02"),
    event("MemberRegistered", ["memberId": "M001", "name": "Nguyễn Văn An", "cell": "CB01", "status": "official"], on: "2012-01-03"),
    event("MemberRegistered", ["memberId": "M002", "name": "Trần Thị Bình", "cell": "CB01", "status": "official"], on: "2012-01-03"),
]

func task(_ n: Int, key: String? = nil) -> JSONValue {
    event("MemberTaskAssigned", ["memberId": "M001", "task": .string("Nhiệm vụ số \(n)")], key: key)
}
