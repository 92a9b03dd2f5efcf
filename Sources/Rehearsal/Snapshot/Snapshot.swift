import Foundation
import Crypto

/// A snapshot file identified by its content: the SHA-256 of its bytes keys the template
/// cache, so a changed file can never reuse a stale restore.
public struct Snapshot: Sendable, Codable, Equatable {
    public var path: String
    public var sha256: String
    public var bytes: UInt64
    public var compressed: Bool

    /// Hashes the file, or takes its hash from `hashCache` when the file is unchanged since
    /// it was hashed; fails with a `SnapshotError` naming the path if it cannot be read.
    public static func open(_ path: String, hashCache: SnapshotHashCache? = nil) throws -> Snapshot {
        let reader = try DecompressingReader(path: path)
        if let known = hashCache?.hash(of: path) {
            return Snapshot(path: path, sha256: known, bytes: reader.fileSize, compressed: reader.isCompressed)
        }
        let identity = FileIdentity(path: path)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapshotError.unreadable(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let data: Data
            do {
                data = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw SnapshotError.unreadable(path: path, reason: error.localizedDescription)
            }
            if data.isEmpty { break }
            data.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        let snapshot = Snapshot(path: path, sha256: Hex.string(hasher.finalize()), bytes: reader.fileSize, compressed: reader.isCompressed)
        if let hashCache, let identity { hashCache.remember(snapshot.sha256, of: path, as: identity) }
        return snapshot
    }
}
