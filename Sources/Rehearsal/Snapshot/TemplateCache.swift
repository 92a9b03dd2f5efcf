import Foundation

/// Restored snapshots kept as template databases on the embedded server, keyed by the
/// snapshot's SHA-256, so every later run clones instead of restoring. A restore goes into a
/// `…_partial` database that is renamed only when complete: an interrupted or failed
/// restore never leaves a template that looks usable. The marker comment records the
/// snapshot and when the template was last used, for `rehearse cache list|prune`.
public struct TemplateCache {
    let databases: ScratchDatabases

    public init(databases: ScratchDatabases) {
        self.databases = databases
    }

    /// One cached template.
    public struct Entry: Sendable, Codable, Equatable {
        public var name: String
        public var sha256: String
        public var snapshotPath: String
        public var bytes: Int64
        public var lastUsed: Date?
    }

    public static func templateName(for snapshot: Snapshot) -> String {
        ScratchDatabases.templatePrefix + String(snapshot.sha256.prefix(32))
    }

    /// The template for `snapshot`, restoring it first if it is not cached. Returns the
    /// template's name and the restore summary when a restore happened.
    public func template(
        for snapshot: Snapshot, restore: (_ database: String) throws -> RestoreSummary
    ) throws -> (name: String, restored: RestoreSummary?) {
        let name = Self.templateName(for: snapshot)
        if try databases.exists(name) {
            try databases.mark(name, purpose: Self.purpose(for: snapshot))
            return (name, nil)
        }
        let partial = name + "_partial"
        if try databases.exists(partial) { try databases.drop(partial) }
        try databases.create(partial, purpose: "snapshot template (restoring) sha256=\(snapshot.sha256) path=\(snapshot.path)")
        do {
            let summary = try restore(partial)
            try databases.rename(partial, to: name)
            try databases.mark(name, purpose: Self.purpose(for: snapshot))
            return (name, summary)
        } catch {
            try? databases.drop(partial)
            throw error
        }
    }

    static func purpose(for snapshot: Snapshot, at date: Date = Date()) -> String {
        "snapshot template sha256=\(snapshot.sha256) used=\(ISO8601DateFormatter().string(from: date)) path=\(snapshot.path)"
    }

    /// Every cached template, most recently used first.
    public func list() throws -> [Entry] {
        let sizes = try databases.sizes()
        return try databases.list().compactMap { name, comment -> Entry? in
            guard name.hasPrefix(ScratchDatabases.templatePrefix), !name.hasSuffix("_partial") else { return nil }
            let fields = Self.fields(comment)
            return Entry(
                name: name, sha256: fields["sha256"] ?? "", snapshotPath: fields["path"] ?? "",
                bytes: sizes[name] ?? 0, lastUsed: fields["used"].flatMap { ISO8601DateFormatter().date(from: $0) })
        }.sorted { ($0.lastUsed ?? .distantPast) > ($1.lastUsed ?? .distantPast) }
    }

    /// Drops templates unused for longer than `olderThan` seconds, then the least recently
    /// used ones until the rest fit in `maxBytes`; half-restored leftovers always go.
    public func prune(olderThan: Double? = nil, maxBytes: Int64? = nil, now: Date = Date()) throws -> [Entry] {
        for (name, _) in try databases.list() where name.hasPrefix(ScratchDatabases.templatePrefix) && name.hasSuffix("_partial") {
            try databases.drop(name)
        }
        var dropped: [Entry] = []
        var kept: Int64 = 0
        for entry in try list() {
            let age = now.timeIntervalSince(entry.lastUsed ?? .distantPast)
            let tooOld = olderThan.map { age > $0 } ?? false
            let tooBig = maxBytes.map { kept + entry.bytes > $0 } ?? false
            if tooOld || tooBig {
                try databases.drop(entry.name)
                dropped.append(entry)
            } else {
                kept += entry.bytes
            }
        }
        return dropped
    }

    /// `key=value` words of a marker comment; `path` runs to the end (paths may hold spaces).
    static func fields(_ comment: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(comment)
        if let path = rest.range(of: " path=") {
            result["path"] = String(rest[path.upperBound...])
            rest = rest[..<path.lowerBound]
        }
        for word in rest.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }
}
