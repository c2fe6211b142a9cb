#if canImport(Glibc)
import Glibc
#endif

/// The socket file's life on disk: refuse to steal a live socket, remove a
/// stale one, set mode and group right after bind, and remove it at shutdown
/// only if it is still ours (a second daemon may have replaced it).
enum SocketFile {
    /// The file's device and inode, to recognise it at shutdown.
    struct Identity: Sendable, Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// Makes `path` free for bind: nothing there, or a stale socket (removed).
    /// A socket someone still listens on is `socketInUse`; anything else
    /// at the path is `notASocket` (never delete a file we did not create).
    static func prepare(path: String) throws(ServerError) {
        var info = stat()
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let directory = String(path[..<slash])
            guard stat(directory, &info) == 0 else {
                if errno == ENOENT { throw ServerError.socketDirectoryMissing(directory) }
                throw ServerError.socketSetup(path: path, step: "stat \(directory)", errno: errno)
            }
        }
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return }
            throw ServerError.socketSetup(path: path, step: "lstat", errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw ServerError.notASocket(path: path) }
        switch probe(path: path) {
        case 0:
            throw ServerError.socketInUse(path: path)
        case ECONNREFUSED:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw ServerError.socketSetup(path: path, step: "removing the stale socket", errno: errno)
            }
        case let code:
            throw ServerError.socketSetup(path: path, step: "probing the existing socket", errno: code)
        }
    }

    /// Tries a non-blocking connect: 0 if something listens (EAGAIN: it
    /// listens with a full backlog), else the errno (ECONNREFUSED: stale).
    private static func probe(path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        let result = withUnixAddress(path) { address, length in connect(fd, address, length) }
        guard let result else { return ENAMETOOLONG }
        if result == 0 { return 0 }
        let code = errno
        return code == EAGAIN || code == EINPROGRESS ? 0 : code
    }

    /// Sets the permission bits and (optionally) the group, right after bind.
    static func applyAccess(path: String, mode: UInt32, group: String?) throws(ServerError) {
        if let group {
            let gid: UInt32
            if group.allSatisfy({ $0.isASCII && $0.isNumber }), let number = UInt32(group) {
                gid = number
            } else if let found = SystemAccounts.gid(forGroup: group) {
                gid = found
            } else {
                throw ServerError.unknownSocketGroup(group)
            }
            guard chown(path, uid_t.max, gid) == 0 else {
                throw ServerError.socketSetup(path: path, step: "chown to group \(group)", errno: errno)
            }
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            throw ServerError.socketSetup(path: path, step: "chmod \(String(mode, radix: 8))", errno: errno)
        }
    }

    static func identity(path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Removes the socket file if it is still the one we created.
    static func remove(path: String, ifStill identity: Identity?) {
        guard let identity, self.identity(path: path) == identity else { return }
        unlink(path)
    }

    /// Checks that an inherited descriptor is a Unix stream socket: the only
    /// kind SO_PEERCRED, and so authorization, works on.
    static func validateInherited(fd: Int32) throws(ServerError) {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        guard fcntl(fd, F_GETFD) >= 0 else {
            throw ServerError.unusableInheritedSocket(fd: fd, reason: "not an open descriptor")
        }
        guard let type = option(SO_TYPE), type == Int32(SOCK_STREAM.rawValue) else {
            throw ServerError.unusableInheritedSocket(fd: fd, reason: "not a stream socket")
        }
        guard let domain = option(SO_DOMAIN), domain == AF_UNIX else {
            throw ServerError.unusableInheritedSocket(fd: fd, reason: "not a Unix domain socket (peer credentials need one)")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// The path a bound Unix socket is bound to (nil: unnamed or abstract).
    static func boundPath(fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return withUnsafeBytes(of: &address.sun_path) { raw -> String? in
            guard let first = raw.first, first != 0 else { return nil }
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Calls `body` with a `sockaddr_un` for `path`; nil if the path is too long.
func withUnixAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T? {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard !bytes.isEmpty, bytes.count < capacity else { return nil }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}
