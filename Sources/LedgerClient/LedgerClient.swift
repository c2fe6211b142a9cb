// LedgerClient: see docs/ARCHITECTURE.md.
