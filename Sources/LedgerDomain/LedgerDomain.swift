// LedgerDomain: see docs/ARCHITECTURE.md.
