import Foundation
import Testing
@testable import LedgerMerkle

/// Known answers from golang.org/x/mod/sumdb/note (note_test.go and the package documentation).
enum GoNoteVectors {
    static let peterPrivate = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let peterVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let enochVerifier = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let peterSig =
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    static let enochSig =
        "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
}

@Suite struct SignedNoteTests {
    @Test func parsesTheGoExample() throws {
        let note = try SignedNote.parse(GoNoteVectors.text + "\n" + GoNoteVectors.peterSig + GoNoteVectors.enochSig)
        #expect(note.text == GoNoteVectors.text)
        #expect(note.signatures.map(\.name) == ["PeterNeumann", "EnochRoot"])
        #expect(note.signatures.map(\.keyID) == [0xc74f20a3, 0xaf0cfe78])
        #expect(note.signatures.allSatisfy { $0.signature.count == 64 })
        #expect(note.formatted == GoNoteVectors.text + "\n" + GoNoteVectors.peterSig + GoNoteVectors.enochSig)
    }

    @Test func goSignaturesVerifyWithGoKeys() throws {
        let note = try SignedNote.parse(GoNoteVectors.text + "\n" + GoNoteVectors.peterSig + GoNoteVectors.enochSig)
        let peter = try NoteVerifier(verifierKey: GoNoteVectors.peterVerifier)
        let enoch = try NoteVerifier(verifierKey: GoNoteVectors.enochVerifier)
        #expect(try peter.verify(note) == GoNoteVectors.text)
        #expect(try enoch.verify(note) == GoNoteVectors.text)
        // Only Peter's: Enoch's verifier finds no signature by its key.
        let peterOnly = try SignedNote.parse(GoNoteVectors.text + "\n" + GoNoteVectors.peterSig)
        #expect(throws: CheckpointError.self) { try enoch.verify(peterOnly) }
        do { try enoch.verify(peterOnly) } catch { #expect(error.code == .unsignedByKey) }
    }

    /// golang.org/x/mod/sumdb/note TestOpen's "Invalid encoded message syntax" cases, and more.
    static let malformed: [(String, String)] = {
        var cases: [(String, String)] = []
        cases.append((GoNoteVectors.text, "no signatures"))
        cases.append((GoNoteVectors.text + "\n", "blank line but no signatures"))
        cases.append((GoNoteVectors.text + "\n" + String(GoNoteVectors.peterSig.dropLast()), "signature without newline"))
        cases.append(("\u{01}" + GoNoteVectors.text + "\n" + GoNoteVectors.peterSig, "control character"))
        cases.append((GoNoteVectors.text + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", "name with space"))
        cases.append((GoNoteVectors.text + "\n" + GoNoteVectors.peterSig + "Unexpected line.\n", "unexpected line"))
        cases.append((GoNoteVectors.text + "\n" + GoNoteVectors.peterSig + "\n", "trailing blank line"))
        cases.append((GoNoteVectors.text + "\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", "hyphen not em dash"))
        cases.append((GoNoteVectors.text + "\n—  PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", "double space"))
        cases.append((GoNoteVectors.text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n", "unpadded base64"))
        cases.append((GoNoteVectors.text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM= \n", "trailing space"))
        cases.append((GoNoteVectors.text + "\n— PeterNeumann AAAA\n", "signature of 3 bytes"))
        cases.append((GoNoteVectors.text + "\n— PeterNeumann\n", "no signature"))
        cases.append((GoNoteVectors.text + "\n— a+b x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", "plus in name"))
        cases.append((GoNoteVectors.text.replacingOccurrences(of: "\n", with: "\r\n") + "\n" + GoNoteVectors.peterSig, "CRLF"))
        cases.append((GoNoteVectors.text + "\n" + String(repeating: GoNoteVectors.peterSig, count: 101), "too many signatures"))
        return cases
    }()

    @Test(arguments: malformed)
    func strictRefusals(note: String, why: String) {
        do {
            let parsed = try SignedNote.parse(note)
            Issue.record("accepted (\(why)): \(parsed)")
        } catch {
            #expect(error.code == .malformedNote || error.code == .tooManySignatures, "\(why)")
        }
    }

    @Test func invalidUTF8IsRefused() {
        let bytes = Array((GoNoteVectors.text + "\n" + GoNoteVectors.peterSig).utf8)
        #expect(throws: Never.self) { try SignedNote.parse(utf8: bytes) }
        #expect(throws: CheckpointError.self) { try SignedNote.parse(utf8: [0xff] + bytes) }
    }

    @Test func textMayHoldBlankLinesAndSplitsAtTheLastOne() throws {
        let signer = try NoteSigner.generate(name: "poet")
        let text = "Ognuno sta solo sul cuor della terra\n\ned è subito sera.\n"
        let note = try signer.sign(text)
        let parsed = try SignedNote.parse(note.formatted)
        #expect(parsed.text == text)
        try signer.verifier.verify(parsed)
    }

    @Test func unknownSignaturesAreKeptAndIgnored() throws {
        let peter = try NoteVerifier(verifierKey: GoNoteVectors.peterVerifier)
        // An unknown key and a same-name-other-ID key before Peter's: ignored.
        let other = try NoteSigner.generate(name: "PeterNeumann")
        let cosigned = try other.cosign(try SignedNote.parse(GoNoteVectors.text + "\n" + GoNoteVectors.peterSig))
        #expect(cosigned.signatures.count == 2)
        try peter.verify(cosigned)
        try peter.verify(try SignedNote.parse(cosigned.formatted))
    }

    @Test func badSignatureByOurKeyFailsEvenBesideAGoodOne() throws {
        var bad = Array(GoNoteVectors.peterSig)
        bad[bad.count - 10] = bad[bad.count - 10] == "A" ? "B" : "A"
        let note = try SignedNote.parse(GoNoteVectors.text + "\n" + GoNoteVectors.peterSig + String(bad))
        let peter = try NoteVerifier(verifierKey: GoNoteVectors.peterVerifier)
        do {
            try peter.verify(note)
            Issue.record("accepted a note with a bad signature by the verifier's key")
        } catch { #expect(error.code == .invalidSignature) }
    }
}
