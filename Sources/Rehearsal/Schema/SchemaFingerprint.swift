/// The schema of a database as a set of named objects with their definitions, read from the
/// catalogs (see `FingerprintQuery`). Column order is not part of it, so a column dropped
/// and re-added compares equal.
public struct SchemaFingerprint: Sendable, Equatable, Codable {
    public struct Key: Hashable, Sendable, Codable, Comparable {
        public var kind: String
        public var name: String

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
        }
    }

    public var objects: [Key: String]

    public init(objects: [Key: String]) {
        self.objects = objects
    }

    /// Reads the fingerprint on `connection` with an empty `search_path`, so every name is
    /// schema-qualified whatever the session's path; the setting is restored afterwards.
    public static func read(on connection: Connection) throws -> SchemaFingerprint {
        let saved = try connection.scalar("SELECT current_setting('search_path')") ?? ""
        try connection.execute("SET search_path = ''")
        defer { _ = try? connection.query("SELECT set_config('search_path', $1, false)", [saved]) }
        let rows = try connection.query(FingerprintQuery.sql).rows
        var objects: [Key: String] = [:]
        for row in rows {
            objects[Key(kind: row[0] ?? "", name: row[1] ?? "")] = row[2] ?? ""
        }
        return SchemaFingerprint(objects: objects)
    }

    /// Object-by-object differences from `self` (expected) to `other` (actual).
    public func differences(to other: SchemaFingerprint) -> [SchemaDifference] {
        var result: [SchemaDifference] = []
        for key in Set(objects.keys).union(other.objects.keys).sorted() {
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

    public var kind: String
    public var name: String
    public var change: Change
    public var expected: String?
    public var actual: String?
    /// One sentence for the report, e.g. "index public.idx_x still present after down".
    public var message: String = ""

    /// Fills `message` for a comparison described by `context` ("after down", "after the second up").
    func described(after context: String, expectedLabel: String) -> SchemaDifference {
        var copy = self
        switch change {
        case .unexpected:
            copy.message = "\(kind) \(name) still present \(context) (\(expectedLabel) did not have it)"
        case .missing:
            copy.message = "\(kind) \(name) missing \(context) (\(expectedLabel) had it)"
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
        differences(to: afterDown).map { $0.described(after: "after down", expectedLabel: "the schema before up") }
    }

    /// How the second up differs from the first.
    public func reapplyDifferences(secondUp: SchemaFingerprint) -> [SchemaDifference] {
        differences(to: secondUp).map { $0.described(after: "after the second up", expectedLabel: "the first up") }
    }
}
