import Foundation
import Glibc
import LedgerServer
import Logging
import Testing

@Suite("systemd integration")
struct SystemdTests {
    /// A datagram socket standing in for systemd's notification socket.
    final class NotifyListener: @unchecked Sendable {
        let fd: Int32
        init(path: String) {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            bindUnix(fd, path)
        }
        init(abstract name: String) {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = [UInt8(0)] + Array(name.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            precondition(status == 0)
        }
        deinit { close(fd) }
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
        }
    }

    @Test func readyThenStoppingAroundAServer() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let listener = NotifyListener(path: directory + "/notify")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": directory + "/notify"], pid: getpid())
        #expect(notifier.isEnabled)
        // ledgerd's order: start (socket accepts) → READY=1; SIGTERM → STOPPING=1 → shutdown.
        let server = LedgerSocketServer(configuration: .init(listener: .path(directory + "/s.sock")), handler: TestHandler(), logger: testLogger)
        try await server.start()
        #expect(notifier.ready(status: "serving 0 events\nsecond line"))
        #expect(notifier.stopping())
        await server.shutdown()
        #expect(listener.receive() == "READY=1\nSTATUS=serving 0 events second line")
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test func abstractNotifySocketAndWatchdog() {
        let name = "ledger-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = NotifyListener(abstract: name)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@" + name], pid: getpid())
        #expect(notifier.watchdog())
        #expect(notifier.status("ok"))
        // An error text with "\r\n" (one Character in Swift) stays one assignment.
        #expect(notifier.status("APPENDS FAILING: disk\r\nREADY=1\rfull"))
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(listener.receive() == "STATUS=ok")
        #expect(listener.receive() == "STATUS=APPENDS FAILING: disk  READY=1 full")
    }

    @Test func notifierEnvironment() {
        let none = SystemdNotifier(environment: [:], pid: 10)
        #expect(!none.isEnabled)
        #expect(!none.ready())
        #expect(none.watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""], pid: 10).isEnabled == false)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"], pid: 10).watchdogInterval == .seconds(30))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "10"], pid: 10).watchdogInterval == .seconds(30))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "11"], pid: 10).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "zero"], pid: 10).watchdogInterval == nil)
    }

    @Test func socketActivationEnvironment() throws {
        #expect(try SocketActivation.parse(environment: [:], pid: 42) == nil)
        #expect(try SocketActivation.parse(environment: ["LISTEN_PID": "41", "LISTEN_FDS": "1"], pid: 42) == nil, "meant for another process")
        #expect(try SocketActivation.parse(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "0"], pid: 42) == nil)
        let one = try SocketActivation.parse(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "1"], pid: 42)
        #expect(one == SocketActivation(fileDescriptors: [3], names: ["unknown"]))
        let two = try #require(try SocketActivation.parse(
            environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "ledger:admin"], pid: 42))
        #expect(two.fileDescriptors == [3, 4])
        #expect(two.fileDescriptor(named: "admin") == 4)
        #expect(throws: SocketActivation.Error.self) { try SocketActivation.parse(environment: ["LISTEN_PID": "x", "LISTEN_FDS": "1"], pid: 42) }
        #expect(throws: SocketActivation.Error.self) { try SocketActivation.parse(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "-1"], pid: 42) }
        #expect(throws: SocketActivation.Error.self) {
            try SocketActivation.parse(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "one"], pid: 42)
        }
    }

    @Test func takeFromEnvironmentUnsetsTheVariables() throws {
        setenv("LISTEN_PID", "1", 1)  // not us: nothing taken, but still unset
        setenv("LISTEN_FDS", "1", 1)
        #expect(try SocketActivation.takeFromEnvironment() == nil)
        #expect(getenv("LISTEN_PID") == nil)
        #expect(getenv("LISTEN_FDS") == nil)
    }

    @Test func journaldPriorities() throws {
        var handler = JournaldLogHandler(label: "ledgerd")
        handler.metadata = ["b": "2"]
        #expect(handler.format(level: .error, message: "disk\nfull", metadata: ["a": "1"]) == "<3>ledgerd: disk\\nfull a=1 b=2\n")
        let expected: [(Logger.Level, Int)] = [(.critical, 2), (.error, 3), (.warning, 4), (.notice, 5), (.info, 6), (.debug, 7), (.trace, 7)]
        for (level, priority) in expected {
            #expect(JournaldLogHandler.priority(of: level) == priority)
        }
        // Through a pipe, as journald would read stderr.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var logger = Logger(label: "ledgerd") { label in JournaldLogHandler(label: label, logLevel: .debug, fileDescriptor: fds[1]) }
        logger.logLevel = .debug
        logger.warning("socket group missing")
        logger.debug("detail", metadata: ["k": "v"])
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile()
        #expect(String(decoding: data, as: UTF8.self) == "<4>ledgerd: socket group missing\n<7>ledgerd: detail k=v\n")
    }

    @Test func journalStreamDetection() {
        var info = stat()
        #expect(fstat(2, &info) == 0)
        #expect(JournaldLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]))
        #expect(!JournaldLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "1:2"]))
        #expect(!JournaldLogHandler.stderrIsJournal(environment: [:]))
    }

    @Test func watchdogLoop() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let listener = NotifyListener(path: directory + "/notify")
        let notifier = SystemdNotifier(socketPath: directory + "/notify", watchdogInterval: .milliseconds(20))
        let pinger = Task { await notifier.runWatchdog() }
        let received = try await onThread { [listener.receive(), listener.receive()] }
        #expect(received == ["WATCHDOG=1", "WATCHDOG=1"])
        pinger.cancel()
        await pinger.value
        // Without an interval it returns at once.
        await SystemdNotifier(socketPath: directory + "/notify").runWatchdog()
    }

    @Test func signalWatcherDeliversHangup() async {
        let watcher = SignalWatcher([.hangup])
        defer { watcher.cancel() }
        // The dispatch source registers asynchronously and a signal before
        // that is ignored, so keep sending until one arrives.
        let sender = Task {
            for _ in 0..<2000 where !Task.isCancelled {
                kill(getpid(), SIGHUP)
                try? await Task.sleep(for: .milliseconds(5))
            }
            watcher.cancel()  // never delivered: end the stream so the test fails instead of hanging
        }
        var iterator = watcher.signals.makeAsyncIterator()
        #expect(await iterator.next() == .hangup)
        sender.cancel()
    }
}
