import PostgresClient

/// The schema of a database as a set of named objects with their definitions, read from the
/// catalogs (see `FingerprintQuery`). Column order is not part of it, so a column dropped
/// and re-added compares equal.
public struct SchemaFingerprint: Sendable, Equatable, Codable {
    public struct Key: Hashable, Sendable, Codable, Comparable {
        public let kind: String
        public let name: String
        /// Hashed once: the run looks a fingerprint's thousands of keys up again for every
        /// state it compares, and a name is up to 63 bytes.
        private let hash: Int

        public init(kind: String, name: String) {
            self.kind = kind
            self.name = name
            var hasher = Hasher()
            hasher.combine(kind)
            hasher.combine(name)
            hash = hasher.finalize()
        }

        public static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.hash == rhs.hash && lhs.kind == rhs.kind && lhs.name == rhs.name
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
        }

        enum CodingKeys: String, CodingKey {
            case kind, name
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(kind: try container.decode(String.self, forKey: .kind), name: try container.decode(String.self, forKey: .name))
        }
    }

    public var objects: [Key: String]
    /// The table each column, constraint, index, trigger, policy and rule belongs to.
    public var parents: [Key: String]

    public init(objects: [Key: String], parents: [Key: String] = [:]) {
        self.objects = objects
        self.parents = parents
    }

    /// Reads the fingerprint on `connection` with an empty `search_path`, so every name is
    /// schema-qualified whatever the session's path; the setting is restored afterwards.
    public static func read(on connection: Connection) throws -> SchemaFingerprint {
        try withEmptySearchPath(on: connection) {
            let rows = try connection.query(FingerprintQuery.sql).rows
            return try SchemaFingerprint(rows: rows.map { ($0[0] ?? "", $0[1] ?? "", $0[2] ?? "", $0[3] ?? "") })
        }
    }

    /// The settings a read wants: an empty `search_path`, and plans made once for any
    /// parameters with `genericPlans`.
    static func readingSettings(genericPlans: Bool) -> String {
        "SET search_path = ''" + (genericPlans ? "; SET plan_cache_mode = force_generic_plan" : "")
    }

    /// Runs `body` with an empty `search_path` on `connection` (and, with `genericPlans`,
    /// prepared statements planned once for any parameters), restoring the settings after.
    static func withEmptySearchPath<T>(on connection: Connection, genericPlans: Bool = false, _ body: () throws -> T) throws -> T {
        let saved = try connection.query("SELECT current_setting('search_path'), current_setting('plan_cache_mode')").rows.first ?? []
        try connection.execute(readingSettings(genericPlans: genericPlans))
        defer {
            _ = try? connection.query(
                "SELECT set_config('search_path', $1, false), set_config('plan_cache_mode', $2, false)",
                [saved.first ?? "", saved.count > 1 ? saved[1] ?? "auto" : "auto"])
        }
        return try body()
    }

    /// Builds a fingerprint from `(kind, name, definition, parent)` rows, refusing a
    /// duplicate key.
    init(rows: [(kind: String, name: String, definition: String, parent: String)]) throws {
        var objects: [Key: String] = [:]
        var parents: [Key: String] = [:]
        objects.reserveCapacity(rows.count)
        for row in rows {
            let key = Key(kind: row.kind, name: row.name)
            guard objects.updateValue(row.definition, forKey: key) == nil else {
                throw SchemaFingerprintError.duplicateObject(kind: row.kind, name: row.name)
            }
            if !row.parent.isEmpty { parents[key] = row.parent }
        }
        self.objects = objects
        self.parents = parents
    }

    /// Object-by-object differences from `self` (expected) to `other` (actual).
    public func differences(to other: SchemaFingerprint) -> [SchemaDifference] {
        var result: [SchemaDifference] = []
        let differing = objects.compactMap { other.objects[$0.key] == $0.value ? nil : $0.key }
            + other.objects.keys.filter { objects[$0] == nil }
        for key in differing.sorted() {
            switch (objects[key], other.objects[key]) {
            case (let expected?, nil):
                result.append(SchemaDifference(kind: key.kind, name: key.name, change: .missing, expected: expected, actual: nil))
            case (nil, let actual?):
                result.append(SchemaDifference(kind: key.kind, name: key.name, change: .unexpected, expected: nil, actual: actual))
            case (let expected?, let actual?) where expected != actual:
                result.append(SchemaDifference(kind: key.kind, name: key.name, change: .changed, expected: expected, actual: actual))
            default:
                break
            }
        }
        return result
    }
}

extension SchemaFingerprint {
    /// Tables (plain, partitioned, foreign) by qualified name.
    public var tables: Set<String> {
        Set(objects.keys.filter { $0.kind == "table" }.map(\.name))
    }

    /// Objects of `kind` that belong to `table`, with their definitions.
    public func objects(_ kind: String, of table: String) -> [(name: String, definition: String)] {
        parents.compactMap { key, parent in
            guard key.kind == kind, parent == table, let definition = objects[key] else { return nil }
            return (key.name, definition)
        }.sorted { $0.name < $1.name }
    }
}

/// One object that differs between two fingerprints.
public struct SchemaDifference: Sendable, Equatable, Codable {
    public enum Change: String, Sendable, Codable {
        /// Present in the expected schema, absent in the actual one.
        case missing
        /// Absent in the expected schema, present in the actual one.
        case unexpected
        /// Present in both with different definitions.
        case changed
    }

    /// Which check found it: the down against the schema before up, or the second up
    /// against the first.
    public enum Comparison: String, Sendable, Codable {
        case down
        case secondUp = "second up"
        /// The whole release rolled back, against the snapshot's schema.
        case release = "release rollback"
    }

    public var kind: String
    public var name: String
    public var change: Change
    public var expected: String?
    public var actual: String?
    public var comparison: Comparison?
    /// One sentence for the report, e.g. "index public.idx_x still present after down".
    public var message: String = ""

    public init(kind: String, name: String, change: Change, expected: String?, actual: String?, comparison: Comparison? = nil, message: String = "") {
        self.kind = kind
        self.name = name
        self.change = change
        self.expected = expected
        self.actual = actual
        self.comparison = comparison
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, change, expected, actual, comparison, message
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        change = try c.decode(Change.self, forKey: .change)
        expected = try c.decodeIfPresent(String.self, forKey: .expected)
        actual = try c.decodeIfPresent(String.self, forKey: .actual)
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        // Reports from before the field said which check only in the message.
        comparison = try c.decodeIfPresent(Comparison.self, forKey: .comparison)
            ?? (message.contains("after down") ? .down : .secondUp)
    }

    /// Fills `message` for a comparison described by `context` ("after down", "after the second up").
    func described(_ comparison: Comparison, after context: String, expectedLabel: String) -> SchemaDifference {
        var copy = self
        copy.comparison = comparison
        switch change {
        case .unexpected:
            copy.message = "\(kind) \(name) still present \(context) (\(expectedLabel) did not have it)"
        case .missing:
            copy.message = "\(kind) \(name) missing \(context) (\(expectedLabel) had it)"
        case .changed where (expected ?? "").contains("\n") || (actual ?? "").contains("\n"):
            // A whole definition (a function's) is too long for a sentence: the HTML report
            // shows the two as a diff.
            copy.message = "\(kind) \(name) differs \(context) from \(expectedLabel) (report.html shows the two definitions as a diff)"
        case .changed:
            copy.message = "\(kind) \(name) differs \(context): \(expectedLabel) `\(expected ?? "")`, now `\(actual ?? "")`"
        }
        return copy
    }
}

extension SchemaFingerprint {
    /// What the down migration failed to restore: differences from the schema before up to
    /// the schema after down.
    public func rollbackDifferences(afterDown: SchemaFingerprint) -> [SchemaDifference] {
        differences(to: afterDown).map { $0.described(.down, after: "after down", expectedLabel: "the schema before up") }
    }

    /// What the rollback of the whole release failed to restore of the snapshot's schema.
    public func releaseDifferences(afterRollback: SchemaFingerprint) -> [SchemaDifference] {
        differences(to: afterRollback).map { $0.described(.release, after: "after the release rollback", expectedLabel: "the snapshot") }
    }

    /// How the second up differs from the first.
    public func reapplyDifferences(secondUp: SchemaFingerprint) -> [SchemaDifference] {
        differences(to: secondUp).map { $0.described(.secondUp, after: "after the second up", expectedLabel: "the first up") }
    }
}
