// LedgerDemo: see docs/ARCHITECTURE.md.
