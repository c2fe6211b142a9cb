/// ledgerctl's exit codes (documented in `ledgerctl --help`; scripts rely on them).
public enum ExitCode: Int32, Sendable, Hashable, CaseIterable {
    case ok = 0
    /// The daemon refused the request, or something failed.
    case failed = 1
    /// The command line was wrong.
    case usage = 2
    /// No daemon answers on the socket (not running, wrong path).
    case unreachable = 3
    /// The socket or the verb is not allowed for this user.
    case permissionDenied = 4
}
