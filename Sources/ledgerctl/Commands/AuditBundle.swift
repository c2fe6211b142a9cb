import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

struct AuditBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-bundle",
        abstract: "Write everything an auditor needs into a new directory: export, checkpoints, key, VERIFY.md.",
        discussion: """
            DIR/checkpoint.txt   the latest signed checkpoint (taken before the export, so the
                                 export covers it)
            DIR/checkpoints.jsonl every stored checkpoint, {"size":N,"checkpoint":"…"} a line \
            DIR/key.txt          the verifier key \
            DIR/ledger.jsonl     the export \
            DIR/VERIFY.md        how to check it with ledgerctl verify-export, and independently

            Example:
              ledgerctl audit-bundle /tmp/kiem-tra-2026
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp("A new directory.", valueName: "dir")) var dir: String

    func run() throws {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: dir) else { throw ValidationError("\(dir) exists; give a new directory") }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let checkpoint = try Session.call(connection, "checkpoint")
        let note = checkpoint["checkpoint"]?.stringValue ?? ""
        try Anchor.enforce(note: note, connection: connection, quiet: true)
        try note.write(toFile: dir + "/checkpoint.txt", atomically: true, encoding: .utf8)
        let key = try Session.call(connection, "pubkey")["verifierKey"]?.stringValue ?? ""
        try (key + "\n").write(toFile: dir + "/key.txt", atomically: true, encoding: .utf8)

        var lines: [UInt8] = []
        var from: Int64 = 0
        while true {
            let page = try Session.call(connection, "checkpoints", ["fromSize": .int(from), "limit": 1000])
            let items = page["checkpoints"]?.arrayValue ?? []
            for item in items {
                lines += CanonicalJSON.encode(item) + [10]
                from = (item["size"]?.intValue ?? from) + 1
            }
            if items.count < 1000 { break }
        }
        try Data(lines).write(to: URL(fileURLWithPath: dir + "/checkpoints.jsonl"))

        let sink = try OutputSink(path: dir + "/ledger.jsonl")
        var count: Int64 = 0
        // Exactly what the checkpoint signs: events appended meanwhile are left out.
        let signedSize = checkpoint["size"]?.intValue ?? 0
        _ = try Session.callCanonical(connection, "export", ["throughSeq": .int(signedSize)], onCanonicalItem: { (line) throws(ClientError) in
            guard count < signedSize else { return }  // a daemon from before `throughSeq` sends everything
            do {
                try sink.write(line)
                try sink.write([10])
            } catch let error as ClientError {
                throw error
            } catch {
                throw ClientError.io(operation: "write the export", errno: errno)
            }
            count += 1
            if count % 65_536 == 0 { Progress.show(count, signedSize, "exported") }
        })
        Progress.clear()
        try sink.commit()
        let size = checkpoint["size"]?.intValue ?? 0
        try Self.guide(size: size, events: count, origin: String(note.split(separator: "\n").first ?? ""))
            .write(toFile: dir + "/VERIFY.md", atomically: true, encoding: .utf8)
        Output.error("audit bundle written to \(dir): \(count) events, checkpoint of size \(size)")
    }

    static func guide(size: Int64, events: Int64, origin: String) -> String {
        """
        # Verifying this ledger export

        This directory holds the ledger **\(origin)**: `ledger.jsonl` (\(events) events, one JSON object a
        line in `seq` order), `checkpoint.txt` (a signed checkpoint of the first \(size) events),
        `checkpoints.jsonl` (every checkpoint the ledger signed) and `key.txt` (the verifier key).

        ## With ledgerctl (no daemon needed)

            ledgerctl verify-export ledger.jsonl --checkpoint checkpoint.txt --key key.txt

        It prints "Hợp lệ" and exits 0 when every event hashes to its `leafHash`, the seqs run
        1, 2, 3, … and the Merkle root of the first \(size) events is the signed one; otherwise it
        names the first bad seq and exits 1. Obtain `key.txt` from the committee through a channel
        you trust, not only from this directory.

        If an event was rewritten together with its `leafHash`, only the root disagrees; add
        `--checkpoints checkpoints.jsonl` and it names the seqs between the last signed
        checkpoint the export matches and the first it does not.

        To hold a later bundle of this ledger to this one, verify this one with `--save-prefix
        prefix.json`, and the later one with `--resume prefix.json --save-prefix prefix.json`: its
        checkpoint must then extend this one (a ledger rolled back or rewritten since fails). The
        later export may be whole, or hold only the events after the first \(size)
        (`ledgerctl export --from \(size + 1) --through N`, N the later checkpoint's size). Keep
        prefix.json where only you can write: an older one put in its place would pass.

        ## Independently (the exact rules)

        1. For each line, remove the `leafHash` member; serialize the rest with the JSON
           Canonicalization Scheme (RFC 8785: members sorted by UTF-16 code units, no whitespace,
           minimal string escaping, integers as plain decimals); the leaf hash is
           SHA-256(0x00 ‖ those bytes) and must equal `leafHash` (lowercase hex).
        2. The tree is RFC 9162 §2.1: MTH of one leaf is its leaf hash; MTH(D[n]) =
           SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])) with k the largest power of two < n; the
           empty tree's root is SHA-256 of nothing.
        3. `checkpoint.txt` is a C2SP tlog-checkpoint in a C2SP signed note: line 1 the origin,
           line 2 the tree size, line 3 the base64 root; after a blank line, signature lines
           "— <name> <base64(4-byte key id ‖ 64-byte Ed25519 signature)>". The key in `key.txt`
           is "<name>+<hex key id>+<base64(0x01 ‖ 32-byte Ed25519 public key)>"; the key id is the
           first 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key). The signature covers the
           note text (the three lines, each ending in a newline).
        4. The root of the first `size` leaves must equal the checkpoint's root. Every line of
           `checkpoints.jsonl` must verify the same way for its own size.
        """
    }
}
