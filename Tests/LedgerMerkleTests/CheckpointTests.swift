import Testing
@testable import LedgerMerkle

@Suite struct CheckpointTests {
    static let root = TreeHash(base64: "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")!

    @Test func bodyFormatIsExact() {
        let checkpoint = Checkpoint(origin: "example.com/behind-the-sofa", size: 20852163, rootHash: Self.root)
        #expect(checkpoint.body == "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
        let extended = Checkpoint(origin: "o", size: 0, rootHash: RFC9162.emptyRoot, extensionLines: ["a b", "c"])
        #expect(extended.body == "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\na b\nc\n")
    }

    @Test(arguments: [
        Checkpoint(origin: "ledger.example/audit", size: 0, rootHash: RFC9162.emptyRoot),
        Checkpoint(origin: "ledger.example/audit", size: 1, rootHash: root),
        Checkpoint(origin: "x", size: UInt64.max, rootHash: root, extensionLines: ["ext one", "— two"]),
        Checkpoint(origin: "Đảng bộ Khối", size: 42, rootHash: root),
    ])
    func parseOfFormatIsIdentity(_ checkpoint: Checkpoint) throws {
        #expect(try Checkpoint.parse(body: checkpoint.body) == checkpoint)
        try checkpoint.validate()
    }

    @Test(arguments: [
        ("", "empty"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "missing final newline"),
        ("o\n1\n", "too few lines"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n", "extra blank line"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n", "blank line before extension"),
        ("\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "empty origin"),
        ("\no\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "leading blank line"),
        ("o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "leading zero"),
        ("o\n00\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "double zero"),
        ("o\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "plus sign"),
        ("o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "minus sign"),
        ("o\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "space in size"),
        ("o\n0x10\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "hex size"),
        ("o\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "empty size"),
        ("o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size overflows"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "unpadded base64"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "non-canonical base64"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=x\n", "bad base64"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n", "hash of 30 bytes"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n", "hash of 33 bytes"),
        ("o\n1\n0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62\n", "hex root"),
        ("o\r\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "carriage return"),
        ("o\t\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "tab"),
        ("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\r\n", "CRLF ending"),
    ])
    func strictRefusals(body: String, why: String) {
        do {
            let parsed = try Checkpoint.parse(body: body)
            Issue.record("accepted (\(why)): \(parsed)")
        } catch {
            #expect(error.code == .malformedCheckpoint, "\(why)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func sizeBoundsAreExact() throws {
        let root = Self.root.base64
        #expect(try Checkpoint.parse(body: "o\n0\n\(root)\n").size == 0)
        #expect(try Checkpoint.parse(body: "o\n18446744073709551615\n\(root)\n").size == UInt64.max)
        #expect(try Checkpoint.parse(body: "o\n10\n\(root)\n").size == 10)
    }

    @Test func invalidFieldsFailValidation() {
        for bad in [
            Checkpoint(origin: "", size: 1, rootHash: Self.root),
            Checkpoint(origin: "a\nb", size: 1, rootHash: Self.root),
            Checkpoint(origin: "o", size: 1, rootHash: Self.root, extensionLines: [""]),
            Checkpoint(origin: "o", size: 1, rootHash: Self.root, extensionLines: ["x\ny"]),
        ] {
            #expect(throws: CheckpointError.self) { try bad.validate() }
        }
    }
}
