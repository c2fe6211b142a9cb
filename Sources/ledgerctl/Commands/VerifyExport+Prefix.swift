import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

/// `verify-export --resume` and `--save-prefix`: what an earlier
/// verification proved (`VerifiedPrefix`), read before and written after.
extension VerifyExport {
    /// `--save-prefix` replaces only the file `--resume` read: another prefix
    /// put in the place of one, older but genuine, would let a ledger rolled
    /// back to just after it pass.
    func refuseReplacingAnotherPrefix() throws {
        guard let savePrefix, FileManager.default.fileExists(atPath: savePrefix), !Self.sameFile(savePrefix, resume) else {
            return
        }
        throw ValidationError("""
            --save-prefix \(savePrefix) exists and this run does not resume from it: replaced by another \
            prefix, it could let a ledger rolled back since pass. Pass it to --resume as well to advance \
            it, or remove it to start over.
            """)
    }

    /// The prefix `--resume` names, checked against the key; a file that
    /// cannot be read exits 1 naming it, and one that does not check is
    /// refused as a failed verification (exit 1).
    func resumedPrefix(verifierKey: String) throws -> VerifiedPrefix? {
        guard let resume else { return nil }
        let bytes = try BoundedFile.readOrExit(resume, limit: VerifiedPrefix.fileBytesMax, what: "the verified prefix")
        do {
            return try VerifiedPrefix(json: bytes, verifierKey: verifierKey)
        } catch {
            let why = "the verified prefix \(resume) is refused: \(error)"
            if output.json { Output.json(.object(["ok": false, "failure": .string(why)])) } else { Output.line("KHÔNG HỢP LỆ: \(why)") }
            throw ArgumentParser.ExitCode(1)
        }
    }

    /// Writes what `result` proved to `--save-prefix` (atomically, through a
    /// symbolic link to the file itself); true if it did. A verified export
    /// whose record cannot be written fails the run: a script relies on it.
    func savePrefixIfVerified(_ result: ExportVerifier.Result, note: String, verifierKey: String) throws -> Bool {
        guard result.ok, let savePrefix, let range = result.verifiedRange else { return false }
        do {
            let verified = try VerifiedPrefix(note: note, verifierKey: verifierKey, range: range)
            try Data(verified.json).write(to: URL(fileURLWithPath: savePrefix).resolvingSymlinksInPath(), options: .atomic)
            return true
        } catch {
            Output.error("the export verifies, but the verified prefix could not be written to \(savePrefix): \(error)")
            throw ArgumentParser.ExitCode(1)
        }
    }

    /// The verdict for people of an export verified after `prefix`.
    static func verdictAfter(_ prefix: VerifiedPrefix, _ result: ExportVerifier.Result) -> String {
        let new = result.checkpointSize - prefix.size
        let span = new > 0 ? " (seq \(prefix.size + 1)–\(result.checkpointSize))" : ""
        let whole = result.firstSeq == 1 && prefix.size > 0 ? "bản xuất đủ, \(prefix.size) sự kiện đầu khớp phần đã kiểm; " : ""
        return "Hợp lệ: \(whole)\(new) sự kiện mới\(span) nối tiếp \(prefix.size) sự kiện đã kiểm trước; "
            + "checkpoint cỡ \(result.checkpointSize) khớp gốc \(result.rootHash)."
    }

    /// Whether `path` and `other` name one file (a prefix advanced in place).
    static func sameFile(_ path: String, _ other: String?) -> Bool {
        guard let other else { return false }
        var a = stat(), b = stat()
        return stat(path, &a) == 0 && stat(other, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
