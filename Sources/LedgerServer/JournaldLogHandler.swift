#if canImport(Glibc)
import Glibc
#endif
public import Logging

/// A swift-log handler writing one line per message to stderr with a syslog
/// priority prefix (`<3>` error … `<7>` debug), which journald reads as the
/// entry's priority when stderr is a journal stream (sd-daemon(3)).
///
/// Each line goes out in one write(2), so lines from concurrent tasks do not
/// interleave. Newlines inside a message are escaped to keep one entry per line.
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let fileDescriptor: Int32

    /// - Parameter fileDescriptor: where lines go; stderr unless a test says otherwise.
    public init(label: String, logLevel: Logger.Level = .info, fileDescriptor: Int32 = 2) {
        self.label = label
        self.logLevel = logLevel
        self.fileDescriptor = fileDescriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Whether stderr is connected to the journal: systemd sets
    /// `JOURNAL_STREAM=<device>:<inode>` to the stream it gave us. ledgerd can
    /// use a plain handler on a terminal, where `<6>` prefixes are noise.
    public static func stderrIsJournal(environment: [String: String]? = nil) -> Bool {
        let value =
            if let environment { environment["JOURNAL_STREAM"] } else { getenv("JOURNAL_STREAM").map { String(cString: $0) } }
        guard let value else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// The syslog priority of a level: crit 2, err 3, warning 4, notice 5, info 6, debug 7.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .critical: return 2
        case .error: return 3
        case .warning: return 4
        case .notice: return 5
        case .info: return 6
        case .debug, .trace: return 7
        }
    }

    /// The line for one message, newline included.
    public func format(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) -> String {
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        var line = "<\(Self.priority(of: level))>\(label): \(message)"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        return line.replacingNewlines() + "\n"
    }

    public func log(event: LogEvent) {
        var explicit = event.metadata
        if let error = event.error {
            explicit = (explicit ?? [:]).merging(["error": "\(error)"]) { old, _ in old }
        }
        let text = format(level: event.level, message: event.message, metadata: explicit)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return write(fileDescriptor, base + offset, raw.count - offset)
            }
            if written == 0 { return }
            if written < 0 {
                if errno == EINTR { continue }
                return  // stderr is gone; nowhere left to say so
            }
            offset += written
        }
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        guard contains(where: \.isNewline) else { return self }
        return map { $0.isNewline ? "\\n" : String($0) }.joined()
    }
}
