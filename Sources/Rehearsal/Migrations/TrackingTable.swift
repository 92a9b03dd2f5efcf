import PostgresClient

/// golang-migrate's version table: `(version bigint NOT NULL PRIMARY KEY, dirty boolean
/// NOT NULL)`, one row at most, no history.
///
/// Its schema is fixed once, when migrate's connection opens: the schema named in the
/// quoted form (`x-migrations-table-quoted`), else the session's `current_schema()` at that
/// moment. Every read and write names it, so a migration that later changes `search_path`
/// (pg_dump's `set_config('search_path', '', false)` included) or sets
/// `default_transaction_read_only` neither moves nor breaks the tracking, exactly as under
/// migrate; the files after it still see the changed settings.
public struct TrackingTable: Sendable, Equatable {
    public var name: String
    /// nil until `located(on:)` fixes it from the session (unless the quoted form named it).
    public var schema: String?

    public init(name: String = "schema_migrations", schema: String? = nil) {
        self.name = name
        self.schema = schema
    }

    /// Reads a scenario's `tracking_table` as migrate reads `x-migrations-table`: text that
    /// starts with a double quote is the quoted form (`x-migrations-table-quoted=true`),
    /// `"app"."schema_migrations"` meaning schema `app`, table `schema_migrations`; any
    /// other text is one table name, dots and all.
    public static func parse(_ text: String) throws -> TrackingTable {
        guard text.hasPrefix("\"") else {
            guard !text.isEmpty, text.utf8.count <= 63 else { throw TrackingTableNameError.length }
            return TrackingTable(name: text)
        }
        guard text.count >= 2, text.hasSuffix("\"") else { throw TrackingTableNameError.unbalancedQuotes }
        // migrate takes every "…" group (shortest match); the last is the table, one before
        // it the schema.
        var parts: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "\"") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "\"") else { break }
            parts.append(String(rest[afterOpen..<close]))
            rest = rest[rest.index(after: close)...]
        }
        guard parts.count <= 2 else { throw TrackingTableNameError.tooManyParts }
        guard let table = parts.last, !table.isEmpty, table.utf8.count <= 63,
            parts.count == 1 || (!parts[0].isEmpty && parts[0].utf8.count <= 63)
        else { throw TrackingTableNameError.length }
        return TrackingTable(name: table, schema: parts.count == 2 ? parts[0] : nil)
    }

    /// The recorded state; nil means "no version" (no table or no row), migrate's -1.
    public struct State: Sendable, Equatable, Codable {
        public var version: Int64
        public var dirty: Bool

        public init(version: Int64, dirty: Bool) {
            self.version = version
            self.dirty = dirty
        }

        public var display: String { "\(version)\(dirty ? " (dirty)" : "")" }
    }

    /// This table with its schema fixed as migrate fixes it when its connection opens.
    public func located(on connection: Connection) throws -> TrackingTable {
        if schema != nil { return self }
        var located = self
        located.schema = try connection.scalar("SELECT current_schema()") ?? "public"
        return located
    }

    /// `"schema"."table"`; the session's current schema stands in until `located(on:)`.
    var qualified: String {
        schema.map { Identifier.quote($0) + "." + Identifier.quote(name) } ?? Identifier.quote(name)
    }

    /// The schema as a SQL expression: the fixed one, or the connection's current schema.
    private var schemaExpression: String {
        schema.map(Identifier.literal) ?? "current_schema()"
    }

    public func exists(on connection: Connection) throws -> Bool {
        try connection.scalar(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = \(schemaExpression) AND table_name = $1", [name]) != nil
    }

    /// Creates the table as migrate does when it is missing, and checks its shape when not.
    public func ensure(on connection: Connection) throws {
        if try exists(on: connection) {
            try verifyShape(on: connection)
        } else {
            try write("CREATE TABLE IF NOT EXISTS \(qualified) (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);", on: connection)
        }
    }

    /// migrate reads `version, dirty` by name; a table without them (or of other types) makes
    /// every migrate command fail.
    public func verifyShape(on connection: Connection) throws {
        let rows = try connection.query(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = \(schemaExpression) AND table_name = $1
            """, [name]
        ).rows
        let columns = Dictionary(rows.map { ($0[0] ?? "", $0[1] ?? "") }, uniquingKeysWith: { first, _ in first })
        guard columns["version"] == "bigint" || columns["version"] == "integer", columns["dirty"] == "boolean" else {
            let found = rows.map { "\($0[0] ?? "?") \($0[1] ?? "?")" }.joined(separator: ", ")
            throw MigrationRunError.trackingTableShape(table: name, found: found)
        }
    }

    public func read(on connection: Connection) throws -> State? {
        guard try exists(on: connection) else { return nil }
        try verifyShape(on: connection)
        return try readChecked(on: connection)
    }

    /// The state as `read(on:)` gives it, in one query, for a table whose shape was checked
    /// before (`ensure`): a step's end reads it after every step.
    func readChecked(on connection: Connection) throws -> State? {
        let rows: [[String?]]
        do {
            rows = try connection.query("SELECT version, dirty FROM \(qualified) LIMIT 1").rows
        } catch let error as PostgresError where error.sqlState == "42P01" {
            return nil
        } catch let error as PostgresError where error.sqlState == "42703" {
            try verifyShape(on: connection)
            throw error
        }
        guard let row = rows.first, let version = row[0].flatMap({ Int64($0) }) else { return nil }
        return State(version: version, dirty: row[1] == "t")
    }

    /// Writes (version, dirty) exactly as migrate's postgres driver does: one short
    /// read-write transaction that truncates and inserts, except that (-1, clean) leaves it
    /// empty.
    public func write(_ version: Int64, dirty: Bool, on connection: Connection) throws {
        var sql = "TRUNCATE \(qualified);"
        if version >= 0 || dirty {
            sql += " INSERT INTO \(qualified) (version, dirty) VALUES (\(version), \(dirty));"
        }
        try write(sql, on: connection)
    }

    /// `BEGIN READ WRITE`, so a session a migration left read-only still records versions.
    /// The commit does not wait for the disk (`synchronous_commit` off for this transaction
    /// only): the rows are migrate's bookkeeping in a database that is thrown away, and the
    /// next commit that waits (the migration's own, as on production) flushes them with it.
    private func write(_ statements: String, on connection: Connection) throws {
        let result = connection.runScript("BEGIN READ WRITE; SET LOCAL synchronous_commit = off; " + statements + " COMMIT;")
        if let error = result.error {
            _ = connection.runScript("ROLLBACK")
            throw error
        }
    }
}

/// A `tracking_table` that migrate would refuse or read differently than it looks.
public enum TrackingTableNameError: Error, Sendable, Equatable, CustomStringConvertible {
    case length
    case unbalancedQuotes
    case tooManyParts

    public var description: String {
        switch self {
        case .length:
            return "must be a table name of 1 to 63 bytes (quoted form: \"schema\".\"table\", each part 1 to 63 bytes)"
        case .unbalancedQuotes:
            return "starts with a double quote, so it is migrate's quoted form (x-migrations-table-quoted), which must end with one too: write '\"schema\".\"table\"'"
        case .tooManyParts:
            return "has more than two quoted parts; migrate refuses it (\"contains too many dot characters\"): write '\"schema\".\"table\"'"
        }
    }
}
