import Foundation

/// The operating-system account the embedded server runs as. `initdb` refuses to run as
/// root, so in CI containers the server runs as `postgres` (or `nobody`) and owns its files.
struct ServerAccount: Sendable {
    var name: String
    var uid: uid_t
    var gid: gid_t
    /// True when rehearse itself runs as root and must switch accounts to start the server.
    var needsSwitch: Bool

    static func current() throws -> ServerAccount {
        let uid = getuid()
        if uid != 0 {
            let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "\(uid)"
            return ServerAccount(name: name, uid: uid, gid: getgid(), needsSwitch: false)
        }
        for candidate in ["postgres", "nobody"] {
            if let entry = getpwnam(candidate) {
                return ServerAccount(name: candidate, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, needsSwitch: true)
            }
        }
        throw ClusterError.noUnprivilegedAccount
    }

    /// The command line that runs `program` as this account.
    func command(_ program: String, _ arguments: [String], directory: String) -> Command {
        if needsSwitch {
            return Command(executable: "/usr/sbin/runuser", arguments: ["-u", name, "--", program] + arguments, directory: directory)
        }
        return Command(executable: program, arguments: arguments, directory: directory)
    }

    /// Creates `path` (and parents) owned by this account with mode 0700.
    func makePrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ClusterError.filesystem(path: path, reason: "\(error.localizedDescription)")
        }
        if needsSwitch, chown(path, uid, gid) != 0 {
            throw ClusterError.filesystem(path: path, reason: String(cString: strerror(errno)))
        }
        if chmod(path, 0o700) != 0 {
            throw ClusterError.filesystem(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
