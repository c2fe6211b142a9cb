// LedgerEngine: see docs/ARCHITECTURE.md.
