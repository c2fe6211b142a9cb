// LedgerMerkle: see docs/ARCHITECTURE.md.
