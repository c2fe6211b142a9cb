import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

struct VerifyExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-export",
        abstract: "Verify an export offline against a signed checkpoint and the verifier key (no daemon needed).",
        discussion: """
            Recomputes every leafHash as SHA-256(0x00 ‖ JCS(line without leafHash)), checks that seqs \
            run 1, 2, 3, … and that the RFC 9162 root at the checkpoint's size equals the signed \
            checkpoint's root; checks the checkpoint's Ed25519 signature with the key. Names the \
            first bad seq. Exit code 0 when the export verifies, 1 otherwise.

            Lines after the checkpoint's size are covered by no signature: anyone could have \
            written them. An export with such lines fails unless --allow-unsigned-tail is given \
            (then they are only checked for their own leafHash and seq order, and counted). \
            Export exactly what a checkpoint signs with `ledgerctl export --through SIZE`.

            An event rewritten together with its leafHash hashes to its own leafHash: only the \
            root disagrees, and no seq can be named from one checkpoint. With --checkpoints (every \
            checkpoint the ledger signed, as in an audit bundle), the export is read once more and \
            the seqs between the last checkpoint it matches and the first it does not are named.

            Month by month (a higher committee keeping a verified copy): --save-prefix keeps what \
            was verified (the checkpoint and the tree's compact range: a few KiB, whatever the \
            ledger's size). With --resume, the next export may hold only the events after it (then \
            the tree grows from there) or be whole (then its first events must reach the saved \
            root). Reaching the new checkpoint's root proves that it extends the one verified \
            before: a ledger rolled back or forked since fails (ROLLBACK, FORK, or a root that \
            differs). The prefix file is checked against the key on every use, so a damaged or \
            forged one is refused; but an older genuine one would pass, so keep it where only you \
            can write. --save-prefix replaces only the file --resume read.
              ledgerctl verify-export may.jsonl --checkpoint may.txt --key key.txt --save-prefix prefix.json
              ledgerctl export --from "$(( $(sed -n 2p may.txt) + 1 ))" --through "$(sed -n 2p june.txt)" > june.jsonl
              ledgerctl verify-export june.jsonl --checkpoint june.txt --key key.txt \
                --resume prefix.json --save-prefix prefix.json

            Example (an audit bundle):
              ledgerctl verify-export ledger.jsonl --checkpoint checkpoint.txt --key key.txt \
                --checkpoints checkpoints.jsonl

            Example:
              ledgerctl verify-export ledger.jsonl --checkpoint checkpoint.txt --key key.txt
            """)

    @Argument(help: ArgumentHelp("The export (JSON Lines); - for stdin.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("A file holding the signed checkpoint.", valueName: "file"))
    var checkpoint: String

    @Option(help: ArgumentHelp("A file holding the verifier key.", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp(
        "The ledger's other signed checkpoints (an audit bundle's checkpoints.jsonl): when only the root disagrees, "
            + "they bound where the first differing event is.", valueName: "file"))
    var checkpoints: String?

    @Option(help: ArgumentHelp(
        "A verified prefix saved by an earlier --save-prefix: the export must extend it (whole, or from its size + 1).",
        valueName: "file"))
    var resume: String?

    @Option(name: .customLong("save-prefix"), help: ArgumentHelp(
        "When the export verifies, write what was verified to this file (atomically), for a later --resume.",
        valueName: "file"))
    var savePrefix: String?

    @Flag(name: .customLong("allow-unsigned-tail"),
          help: "Accept lines after the checkpoint's size (no signature covers them) instead of failing.")
    var allowUnsignedTail = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let note = String(decoding: try BoundedFile.readOrExit(checkpoint, limit: BoundedFile.noteBytesMax, what: "the checkpoint"),
                          as: UTF8.self)
        let looksLikeKey = { (text: String) in
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return !t.isEmpty && !t.contains("\n") && t.contains("+")  // name+hash+base64 (which may hold '+' too)
        }
        if looksLikeKey(note) {
            throw ValidationError("""
                --checkpoint \(checkpoint) holds a verifier key, not a signed checkpoint \
                (were --checkpoint and --key swapped?)
                """)
        }
        let vkey = String(decoding: try BoundedFile.readOrExit(key, limit: BoundedFile.keyBytesMax, what: "the key"), as: UTF8.self)
        if !looksLikeKey(vkey) && (vkey.contains("\n\n") || vkey.contains("\n\u{2014} ")) {
            throw ValidationError("--key \(key) holds a signed note, not a verifier key (were --checkpoint and --key swapped?)")
        }
        try refuseReplacingAnotherPrefix()
        let prefix = try resumedPrefix(verifierKey: vkey)
        let verifier: ExportVerifier
        do {
            verifier = try ExportVerifier(signedCheckpoint: note, verifierKey: vkey, after: prefix)
        } catch let mismatch as ExportVerifier.PrefixMismatch {
            // The checkpoint verifies but cannot extend what was verified before: say so loudly, with both.
            let why = "\(mismatch)"
            if output.json {
                Output.json(.object(["ok": false, "failure": .string(why),
                                     "prefixCheckpoint": .string(prefix?.note ?? ""), "checkpoint": .string(note)]))
            } else {
                Output.line("KHÔNG HỢP LỆ: \(why)")
                Output.lineRaw("--- verified before (\(resume ?? "")) ---\n\(prefix?.note ?? "")--- checkpoint now ---\n\(note)")
            }
            throw ArgumentParser.ExitCode(1)
        } catch {
            let result: JSONValue = .object(["ok": false, "failure": .string("the checkpoint does not verify with the key: \(error)")])
            if output.json { Output.json(result) } else { Output.line("KHÔNG HỢP LỆ: checkpoint không khớp khóa: \(error)") }
            throw ArgumentParser.ExitCode(1)
        }
        let fd = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            Output.error("cannot open \(file): \(String(cString: strerror(errno)))")
            throw ArgumentParser.ExitCode(1)
        }
        defer { if fd != 0 { close(fd) } }
        let signed = Int64(verifier.checkpointSize)
        var result = verifier.verify(fileDescriptor: fd) { seq in Progress.show(Int64(seq), signed, "events checked") }
        if let prefix, !result.ok, result.badSeq == prefix.size + 1, result.linesRead <= 1,
           result.failure?.contains("want \(prefix.size + 1)") == true {
            result.failure = (result.failure ?? "") + "; after a verified prefix of \(prefix.size) events the export starts "
                + "at seq 1 or at seq \(prefix.size + 1) (ledgerctl export --from \(prefix.size + 1) --through "
                + "\(verifier.checkpointSize))"
        }
        Progress.clear()
        var unsignedTail = false
        if result.ok, result.linesBeyondCheckpoint > 0, !allowUnsignedTail {
            // Not a bad event: one nobody signed. No badSeq, so no event is called damaged.
            unsignedTail = true
            result.failure = """
                \(result.linesBeyondCheckpoint) lines after the checkpoint's size \(result.checkpointSize) are covered by no \
                signature; export up to the checkpoint (--through \(result.checkpointSize)), use a later checkpoint, \
                or accept them with --allow-unsigned-tail
                """
        }
        var divergence: ExportVerifier.Divergence?
        if !result.ok, !unsignedTail, result.badSeq == nil, let checkpoints, fd != 0, lseek(fd, 0, SEEK_SET) == 0 {
            switch Self.listedCheckpoints(checkpoints) {
            case .failure(let why):
                // The verdict stands; only where the difference lies is not known.
                result.failure = (result.failure ?? "") + "; the checkpoints in \(checkpoints) could not be used: \(why)"
            case .success(let listed):
                divergence = verifier.locateDivergence(fileDescriptor: fd, checkpoints: listed, verifierKey: vkey)
            }
            if let divergence {
                result.badSeq = divergence.from
                if let prefix, divergence.forkedBeforePrefix {
                    result.failure = (result.failure ?? "") + "; FORK: the ledger's checkpoint of \(prefix.size) events "
                        + "has another root than the one verified before"
                }
                result.failure = (result.failure ?? "") + (divergence.from == divergence.through
                    ? "; the first differing event is seq \(divergence.from)"
                    : "; the first differing event is among seqs \(divergence.from)...\(divergence.through)")
            }
        }
        let saved = try savePrefixIfVerified(result, note: note, verifierKey: vkey)
        if output.json {
            var object = result.json
            if case .object(var fields) = object {
                if let divergence { fields["badSeqThrough"] = .int(Int64(divergence.through)) }
                if unsignedTail { fields["firstUnsignedSeq"] = .int(Int64(result.checkpointSize + 1)) }
                if saved, let savePrefix { fields["savedPrefix"] = .string(savePrefix) }
                object = .object(fields)
            }
            Output.json(object)
        } else if result.ok {
            if let prefix {
                Output.line(Self.verdictAfter(prefix, result))
            } else {
                Output.line("Hợp lệ: \(result.linesRead) sự kiện; checkpoint cỡ \(result.checkpointSize) khớp gốc \(result.rootHash).")
            }
            if saved, let savePrefix {
                Output.line("Đã lưu phần đã kiểm (cỡ \(result.checkpointSize)) vào \(savePrefix); lần sau: --resume \(savePrefix) "
                            + "--save-prefix \(savePrefix), với bản xuất từ seq \(result.checkpointSize + 1) hoặc bản xuất đủ.")
            }
            if result.linesBeyondCheckpoint > 0 {
                Output.line("Lưu ý: \(result.linesBeyondCheckpoint) sự kiện sau checkpoint chưa được chữ ký nào bảo đảm; hãy lấy checkpoint mới hơn.")
            }
        } else {
            Output.line("KHÔNG HỢP LỆ: \(result.failure ?? "")")
            if unsignedTail {
                Output.line("Sự kiện đầu tiên chưa được ký: seq \(result.checkpointSize + 1)")
            } else if let divergence, divergence.from != divergence.through {
                Output.line("Sự kiện hỏng đầu tiên: trong các seq \(divergence.from)–\(divergence.through)")
            } else if let seq = result.badSeq {
                Output.line("Sự kiện hỏng đầu tiên: seq \(seq)")
            }
        }
        if !result.ok { throw ArgumentParser.ExitCode(1) }
    }

    struct CheckpointsUnusable: Error, CustomStringConvertible {
        let description: String
    }

    /// The checkpoints file: one `{"size":N,"checkpoint":"<signed note>"}` a line.
    static func listedCheckpoints(_ path: String) -> Swift.Result<[ExportVerifier.ListedCheckpoint], CheckpointsUnusable> {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: 4 << 30)
        } catch {
            return .failure(CheckpointsUnusable(description: "\(error)"))
        }
        var listed: [ExportVerifier.ListedCheckpoint] = []
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard let value = try? JSONParser.parse(Array(line)), let size = value["size"]?.intValue, size >= 0,
                  let note = value["checkpoint"]?.stringValue
            else {
                return .failure(CheckpointsUnusable(description: "line \(number + 1) is not {\"size\":N,\"checkpoint\":\"…\"}"))
            }
            listed.append(.init(size: UInt64(size), note: note))
        }
        return .success(listed)
    }
}
