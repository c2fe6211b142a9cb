#if canImport(Glibc)
import Glibc
#endif

/// Finds the daemon's socket: `--socket`, then `$LEDGER_SOCKET`, then the
/// system default (CONTRACT.md).
public enum SocketLocator {
    public static let systemDefault = "/run/ledger/ledger.sock"
    public static let environmentVariable = "LEDGER_SOCKET"

    public static func resolve(flag: String?) -> String {
        let environment = getenv(environmentVariable).map { String(cString: $0) }
        return resolve(flag: flag, environment: environment)
    }

    /// The rule without the process environment, for tests. Empty values count as unset.
    public static func resolve(flag: String?, environment: String?) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let environment, !environment.isEmpty { return environment }
        return systemDefault
    }
}
