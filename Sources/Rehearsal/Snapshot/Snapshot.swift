import Foundation
import Crypto

/// A snapshot identified by its content: the SHA-256 of its bytes keys the template cache,
/// so a changed file can never reuse a stale restore. A directory archive (`pg_dump -Fd`)
/// is hashed over its files' names and bytes, in name order.
public struct Snapshot: Sendable, Codable, Equatable {
    public var path: String
    public var sha256: String
    public var bytes: UInt64
    public var compressed: Bool
    public var format: SnapshotFormat

    /// Hashes the snapshot, or takes its hash from `hashCache` when it is unchanged since it
    /// was hashed; fails with a `SnapshotError` naming the path if it cannot be read or is
    /// in no format rehearse restores.
    public static func open(_ path: String, hashCache: SnapshotHashCache? = nil) throws -> Snapshot {
        let format = try SnapshotFormat.detect(path)
        let size = size(of: path, format: format)
        if size == 0 { throw SnapshotError.empty(path: path) }
        func made(_ sha256: String) -> Snapshot {
            Snapshot(path: path, sha256: sha256, bytes: size, compressed: format.isCompressed, format: format)
        }
        if let known = hashCache?.hash(of: path) { return made(known) }
        let identity = FileIdentity(path: path)
        var hasher = SHA256()
        if format == .directory {
            for name in files(in: path) {
                hasher.update(data: Data("\(name)\0".utf8))
                try hash(path + "/" + name, into: &hasher)
            }
        } else {
            try hash(path, into: &hasher)
        }
        let snapshot = made(Hex.string(hasher.finalize()))
        if let hashCache, let identity { hashCache.remember(snapshot.sha256, of: path, as: identity) }
        return snapshot
    }

    /// Bytes on disk: the file's, or all of a directory archive's files.
    static func size(of path: String, format: SnapshotFormat) -> UInt64 {
        func fileSize(_ file: String) -> UInt64 {
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.uint64Value ?? 0
        }
        guard format == .directory else { return fileSize(path) }
        return files(in: path).reduce(0) { $0 + fileSize(path + "/" + $1) }
    }

    /// A directory archive's files, in name order.
    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    private static func hash(_ file: String, into hasher: inout SHA256) throws {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw SnapshotError.unreadable(path: file, reason: "permission denied")
        }
        defer { try? handle.close() }
        while true {
            let data: Data
            do {
                data = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw SnapshotError.unreadable(path: file, reason: error.localizedDescription)
            }
            if data.isEmpty { break }
            data.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
    }
}
