import Foundation
import PostgresClient

/// Restored snapshots kept as template databases on the embedded server, keyed by the
/// snapshot's SHA-256, so every later run clones instead of restoring. A restore goes into a
/// `…_partial` database that is renamed only when complete: an interrupted or failed
/// restore never leaves a template that looks usable. The marker comment records the
/// snapshot and when the template was last used, for `rehearse cache list|prune`.
///
/// Each template may also have a spare: a ready copy made after a run's report is out, which
/// the next run takes by renaming it — milliseconds instead of a copy of the whole template.
/// A spare accepts no connections, so it stays identical to its template until taken.
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
        /// Size of the template's spare copy; 0 when it has none.
        public var spareBytes: Int64 = 0
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
        for leftover in [partial, Self.spareName(of: name)] where try databases.exists(leftover) {
            try databases.drop(leftover)
        }
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

    public static func spareName(of template: String) -> String {
        template + spareSuffix
    }

    static let spareSuffix = "_spare"

    /// Renames the template's spare to `name` and opens it to connections; false when there
    /// is no usable spare (the caller then clones the template).
    public func takeSpare(of template: String, as name: String, purpose: String) throws -> Bool {
        do {
            // A missing spare is not rehearse's either: one check, one round trip.
            try databases.rename(Self.spareName(of: template), to: name)
        } catch ClusterError.notOurs {
            return false
        }
        try databases.allowConnections(name, true)
        try databases.mark(name, purpose: purpose)
        return true
    }

    /// What `prepareSpare` did: made one (its size and how long the copy took), found one,
    /// or left it out for lack of disk space.
    public enum SpareOutcome: Equatable, Sendable {
        case made(bytes: Int64, milliseconds: Double)
        case exists
        case lowDiskSpace(needed: Int64, free: Int64)
    }

    /// Copies the template into its spare unless one exists. Skipped when the copy would leave
    /// less free disk space than the template's size. An interrupt cancels the copy.
    public func prepareSpare(
        of template: String, dataDirectory: String, interruption: InterruptionToken? = nil, copying: () -> Void = {}
    ) throws -> SpareOutcome {
        let spare = Self.spareName(of: template)
        if try databases.exists(spare) { return .exists }
        let bytes = try databases.sizes()[template] ?? 0
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: dataDirectory)
        if let free = (attributes?[.systemFreeSize] as? NSNumber)?.int64Value, free < 2 * bytes {
            return .lowDiskSpace(needed: 2 * bytes, free: free)
        }
        copying()
        let clock = ContinuousClock()
        let started = clock.now
        try databases.create(spare, template: template, purpose: "spare copy of \(template)", interruption: interruption)
        try databases.allowConnections(spare, false)
        return .made(bytes: bytes, milliseconds: (clock.now - started).milliseconds)
    }

    static func purpose(for snapshot: Snapshot, at date: Date = Date()) -> String {
        "snapshot template sha256=\(snapshot.sha256) used=\(ISO8601DateFormatter().string(from: date)) path=\(snapshot.path)"
    }

    /// Every cached template, most recently used first.
    public func list() throws -> [Entry] {
        let sizes = try databases.sizes()
        return try databases.list().compactMap { name, comment -> Entry? in
            guard Self.isTemplate(name) else { return nil }
            let fields = Self.fields(comment)
            return Entry(
                name: name, sha256: fields["sha256"] ?? "", snapshotPath: fields["path"] ?? "",
                bytes: sizes[name] ?? 0, lastUsed: fields["used"].flatMap { ISO8601DateFormatter().date(from: $0) },
                spareBytes: sizes[Self.spareName(of: name)] ?? 0)
        }.sorted { ($0.lastUsed ?? .distantPast) > ($1.lastUsed ?? .distantPast) }
    }

    static func isTemplate(_ name: String) -> Bool {
        name.hasPrefix(ScratchDatabases.templatePrefix) && !name.hasSuffix("_partial") && !name.hasSuffix(spareSuffix)
    }

    /// Drops templates (with their spares) unused for longer than `olderThan` seconds, then
    /// the least recently used ones until the rest fit in `maxBytes`; half-restored leftovers
    /// and spares without a template always go.
    public func prune(olderThan: Double? = nil, maxBytes: Int64? = nil, now: Date = Date()) throws -> [Entry] {
        let names = Set(try databases.list().map(\.name))
        for name in names where name.hasPrefix(ScratchDatabases.templatePrefix) {
            let orphanSpare = name.hasSuffix(Self.spareSuffix) && !names.contains(String(name.dropLast(Self.spareSuffix.count)))
            if name.hasSuffix("_partial") || orphanSpare { try databases.drop(name) }
        }
        var dropped: [Entry] = []
        var kept: Int64 = 0
        for entry in try list() {
            let age = now.timeIntervalSince(entry.lastUsed ?? .distantPast)
            let tooOld = olderThan.map { age > $0 } ?? false
            let tooBig = maxBytes.map { kept + entry.bytes + entry.spareBytes > $0 } ?? false
            if tooOld || tooBig {
                if entry.spareBytes > 0 { try databases.drop(Self.spareName(of: entry.name)) }
                try databases.drop(entry.name)
                dropped.append(entry)
            } else {
                kept += entry.bytes + entry.spareBytes
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
