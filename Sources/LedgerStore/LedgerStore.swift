// LedgerStore: see docs/ARCHITECTURE.md.
