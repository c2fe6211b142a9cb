import Testing
@testable import LedgerMerkle

@Suite struct NoteKeyTests {
    @Test func goPrivateKeyGivesGoVerifierKey() throws {
        let signer = try NoteSigner(privateKeyString: GoNoteVectors.peterPrivate)
        #expect(signer.name == "PeterNeumann")
        #expect(signer.keyID == 0xc74f20a3)
        #expect(signer.verifierKey == GoNoteVectors.peterVerifier)
        #expect(signer.privateKeyString == GoNoteVectors.peterPrivate)
        let verifier = try NoteVerifier(verifierKey: GoNoteVectors.peterVerifier)
        #expect(verifier.name == "PeterNeumann")
        #expect(verifier.keyID == 0xc74f20a3)
        #expect(verifier.verifierKey == GoNoteVectors.peterVerifier)
        #expect(verifier.publicKey == signer.publicKey)
    }

    @Test func keyIDIsSHA256OfNameNewlineAlgorithmAndKey() throws {
        let verifier = try NoteVerifier(verifierKey: GoNoteVectors.peterVerifier)
        let digest = Reference.sha256(Array("PeterNeumann".utf8) + [0x0a, 0x01] + verifier.publicKey)
        #expect(UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3]) == verifier.keyID)
    }

    @Test func signingTheGoTextVerifiesWithTheGoKey() throws {
        let signer = try NoteSigner(privateKeyString: GoNoteVectors.peterPrivate)
        let note = try signer.sign(GoNoteVectors.text)
        let formatted = note.formatted
        #expect(formatted.hasPrefix(GoNoteVectors.text + "\n— PeterNeumann "))
        // The first 4 bytes of the base64 blob are the key ID: "x08g" encodes c7 4f 20.
        #expect(formatted.contains("\n— PeterNeumann x08g"))
        let verifier = try NoteVerifier(verifierKey: GoNoteVectors.peterVerifier)
        #expect(try verifier.verify(try SignedNote.parse(formatted)) == GoNoteVectors.text)
    }

    @Test func generatedKeysRoundTripThroughStrings() throws {
        let signer = try NoteSigner.generate(name: "ledger.example/audit")
        let reloaded = try NoteSigner(privateKeyString: signer.privateKeyString)
        #expect(reloaded.verifierKey == signer.verifierKey)
        #expect(reloaded.keyID == signer.keyID)
        #expect(reloaded.privateKeyString == signer.privateKeyString)
        let verifier = try NoteVerifier(verifierKey: signer.verifierKey)
        #expect(verifier.verifierKey == signer.verifierKey)
        #expect(signer.privateKeyString.hasPrefix("PRIVATE+KEY+ledger.example/audit+\(NoteName.keyIDHex(signer.keyID))+"))
        let keyField = signer.verifierKey.split(separator: "+", maxSplits: 2)[1]
        #expect(keyField.count == 8 && keyField == keyField.lowercased())
        // A note signed by the reloaded key verifies with the original verifier.
        try verifier.verify(try reloaded.sign("hello\n"))
    }

    @Test(arguments: ["", "a b", "a+b", "tab\there", "new\nline", "nbsp\u{00A0}x"])
    func invalidNamesAreRefused(name: String) {
        #expect(throws: CheckpointError.self) { try NoteSigner.generate(name: name) }
    }

    /// golang.org/x/mod/sumdb/note TestNewVerifier: every proper substring and every
    /// single-byte increment of the key must be refused.
    @Test func mangledVerifierKeysAreRefused() {
        let key = Array(GoNoteVectors.peterVerifier.utf8)
        var accepted: [String] = []
        for i in 0...key.count {
            for j in (i + 1)...max(i + 1, key.count) where j <= key.count && !(i == 0 && j == key.count) {
                let text = String(decoding: key[i..<j], as: UTF8.self)
                if (try? NoteVerifier(verifierKey: text)) != nil { accepted.append(text) }
            }
        }
        for i in key.indices {
            var mangled = key
            mangled[i] &+= 1
            let text = String(decoding: mangled, as: UTF8.self)
            if (try? NoteVerifier(verifierKey: text)) != nil { accepted.append(text) }
        }
        #expect(accepted.isEmpty)
        // Wrong key length with an adjusted key hash; unknown algorithm with an adjusted key hash.
        #expect(throws: CheckpointError.self) {
            try NoteVerifier(verifierKey: "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
        }
        do {
            _ = try NoteVerifier(verifierKey: "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            Issue.record("accepted an unknown algorithm")
        } catch { #expect(error.code == .unknownAlgorithm) }
        do {
            _ = try NoteVerifier(verifierKey: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            Issue.record("accepted a wrong key id")
        } catch { #expect(error.code == .keyIDMismatch) }
    }

    /// golang.org/x/mod/sumdb/note TestNewSigner: the same manglings of the private key string.
    @Test func mangledPrivateKeysAreRefused() {
        let key = Array(GoNoteVectors.peterPrivate.utf8)
        var accepted: [String] = []
        for i in 0..<key.count {
            for j in (i + 1)...key.count where !(i == 0 && j == key.count) {
                let text = String(decoding: key[i..<j], as: UTF8.self)
                if (try? NoteSigner(privateKeyString: text)) != nil { accepted.append(text) }
            }
        }
        for i in key.indices {
            var mangled = key
            mangled[i] &+= 1
            let text = String(decoding: mangled, as: UTF8.self)
            if (try? NoteSigner(privateKeyString: text)) != nil { accepted.append(text) }
        }
        #expect(accepted.isEmpty)
    }

    @Test func signFormatParseVerifyRoundTrip() throws {
        let signer = try NoteSigner.generate(name: "ledger.example/audit")
        let checkpoint = Checkpoint(origin: "ledger.example/audit", size: 1234, rootHash: RFC9162.leafHash([1, 2, 3]))
        let note = try signer.sign(checkpoint)
        #expect(note.text == checkpoint.body)
        let parsed = try SignedNote.parse(note.formatted)
        #expect(parsed == note)
        let verifier = try NoteVerifier(verifierKey: signer.verifierKey)
        try verifier.verify(parsed)
        #expect(try verifier.verifyCheckpoint(note.formatted) == checkpoint)
    }

    @Test func anyChangedByteFailsVerification() throws {
        let signer = try NoteSigner.generate(name: "ledger.example/audit")
        let verifier = signer.verifier
        let checkpoint = Checkpoint(origin: "ledger.example/audit", size: 77, rootHash: RFC9162.leafHash([7]))
        let bytes = Array(try signer.sign(checkpoint).formatted.utf8)
        var accepted: [Int] = []
        for index in bytes.indices {
            for flip: UInt8 in [0x01, 0x20, 0x80] {
                var changed = bytes
                changed[index] ^= flip
                if (try? verifier.verify(SignedNote.parse(utf8: changed))) != nil { accepted.append(index) }
            }
        }
        #expect(accepted.isEmpty, "accepted changes at byte offsets \(accepted)")
    }

    @Test func noteSignedByAnotherKeyFails() throws {
        let log = try NoteSigner.generate(name: "ledger.example/audit")
        let impostor = try NoteSigner.generate(name: "ledger.example/audit")
        let note = try impostor.sign("ledger.example/audit\n1\n\(RFC9162.emptyRoot.base64)\n")
        do {
            try log.verifier.verify(note)
            Issue.record("accepted a note by another key")
        } catch { #expect(error.code == .unsignedByKey) }
        // The impostor's signature relabelled with the log's key ID: a signature by "our" key that fails.
        let relabelled = try SignedNote(
            text: note.text,
            signatures: [NoteSignature(name: log.name, keyID: log.keyID, signature: note.signatures[0].signature)])
        do {
            try log.verifier.verify(relabelled)
            Issue.record("accepted a forged key id")
        } catch { #expect(error.code == .invalidSignature) }
    }

    @Test func cosignAddsAWitnessSignature() throws {
        let log = try NoteSigner.generate(name: "ledger.example/audit")
        let witness = try NoteSigner.generate(name: "witness.example/w1")
        let note = try log.sign("ledger.example/audit\n5\n\(RFC9162.emptyRoot.base64)\n")
        let cosigned = try witness.cosign(note)
        #expect(cosigned.signatures.map(\.name) == ["ledger.example/audit", "witness.example/w1"])
        let parsed = try SignedNote.parse(cosigned.formatted)
        try log.verifier.verify(parsed)
        try witness.verifier.verify(parsed)
        // Cosigning twice replaces the witness's own earlier signature.
        let twice = try witness.cosign(cosigned)
        #expect(twice.signatures.count == 2)
        try witness.verifier.verify(twice)
    }

    @Test func signRefusesTextsThatCannotBeNotes() throws {
        let signer = try NoteSigner.generate(name: "n")
        for text in ["", "no newline", "tab\there\n", "cr\r\n"] {
            #expect(throws: CheckpointError.self) { try signer.sign(text) }
        }
        #expect(throws: CheckpointError.self) {
            try signer.sign(Checkpoint(origin: "", size: 1, rootHash: RFC9162.emptyRoot))
        }
    }
}
