// LedgerMerkle: the ledger's tamper evidence, pure (no I/O).
//
// - RFC 9162 §2.1 hashing (`RFC9162`, `TreeHash`), the streaming frontier (`CompactRange`),
//   proofs built from stored perfect-subtree nodes (`MerkleProofs`, `PerfectNodeSource`,
//   `InMemoryNodeStore`) and their verification (`MerkleVerifier`).
// - C2SP tlog-checkpoint bodies (`Checkpoint`) in C2SP signed notes (`SignedNote`), signed with
//   Ed25519 (`NoteSigner`, `NoteVerifier`) in the key formats of golang.org/x/mod/sumdb/note.
//
// Errors: `MerkleError` and `CheckpointError`, each with a stable code and a got/want message.
