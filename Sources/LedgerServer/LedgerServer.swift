// LedgerServer: see docs/ARCHITECTURE.md.
