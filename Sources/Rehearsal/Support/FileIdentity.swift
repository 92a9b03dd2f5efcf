import Foundation

/// What tells one version of a file from another without reading it: device, inode, size,
/// and the modification and status-change times to the nanosecond. Any write to the file
/// moves its status-change time, which, unlike the modification time, no tool can set back.
/// A directory's identity covers its files: their total size and the latest of their and
/// the directory's times, so a rewritten, added or removed file changes it.
struct FileIdentity: Codable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedNs: Int64
    var changedNs: Int64

    /// The identity of the file or directory at `path` now, or nil if it cannot be examined.
    init?(path: String) {
        guard let own = Self.status(path) else { return nil }
        device = UInt64(own.st_dev)
        inode = UInt64(own.st_ino)
        size = Int64(own.st_size)
        modifiedNs = Self.nanoseconds(own.st_mtim)
        changedNs = Self.nanoseconds(own.st_ctim)
        guard (own.st_mode & S_IFMT) == S_IFDIR else { return }
        size = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            guard let entry = Self.status(path + "/" + name) else { return nil }
            size += Int64(entry.st_size)
            modifiedNs = max(modifiedNs, Self.nanoseconds(entry.st_mtim))
            changedNs = max(changedNs, Self.nanoseconds(entry.st_ctim))
        }
    }

    private static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
