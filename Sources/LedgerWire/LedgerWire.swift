// LedgerWire: see docs/ARCHITECTURE.md.
