#if canImport(Glibc)
import Glibc
#endif

/// Looks up users and groups by name, so `AccessPolicy` can be tested with a table.
public protocol AccountResolver: Sendable {
    func uid(forUser name: String) -> UInt32?
    func gid(forGroup name: String) -> UInt32?
}

/// The system's password and group databases through the reentrant libc
/// calls (getpwnam_r, getgrnam_r, getpwuid_r, getgrouplist): NSS may be
/// consulted from several connections at once.
public struct SystemAccounts: AccountResolver {
    public init() {}

    public func uid(forUser name: String) -> UInt32? { Self.uid(forUser: name) }
    public func gid(forGroup name: String) -> UInt32? { Self.gid(forGroup: name) }

    /// Lookup buffers grow on ERANGE up to this bound (a group with many members).
    private static let bufferBytesMax = 1 << 20
    /// getgrouplist's list grows up to this bound (Linux's NGROUPS_MAX).
    private static let groupsMax: Int32 = 65_536

    public static func uid(forUser name: String) -> UInt32? {
        var entry = passwd()
        return withLookupBuffer { buffer in
            var found: UnsafeMutablePointer<passwd>?
            let status = getpwnam_r(name, &entry, buffer.base, buffer.count, &found)
            return (status, found == nil ? nil : entry.pw_uid)
        }
    }

    public static func gid(forGroup name: String) -> UInt32? {
        var entry = group()
        return withLookupBuffer { buffer in
            var found: UnsafeMutablePointer<group>?
            let status = getgrnam_r(name, &entry, buffer.base, buffer.count, &found)
            return (status, found == nil ? nil : entry.gr_gid)
        }
    }

    public static func userName(uid: UInt32) -> String? {
        var entry = passwd()
        return withLookupBuffer { buffer in
            var found: UnsafeMutablePointer<passwd>?
            let status = getpwuid_r(uid, &entry, buffer.base, buffer.count, &found)
            guard found != nil, let name = entry.pw_name else { return (status, nil) }
            return (status, String(cString: name))
        }
    }

    /// The groups of `userName` in the group database, `gid` included.
    public static func groupList(userName: String, gid: UInt32) -> [UInt32] {
        var capacity: Int32 = 32
        while capacity <= groupsMax {
            var groups = [gid_t](repeating: 0, count: Int(capacity))
            var count = capacity
            if getgrouplist(userName, gid, &groups, &count) >= 0 {
                return Array(groups.prefix(Int(max(0, count))))
            }
            // -1: `count` now holds the number needed.
            capacity = max(count, capacity * 2)
        }
        return [gid]
    }

    /// Calls a `get*_r` function with a scratch buffer, growing it on ERANGE.
    /// `body` returns the call's status and the value found (nil: no entry).
    private static func withLookupBuffer<T>(
        _ body: ((base: UnsafeMutablePointer<CChar>, count: Int)) -> (Int32, T?)
    ) -> T? {
        var size = 1024
        while size <= bufferBytesMax {
            var buffer = [CChar](repeating: 0, count: size)
            let (status, value) = buffer.withUnsafeMutableBufferPointer { raw -> (Int32, T?) in
                guard let base = raw.baseAddress else { return (ENOMEM, nil) }
                return body((base, raw.count))
            }
            if status == ERANGE {
                size *= 4
                continue
            }
            return status == 0 ? value : nil
        }
        return nil
    }
}
