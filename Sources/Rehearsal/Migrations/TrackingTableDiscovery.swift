import PostgresClient

/// Finds the tracking table in a restored snapshot when the scenario names none: the tables
/// of migrate's shape (a `version` bigint or integer column and a `dirty` boolean one).
/// `schema_migrations`, migrate's default, comes first; else a single other candidate (such as
/// `_schema_migrations`). Several candidates are an error that lists them.
public enum TrackingTableDiscovery {
    public struct Candidate: Sendable, Equatable {
        public var schema: String
        public var name: String
        /// In the schema a new session resolves unqualified names to.
        public var inCurrentSchema: Bool

        /// How `tracking_table` names it: the bare name in the current schema, else migrate's
        /// quoted form.
        public var setting: String { inCurrentSchema ? name : "\"\(schema)\".\"\(name)\"" }
    }

    public enum Outcome: Sendable, Equatable {
        case found(Candidate)
        /// No table of migrate's shape: migrate would create `schema_migrations`.
        case none
        case ambiguous([Candidate])
    }

    static let query = """
        SELECT n.nspname, c.relname, n.nspname = current_schema()
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
          AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attname = 'version' AND a.atttypid IN ('bigint'::regtype, 'integer'::regtype))
          AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attname = 'dirty' AND a.atttypid = 'boolean'::regtype)
        ORDER BY 3 DESC, 1, 2
        """

    public static func find(on connection: Connection) throws -> Outcome {
        let candidates = try connection.query(query).rows.map {
            Candidate(schema: $0[0] ?? "", name: $0[1] ?? "", inCurrentSchema: $0[2] == "t")
        }
        return choose(candidates)
    }

    static func choose(_ candidates: [Candidate]) -> Outcome {
        let defaults = candidates.filter { $0.name == "schema_migrations" }
        if let current = defaults.first(where: \.inCurrentSchema) { return .found(current) }
        if defaults.count == 1 { return .found(defaults[0]) }
        if defaults.count > 1 { return .ambiguous(defaults) }
        switch candidates.count {
        case 0: return .none
        case 1: return .found(candidates[0])
        default: return .ambiguous(candidates)
        }
    }
}
