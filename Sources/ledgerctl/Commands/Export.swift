import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the whole log as JSON Lines, one event a line in seq order.",
        discussion: """
            Each line is the stored record with its leafHash (CONTRACT.md, "An event as stored and \
            exported"). The export is taken from one consistent snapshot.

            Examples:
              ledgerctl export --from 1200 | head
            To check it offline, take the checkpoint first and export exactly what it signs \
            (its second line is its size):
              ledgerctl checkpoint > checkpoint.txt; ledgerctl pubkey > key.txt
              ledgerctl export --through "$(sed -n 2p checkpoint.txt)" --to ledger.jsonl
              ledgerctl verify-export ledger.jsonl --checkpoint checkpoint.txt --key key.txt
            (ledgerctl audit-bundle DIR does all of this.)
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of stdout (replaced atomically).", valueName: "file"))
    var to: String?

    @Option(name: .customLong("from"), help: ArgumentHelp("Start at this seq.", valueName: "seq"))
    var fromSeq: Int = 1

    @Option(name: .customLong("through"), help: ArgumentHelp(
        "Stop at this seq (e.g. a checkpoint's size); default: the ledger's size when the export starts.", valueName: "seq"))
    var throughSeq: Int?

    func validate() throws {
        guard fromSeq >= 1 else { throw ValidationError("--from wants a seq ≥ 1; got \(fromSeq)") }
        if let throughSeq, throughSeq < 0 { throw ValidationError("--through wants a seq ≥ 0; got \(throughSeq)") }
    }

    func run() throws {
        let sink = try OutputSink(path: to)
        var count: Int64 = 0
        do {
            var args: [String: JSONValue] = ["fromSeq": .int(Int64(fromSeq))]
            if let throughSeq { args["throughSeq"] = .int(Int64(throughSeq)) }
            // Cut here too: a daemon from before `throughSeq` sends everything.
            let linesMax = throughSeq.map { Int64(max(0, $0 - fromSeq + 1)) } ?? .max
            _ = try Session.callCanonical(connection, "export", args, onCanonicalItem: { (line) throws(ClientError) in
                guard count < linesMax else { return }
                do {
                    try sink.write(line)
                    try sink.write([10])
                } catch let error as ClientError {
                    throw error
                } catch {
                    throw ClientError.io(operation: "write the export", errno: errno)
                }
                count += 1
                if count % 65_536 == 0 {
                    Progress.show(count, throughSeq.map { Int64(max(0, $0 - fromSeq + 1)) } ?? 0, "exported")
                }
            })
            try sink.commit()
            Progress.clear()
        } catch {
            Progress.clear()
            sink.discard()
            throw error
        }
        if to != nil { Output.error("exported \(count) events to \(to!)") }
    }
}

/// Buffered output to stdout, or to FILE via a temporary file renamed into
/// place at the end (a failed export leaves no half-written file).
final class OutputSink {
    private let fd: Int32
    private let path: String?
    private let temporary: String?
    private var buffer: [UInt8] = []

    init(path: String?) throws {
        self.path = path
        if let path {
            let temporary = path + ".partial-\(getpid())"
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                Output.error("cannot create \(temporary): \(String(cString: strerror(errno)))")
                throw ArgumentParser.ExitCode(1)
            }
            self.temporary = temporary
        } else {
            fd = 1
            temporary = nil
        }
        buffer.reserveCapacity(1 << 17)
    }

    func write(_ bytes: some Collection<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                // Said once, by whoever reports the failure (Session.fail).
                throw ClientError.io(operation: "write the export", errno: errno)
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        do { try flush() } catch { throw Session.fail(error) }
        if let path, let temporary {
            guard fsync(fd) == 0, close(fd) == 0, rename(temporary, path) == 0 else {
                Output.error("cannot finish \(path): \(String(cString: strerror(errno)))")
                throw ArgumentParser.ExitCode(1)
            }
        }
    }

    func discard() {
        if let temporary {
            close(fd)
            unlink(temporary)
        }
    }
}
