import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON
import LedgerMerkle

/// The last checkpoint this user verified for each ledger origin, kept under
/// `$LEDGER_STATE_DIR` (default `$XDG_STATE_HOME/ledger` or
/// `~/.local/state/ledger`). Every later checkpoint must extend it (an RFC 9162
/// consistency proof); a smaller tree or a failing proof means the ledger was
/// rolled back or forked, and is reported loudly with both checkpoints.
///
/// The origin and key are also remembered for the socket they were first
/// seen at: a daemon there that later presents another origin or key (a
/// ledger set up anew under a new name, with its history rewritten) is
/// reported as loudly, since no checkpoint of the new origin was ever
/// remembered to compare with.
struct Anchor {
    let directory: String
    /// A witness must remember what it signed: failing to is then an alarm,
    /// not a warning (else every run would be a "first use").
    var mustRemember = false

    init() {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["LEDGER_STATE_DIR"] {
            directory = dir
        } else if let state = env["XDG_STATE_HOME"] {
            directory = state + "/ledger"
        } else {
            directory = (env["HOME"] ?? NSHomeDirectory()) + "/.local/state/ledger"
        }
    }

    enum Verdict {
        case first
        /// Nothing remembered: the state directory could not be written (warned).
        case notRemembered
        case extended(from: UInt64)
        case same
        case notChecked(String)
    }

    struct Alarm: Error, CustomStringConvertible {
        let description: String
    }

    private func path(for origin: String) -> String {
        let safe = origin.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return directory + "/anchors/" + String(safe) + ".json"
    }

    /// Where the origin and key first seen at `socket` are kept: the path's
    /// bytes, letters and digits as they are and every other byte as `_XX`.
    private func bindingPath(for socket: String) -> String {
        var name = ""
        for byte in socket.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) {
                name.append(Character(UnicodeScalar(byte)))
            } else {
                name += "_" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return directory + "/anchors/sockets/" + name + ".json"
    }

    /// Remembers the origin and key seen at `socket` the first time; after
    /// that, another origin or key there is an alarm.
    /// Returns false if it could not remember a first binding (warned).
    private func checkBinding(socket: String, origin: String, key: String) throws -> Bool {
        let socket = URL(fileURLWithPath: socket).resolvingSymlinksInPath().path
        let file = bindingPath(for: socket)
        guard let data = FileManager.default.contents(atPath: file) else {
            return try write(.object(["socket": .string(socket), "origin": .string(origin), "verifierKey": .string(key)]), to: file)
        }
        guard let stored = try? JSONParser.parse(Array(data)), let storedOrigin = stored["origin"]?.stringValue,
              let storedKey = stored["verifierKey"]?.stringValue
        else {
            throw Alarm(description: """
                What you remembered about the ledger at \(socket) cannot be read: \(file) is damaged.
                Check it; remove it only if you know why it changed.
                """)
        }
        guard storedOrigin == origin, storedKey == key else {
            throw Alarm(description: """
                THE LEDGER AT \(socket) IS NOT THE ONE YOU VERIFIED THERE.
                  remembered: origin \(storedOrigin), key \(storedKey)
                  now:        origin \(origin), key \(key)
                A ledger set up anew under another name or key has none of the history you verified.
                If the committee moved its ledger on purpose, remove \(file) after checking why.
                """)
        }
        return true
    }

    /// Checks `note` (the ledger's current signed checkpoint) against the
    /// remembered one and remembers it if it extends it.
    /// - Throws: `Alarm` on a rollback, a fork or a changed key.
    func check(note text: String, connection: ConnectionOptions) throws -> Verdict {
        let pubkey = try Session.call(connection, "pubkey")
        guard let vkey = pubkey["verifierKey"]?.stringValue else { throw Alarm(description: "the daemon sent no verifier key") }
        let verifier = try NoteVerifier(verifierKey: vkey)
        let current = try verifier.verifyCheckpoint(text)
        // ledgerd signs as its origin: a checkpoint under another name is not its own.
        guard current.origin == verifier.name else {
            throw Alarm(description: """
                The checkpoint's origin \(current.origin) is not the name of the key that signed it (\(verifier.name)).
                """)
        }
        let bound = try checkBinding(socket: connection.socketPath, origin: current.origin, key: vkey)
        let file = path(for: current.origin)
        guard let data = FileManager.default.contents(atPath: file) else {
            // Unwritable state dir: warned once already, nothing remembered.
            guard bound, try remember(text, key: vkey, at: file) else { return .notRemembered }
            return .first
        }
        guard let stored = try? JSONParser.parse(Array(data)),
              let storedNote = stored["checkpoint"]?.stringValue, let storedKey = stored["verifierKey"]?.stringValue
        else {
            // Replacing it would accept whatever the daemon says now (a rollback included).
            throw Alarm(description: """
                Your remembered checkpoint for \(current.origin) cannot be read: \(file) is damaged.
                Check it; remove it only if you know why it changed.
                """)
        }
        guard storedKey == vkey else {
            throw Alarm(description: """
                THE LEDGER'S KEY CHANGED for \(current.origin).
                  remembered key: \(storedKey)
                  key now:        \(vkey)
                A ledger set up anew under the same name has none of the history you verified. If that \
                was done on purpose (a test ledger started again), remove \(file) after checking why.
                """)
        }
        let old = try NoteVerifier(verifierKey: storedKey).verifyCheckpoint(storedNote)
        switch CheckpointSuccession(from: old, to: current) {
        case .rolledBack:
            throw Alarm(description: """
                ROLLBACK: the ledger \(current.origin) now has \(current.size) events, but you verified \(old.size) before.
                --- remembered checkpoint ---
                \(storedNote)--- checkpoint now ---
                \(text)
                """)
        case .forked:
            throw Alarm(description: """
                FORK: two different trees of size \(current.size) are signed for \(current.origin).
                --- remembered checkpoint ---
                \(storedNote)--- checkpoint now ---
                \(text)
                """)
        case .same:
            return .same
        case .otherLedger:
            // Remembered per origin: the same key's checkpoint of another origin there is no history of this one.
            throw Alarm(description: """
                \(file) remembers a checkpoint of the ledger \(old.origin), not of \(current.origin), signed with the \
                same key; nothing can be checked against it. Remove it only after checking why.
                """)
        case .grows:
            break
        }
        guard let from = Int64(exactly: old.size), let to = Int64(exactly: current.size), to <= 1 << 53 else {
            throw Alarm(description: "the checkpoint's size \(current.size) is beyond any ledger's; it is not believed")
        }
        let proof: JSONValue
        switch Session.attempt(connection, "prove-consistency", ["from": .int(from), "to": .int(to)]) {
        case .success(let answer): proof = answer
        case .failure(.server(let error)) where error.code == .permissionDenied:
            return .notChecked("the consistency proof needs the auditor role")
        case .failure(let error):
            return .notChecked("could not get a consistency proof: \(error)")
        }
        let hashes = (proof["proof"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(TreeHash.init(hex:)) }
        do {
            try MerkleVerifier.verifyConsistency(
                oldSize: old.size, newSize: current.size, oldRoot: old.rootHash, newRoot: current.rootHash, proof: hashes)
        } catch {
            throw Alarm(description: """
                FORK: the ledger \(current.origin) of \(current.size) events does not extend the one of \(old.size) you verified (\(error)).
                --- remembered checkpoint ---
                \(storedNote)--- checkpoint now ---
                \(text)
                """)
        }
        _ = try remember(text, key: vkey, at: file)
        return .extended(from: old.size)
    }

    /// Best effort: a user without a writable state dir still gets answers,
    /// with a warning that nothing is remembered.
    private func remember(_ note: String, key: String, at file: String) throws -> Bool {
        try write(.object(["checkpoint": .string(note), "verifierKey": .string(key)]), to: file)
    }

    /// False (after a warning) if `file` could not be written.
    private func write(_ value: JSONValue, to file: String) throws -> Bool {
        do {
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(CanonicalJSON.encode(value)).write(to: URL(fileURLWithPath: file), options: .atomic)
            return true
        } catch {
            if mustRemember {
                throw Alarm(description: """
                    cannot remember the checkpoint in \(file) (\(Self.reason(error, writing: file))); a witness signs only \
                    what it can hold later checkpoints to: set LEDGER_STATE_DIR to a directory you can write
                    """)
            }
            Output.error("warning: cannot remember the checkpoint in \(file) (\(Self.reason(error, writing: file))); set LEDGER_STATE_DIR to a directory you can write")
            return false
        }
    }

    /// Why `file` could not be written, in words (Foundation says only
    /// "error 512"): the nearest existing directory above it is a file, or
    /// not writable.
    private static func reason(_ error: any Error, writing file: String) -> String {
        var path = (file as NSString).deletingLastPathComponent
        while !path.isEmpty && path != "/" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return "\(path) is not a directory" }
                if access(path, W_OK) != 0 { return "\(path) is not writable" }
                break
            }
            path = (path as NSString).deletingLastPathComponent
        }
        return error.localizedDescription
    }

    /// Runs the check and prints what it found on stderr; an alarm exits 1.
    @discardableResult
    static func enforce(note: String, connection: ConnectionOptions, quiet: Bool, mustRemember: Bool = false) throws -> Verdict {
        do {
            var anchor = Anchor()
            anchor.mustRemember = mustRemember
            let verdict = try anchor.check(note: note, connection: connection)
            switch verdict {
            case .first: if !quiet { Output.error("remembered this checkpoint as the anchor for later checks") }
            case .extended(let from): if !quiet { Output.error("consistent with the checkpoint of size \(from) you verified before") }
            case .same, .notRemembered: break
            case .notChecked(let why): Output.error("warning: consistency with your remembered checkpoint not checked: \(why)")
            }
            return verdict
        } catch let alarm as Alarm {
            Output.error(alarm.description)
            Session.lastFailure = Session.Failure(code: "anchor-alarm", message: alarm.description)
            throw ArgumentParser.ExitCode(1)
        }
    }
}

extension String {
    /// This string with zeros in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
