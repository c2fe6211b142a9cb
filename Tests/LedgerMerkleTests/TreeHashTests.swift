import Testing
@testable import LedgerMerkle

@Suite struct TreeHashTests {
    @Test func emptyRootIsSHA256OfNothing() {
        #expect(RFC9162.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func leafAndNodeHashesMatchKnownAnswers() {
        // transparency-dev/merkle testonly.NodeHashes: leaves 0 and 1 and their parent.
        let l0 = RFC9162.leafHash([])
        let l1 = RFC9162.leafHash([0x00])
        #expect(l0.hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(l1.hex == "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")
        #expect(RFC9162.nodeHash(l0, l1).hex == "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")
        #expect(RFC9162.nodeHash(l1, l0) != RFC9162.nodeHash(l0, l1))
    }

    @Test func bufferAndArrayLeafHashesAgree() {
        let data: [UInt8] = Array("some event".utf8)
        let viaBuffer = data.withUnsafeBytes { RFC9162.leafHash($0) }
        #expect(viaBuffer == RFC9162.leafHash(data))
        #expect(viaBuffer.bytes == Reference.leaf(data))
    }

    @Test(arguments: [0, 1, 31, 33, 64])
    func wrongLengthIsRefused(count: Int) {
        #expect(throws: MerkleError.self) { try TreeHash([UInt8](repeating: 7, count: count)) }
        do {
            _ = try TreeHash([UInt8](repeating: 7, count: count))
        } catch {
            #expect(error.code == .wrongLength)
            #expect(error.message.contains("got \(count)"))
        }
    }

    @Test func hexAndBase64RoundTrip() throws {
        let hash = try TreeHash((0..<32).map { UInt8($0 * 7) })
        #expect(hash.hex.count == 64)
        #expect(hash.hex == hash.hex.lowercased())
        #expect(TreeHash(hex: hash.hex) == hash)
        #expect(TreeHash(hex: hash.hex.uppercased()) == hash)
        #expect(hash.base64.count == 44)
        #expect(TreeHash(base64: hash.base64) == hash)
        #expect(hash.description == hash.hex)
    }

    @Test(arguments: [
        "", "00", String(repeating: "0", count: 63), String(repeating: "0", count: 65),
        String(repeating: "g", count: 64), " " + String(repeating: "0", count: 63),
    ])
    func badHexIsRefused(text: String) {
        #expect(TreeHash(hex: text) == nil)
    }

    @Test(arguments: [
        "",
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0",  // missing padding
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0==",  // extra padding
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB1=",  // non-canonical trailing bits
        "bjQLnP-zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",  // URL alphabet
        " bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n",
        "AAAA",  // 3 bytes
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0AAA==",  // 34 bytes
    ])
    func badBase64IsRefused(text: String) {
        #expect(TreeHash(base64: text) == nil)
    }

    @Test func base64KnownAnswer() {
        #expect(TreeHash(base64: "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=")?.hex
            == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    }

    @Test func base64CodecRoundTripsAllLengths() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64.encode(bytes)
            #expect(Base64.decode(text) == bytes, "length \(length)")
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
        #expect(Base64.decode("Zm9vYh==") == nil)
        #expect(Base64.decode("Zm9vYmF=") == nil)
        #expect(Base64.decode("Zm=vYg==") == nil)
        #expect(Base64.decode("Zm9v=") == nil)
    }
}
