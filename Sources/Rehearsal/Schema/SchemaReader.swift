import PostgresClient

/// Reads one database's schema fingerprint again and again on one connection, deparsing
/// only what changed since the previous read: it reads every owner's stamp
/// (`CatalogStamps`), and then the objects of the owners whose stamp differs, of those
/// that depend on one whose names changed, and of none else; owners that vanished lose
/// their objects. The first read, and any read after a change to schemas, extensions or
/// the like, is whole.
/// The result is always what `SchemaFingerprint.read(on:)` would return at that moment.
/// The queries are prepared once per connection (and planned once for any parameters), so
/// their planning is paid once.
final class SchemaReader {
    private let connection: Connection
    /// The connection is the reader's (`init(owning:)`): it keeps the reading settings for its
    /// life, so a read need not set them and put them back.
    private let settingsMade: Bool
    /// Each owner's rows that can go alone (see `CatalogStamps`), as of the last read.
    private var counts: [String: String] = [:]
    /// Each owner's names (relation, schema, columns), which other owners' definitions show.
    private var names: [String: String] = [:]
    private var global: String?
    /// The oldest transaction running at the last read: rows no older are fresh.
    private var since = "3"
    /// The last fingerprint, and the keys of its objects by owner ("" for schemas and
    /// extensions).
    private var last: SchemaFingerprint?
    private var keys: [String: [SchemaFingerprint.Key]] = [:]
    /// How the last read went.
    private(set) var lastRead = Read.whole
    /// The oids of the relations (tables, views, sequences) whose catalog rows came, changed
    /// or went between the two last reads; nil after a whole read. A relation whose files
    /// were replaced (a rewrite, a new index) is among them.
    private(set) var changedRelations: Set<String>?

    enum Read: Equatable {
        case whole
        /// The objects of this many owners were read (the changed ones and their dependents).
        case part(owners: Int)
        case unchanged
    }

    private struct Stamp {
        var count: String
        var fresh: Bool
        var names: String
    }

    /// A reader on a connection others use too: each read sets the settings it wants and
    /// puts the connection's back.
    init(on connection: Connection) {
        self.connection = connection
        settingsMade = false
    }

    /// A reader on a connection whose every other query names its objects schema-qualified:
    /// the reading settings are made here, once.
    init(owning connection: Connection) throws {
        try connection.execute(SchemaFingerprint.readingSettings(genericPlans: true))
        self.connection = connection
        settingsMade = true
    }

    func read() throws -> SchemaFingerprint {
        guard settingsMade else { return try SchemaFingerprint.withEmptySearchPath(on: connection, genericPlans: true, readStamped) }
        return try readStamped()
    }

    private func readStamped() throws -> SchemaFingerprint {
        var now: [String: Stamp] = [:]
        for row in try connection.query(preparingOnce: CatalogStamps.sql, [since, last == nil ? "true" : "false"]).rows {
            now[row[0] ?? ""] = Stamp(count: row[1] ?? "", fresh: row[2] == "t", names: row[3] ?? "")
        }
        guard let threshold = now.removeValue(forKey: "xmin")?.count, let global = now.removeValue(forKey: "global")?.names else {
            throw SchemaFingerprintError.stampsMissing
        }
        let fingerprint = try changes(to: now, global: global)
        since = threshold
        self.global = global
        counts = now.mapValues(\.count)
        for (owner, stamp) in now where stamp.fresh || names[owner] == nil { names[owner] = stamp.names }
        names = names.filter { now[$0.key] != nil }
        last = fingerprint
        return fingerprint
    }

    /// The fingerprint for the stamps `now`, read whole or in part.
    private func changes(to now: [String: Stamp], global: String) throws -> SchemaFingerprint {
        changedRelations = nil
        guard var fingerprint = last, global == self.global else { return try readAll() }
        let changed = now.filter { $0.value.fresh || counts[$0.key] != $0.value.count }.map(\.key).sorted()
        let renamed = changed.filter { owner in
            guard let stamp = now[owner], stamp.fresh, let before = names[owner] else { return false }
            return before != stamp.names
        }
        let vanished = Set(counts.keys).subtracting(now.keys)
        changedRelations = Set((changed + vanished).filter { $0.hasPrefix("r") }.map { String($0.dropFirst()) })
        guard !changed.isEmpty || !vanished.isEmpty else {
            lastRead = .unchanged
            return fingerprint
        }
        for owner in vanished { remove(owner, from: &fingerprint) }
        guard !changed.isEmpty else {
            lastRead = .part(owners: 0)
            return fingerprint
        }
        var fresh: [String: [[String?]]] = [:]
        var read: Set<String> = [""]
        let arrays = [changed, renamed].map { "{" + $0.joined(separator: ",") + "}" }
        for row in try connection.query(preparingOnce: FingerprintQuery.someSQL, arrays).rows {
            if row[0] == "~owner" {
                read.insert(row[1] ?? "")
            } else {
                fresh[row[4] ?? "", default: []].append(row)
            }
        }
        for owner in read { remove(owner, from: &fingerprint) }
        for owner in read {
            for row in fresh[owner] ?? [] where !add(row, to: &fingerprint) {
                // An object that moved from one owner to another unseen: read it all.
                return try readAll()
            }
        }
        lastRead = .part(owners: read.count - 1)
        return fingerprint
    }

    private func readAll() throws -> SchemaFingerprint {
        lastRead = .whole
        keys = [:]
        var fingerprint = SchemaFingerprint(objects: [:])
        for row in try connection.query(preparingOnce: FingerprintQuery.sql).rows where !add(row, to: &fingerprint) {
            throw SchemaFingerprintError.duplicateObject(kind: row[0] ?? "", name: row[1] ?? "")
        }
        return fingerprint
    }

    private func remove(_ owner: String, from fingerprint: inout SchemaFingerprint) {
        for key in keys.removeValue(forKey: owner) ?? [] {
            fingerprint.objects[key] = nil
            fingerprint.parents[key] = nil
        }
    }

    /// Adds a row of `FingerprintQuery` (kind, name, definition, parent, owner); false when
    /// its key is taken.
    private func add(_ row: [String?], to fingerprint: inout SchemaFingerprint) -> Bool {
        let key = SchemaFingerprint.Key(kind: row[0] ?? "", name: row[1] ?? "")
        guard fingerprint.objects.updateValue(row[2] ?? "", forKey: key) == nil else { return false }
        if let parent = row[3], !parent.isEmpty { fingerprint.parents[key] = parent }
        keys[row[4] ?? "", default: []].append(key)
        return true
    }
}
