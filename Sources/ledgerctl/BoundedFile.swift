import ArgumentParser
import Foundation

/// Reads a small input file (a proof, a checkpoint, a key) whole, but never
/// more than a limit: `/dev/zero` or an endless pipe is refused with a clear
/// error instead of filling memory.
enum BoundedFile {
    /// A verifier or private key file: one line of well under 200 bytes.
    static let keyBytesMax = 4096
    /// A signed checkpoint note (ledgerd's notes are far smaller; the note parser's own limit is 1 MiB).
    static let noteBytesMax = 1 << 20

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The bytes of `path`, or else "cannot read the `what` `path`: why" on
    /// stderr and exit code 1 (a file the command needs and cannot have).
    static func readOrExit(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        do {
            return try read(path, limit: limit)
        } catch {
            Output.error("cannot read \(what.isEmpty ? "" : what + " ")\(path): \(error)")
            throw ArgumentParser.ExitCode(1)
        }
    }

    /// The bytes of `path` (`-`: standard input), at most `limit` of them.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let handle: FileHandle
        do {
            handle = path == "-" ? FileHandle.standardInput : try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw Failure(description: error.localizedDescription)
        }
        defer { if path != "-" { try? handle.close() } }
        var bytes: [UInt8] = []
        while bytes.count <= limit {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: min(1 << 16, limit + 1 - bytes.count))
            } catch {
                throw Failure(description: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { return bytes }
            bytes += chunk
        }
        throw Failure(description: "it is larger than \(limit) bytes, more than such a file ever holds")
    }
}
