import Foundation

/// Remembers each snapshot's SHA-256 by the file's identity, so a warm run finds its template
/// without reading a multi-gigabyte snapshot again. An entry counts only while the file's
/// device, inode, size, modification time and status-change time are all unchanged: any
/// write to the file moves its status-change time, which no tool can set back, so a changed
/// file is always hashed anew and can never reuse a stale template.
public struct SnapshotHashCache: Sendable {
    /// The JSON file the hashes are kept in.
    public let file: String

    public init(directory: String) {
        file = directory + "/snapshot-hashes.json"
    }

    struct Entry: Codable {
        var identity: FileIdentity
        var sha256: String
    }

    /// The remembered hash of `path`, if the file is the one that was hashed.
    func hash(of path: String) -> String? {
        guard let identity = FileIdentity(path: path), let entry = entries()[Self.key(path)], entry.identity == identity else { return nil }
        return entry.sha256
    }

    /// Remembers `sha256` for `path` as it was (`identity`, taken before hashing) if the file
    /// has not changed since; forgets files that are gone. Best effort: a cache that cannot
    /// be written only costs a re-hash next time.
    func remember(_ sha256: String, of path: String, as identity: FileIdentity) {
        guard FileIdentity(path: path) == identity else { return }
        var all = entries().filter { FileManager.default.fileExists(atPath: $0.key) }
        all[Self.key(path)] = Entry(identity: identity, sha256: sha256)
        guard let data = try? JSONEncoder().encode(all) else { return }
        let temporary = file + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, file) != 0 { unlink(temporary) }
    }

    private func entries() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: file) else { return [:] }
        return (try? JSONDecoder().decode([String: Entry].self, from: data)) ?? [:]
    }

    private static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
