import Foundation
import LedgerClient
import LedgerJSON
import LedgerMerkle

enum NoteTarget {
    static let verifier = try! NoteVerifier(verifierKey: SigningFixture.signer.verifierKey)
    /// The texts the key signed (as bytes: `String`'s `==` equates canonically equivalent text).
    static let signedTexts = Set(SigningFixture.signedTrees.map { Array(try! SignedNote.parse($0.note).text.utf8) })

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? Checkpoint.parse(body: text)
        _ = try? NoteVerifier(verifierKey: text)
        guard let note = try? SignedNote.parse(utf8: Array(bytes)) else { return false }
        _ = note.formatted
        guard (try? verifier.verify(note)) != nil else { return false }
        guard signedTexts.contains(Array(note.text.utf8)) else {
            throw FuzzFailure("a note the key never signed verifies", bytes)
        }
        if let checkpoint = try? verifier.verifyCheckpoint(text), !signedTexts.contains(Array(checkpoint.body.utf8)) {
            throw FuzzFailure("a checkpoint the key never signed verifies", bytes)
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        [Array(SigningFixture.signedCheckpoint.utf8), Array(SigningFixture.checkpointText.utf8),
         Array(SigningFixture.signer.verifierKey.utf8)]
    }
}

enum ExportTarget {
    // Lines of at most 1 KiB (the sample's are under 600 bytes), in the
    // smallest buffer the reader allows (twice that, about 2 KiB): inputs of
    // up to 64 KiB cross the buffer's edges often.
    nonisolated(unsafe) static let verifier = {
        var verifier = try! ExportVerifier(signedCheckpoint: SigningFixture.signedCheckpoint,
                                           verifierKey: SigningFixture.signer.verifierKey, lineBytesMax: 1 << 10)
        verifier.readBufferBytes = 1 << 10
        return verifier
    }()
    /// One scratch file for every input of the process (libFuzzer calls the
    /// target from one thread).
    static let scratch: Int32 = {
        let path = NSTemporaryDirectory() + "/ledger-fuzz-export-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("cannot open \(path): \(String(cString: strerror(errno)))") }
        unlink(path)
        return fd
    }()

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        let result = verifier.verify(fileDescriptor: scratchFile(holding: bytes))
        guard result.ok else { return false }
        try checkSignedLines(bytes, from: 1, input: bytes)
        return true
    }

    /// The scratch file, holding exactly `bytes`, read from its start.
    static func scratchFile(holding bytes: UnsafeRawBufferPointer) -> Int32 {
        let fd = scratch
        guard ftruncate(fd, 0) == 0, bytes.isEmpty || pwrite(fd, bytes.baseAddress!, bytes.count, 0) == bytes.count,
            lseek(fd, 0, SEEK_SET) == 0
        else { fatalError("cannot write the scratch export: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// An export that verified, from seq `first`: the lines the checkpoint
    /// signs must be the exported records (in any JSON form; `leafHash` in
    /// either case); lines after them are only counted as unsigned.
    static func checkSignedLines(_ export: UnsafeRawBufferPointer, from first: Int, input: UnsafeRawBufferPointer)
        throws(FuzzFailure)
    {
        let signed = SigningFixture.export.records.count - (first - 1)
        let lines = export.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.count >= signed else {
            throw FuzzFailure("an export shorter than the checkpoint verifies (from seq \(first))", input)
        }
        for (n, line) in lines.prefix(signed).enumerated() {
            let seq = first + n
            guard let (record, leaf) = SigningFixture.recordAndLeaf(line), record == SigningFixture.export.records[seq - 1],
                leaf == SigningFixture.export.leaves[seq - 1]
            else { throw FuzzFailure("an export whose line \(n + 1) is not the signed record \(seq) verifies", input) }
        }
    }

    static func seeds() -> [[UInt8]] {
        let bytes = SigningFixture.export.bytes
        let lines = bytes.split(separator: 0x0A)
        return [bytes, Array(lines.dropLast().joined(separator: [0x0A])) + [0x0A]]
    }
}

enum ProofTarget {
    static let leaves = SigningFixture.export.leaves
    static let nodes = InMemoryNodeStore(leafHashes: leaves)
    /// The root of the first k leaves, for k = 0...6.
    static let prefixRoots = (0...leaves.count).map { InMemoryNodeStore(leafHashes: leaves.prefix($0)).root() }

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        guard let proof = try? JSONParser.parse(bytes) else { return false }
        guard (try? ProofChecker.check(proof, verifierKey: SigningFixture.signer.verifierKey)) != nil else { return false }
        // It holds against the key: whatever it proves about the signed tree
        // (a checkpoint that verified) must be true of the signed tree.
        func hash(_ key: String) -> TreeHash? { proof[key]?.stringValue.flatMap { TreeHash(hex: $0) } }
        if proof["seq"] != nil {
            let index = proof["index"]?.intValue ?? -1
            guard index >= 0, index < leaves.count, hash("leafHash") == leaves[Int(index)] else {
                throw FuzzFailure("check-proof proves a leaf the signed tree does not hold", bytes)
            }
        } else if proof["toCheckpoint"] != nil {
            let from = proof["from"]?.intValue ?? -1
            guard from >= 0, from <= leaves.count, hash("fromRootHash") == prefixRoots[Int(from)] else {
                throw FuzzFailure("check-proof proves a prefix the signed tree does not have", bytes)
            }
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        let size = UInt64(leaves.count)
        let inclusions = (0..<size).map { index -> JSONValue in
            .object([
                "seq": .int(Int64(index + 1)), "index": .int(Int64(index)), "size": .int(Int64(size)),
                "leafHash": .string(leaves[Int(index)].hex), "rootHash": .string(prefixRoots[Int(size)].hex),
                "proof": .array(try! MerkleProofs.inclusionProof(index: index, size: size, nodes: nodes).map { .string($0.hex) }),
                "checkpoint": .string(SigningFixture.signedCheckpoint),
            ])
        }
        let consistencies = (0...size).map { from -> JSONValue in
            var object: [String: JSONValue] = [
                "from": .int(Int64(from)), "to": .int(Int64(size)),
                "fromRootHash": .string(prefixRoots[Int(from)].hex), "toRootHash": .string(prefixRoots[Int(size)].hex),
                "proof": .array(try! MerkleProofs.consistencyProof(from: from, to: size, nodes: nodes).map { .string($0.hex) }),
                "toCheckpoint": .string(SigningFixture.signedCheckpoint),
            ]
            if from == size { object["fromCheckpoint"] = .string(SigningFixture.signedCheckpoint) }
            return .object(object)
        }
        return (inclusions + consistencies).map { CanonicalJSON.encode($0) }
    }
}

enum ResumeTarget {
    /// A prefix of every tree the key signed (the whole sample's, its first 2
    /// and first 5 events', and 2 events of a history the ledger forked from).
    static let prefixes: [VerifiedPrefix] = SigningFixture.signedTrees.map {
        try! VerifiedPrefix(note: $0.note, verifierKey: SigningFixture.signer.verifierKey, range: $0.range)
    }
    static let wholeTree = SigningFixture.signedTrees[0].range

    /// First line: a verified-prefix file (`verify-export --resume`); the
    /// rest: an export, whole or of the events after the prefix, verified
    /// against the checkpoint of the whole sample. A prefix file is accepted
    /// only for a tree the key signed, only the signed records verify, and
    /// nothing verifies after a prefix of a history the ledger forked from.
    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        guard let prefix = try? VerifiedPrefix(json: Array(bytes[..<newline]), verifierKey: SigningFixture.signer.verifierKey)
        else { return false }
        guard SigningFixture.signedTrees.contains(where: { $0.range == prefix.range }) else {
            throw FuzzFailure("a prefix file of a tree the key never signed is accepted", bytes)
        }
        var verifier: ExportVerifier
        do {
            verifier = try ExportVerifier(signedCheckpoint: SigningFixture.signedCheckpoint,
                                          verifierKey: SigningFixture.signer.verifierKey, lineBytesMax: 1 << 10, after: prefix)
        } catch {
            return false
        }
        verifier.readBufferBytes = 1 << 10
        let rest = newline < bytes.endIndex ? UnsafeRawBufferPointer(rebasing: bytes[(newline + 1)...])
            : UnsafeRawBufferPointer(start: nil, count: 0)
        let result = verifier.verify(fileDescriptor: ExportTarget.scratchFile(holding: rest))
        guard result.ok else { return false }
        if prefix.range == SigningFixture.forkedTree {
            throw FuzzFailure("an export verifies after a prefix of a history the ledger forked from", bytes)
        }
        guard result.firstSeq == 1 || result.firstSeq == prefix.size + 1 else {
            throw FuzzFailure("an export verified from seq \(result.firstSeq) after a prefix of \(prefix.size)", bytes)
        }
        try ExportTarget.checkSignedLines(rest, from: Int(result.firstSeq), input: bytes)
        guard result.verifiedRange == wholeTree else {
            throw FuzzFailure("a resumed verification ends at another tree", bytes)
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        let lines = SigningFixture.export.bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        // After each prefix, the events after it, and the whole export.
        return prefixes.flatMap { prefix in
            [prefix.json + Array(lines.dropFirst(Int(prefix.size)).joined(separator: [0x0A])),
             prefix.json + SigningFixture.export.bytes]
        }
    }
}
