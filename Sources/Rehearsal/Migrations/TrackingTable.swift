/// golang-migrate's version table: `(version bigint NOT NULL PRIMARY KEY, dirty boolean
/// NOT NULL)` in the session's `current_schema()`, one row at most, no history.
public struct TrackingTable: Sendable {
    public var name: String

    public init(name: String = "schema_migrations") {
        self.name = name
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

    var quoted: String { Identifier.quote(name) }

    public func exists(on connection: Connection) throws -> Bool {
        try connection.scalar(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1", [name]) != nil
    }

    /// Creates the table as migrate does when it is missing, and checks its shape when not.
    public func ensure(on connection: Connection) throws {
        if try exists(on: connection) {
            try verifyShape(on: connection)
        } else {
            try connection.execute("CREATE TABLE IF NOT EXISTS \(quoted) (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)")
        }
    }

    /// migrate reads `version, dirty` by name; a table without them (or of other types) makes
    /// every migrate command fail.
    public func verifyShape(on connection: Connection) throws {
        let rows = try connection.query(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1
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
        guard let row = try connection.query("SELECT version, dirty FROM \(quoted) LIMIT 1").rows.first,
            let version = row[0].flatMap({ Int64($0) })
        else { return nil }
        return State(version: version, dirty: row[1] == "t")
    }

    /// Writes (version, dirty) exactly as migrate's postgres driver does: one short
    /// transaction that truncates and inserts, except that (-1, clean) leaves it empty.
    public func write(_ version: Int64, dirty: Bool, on connection: Connection) throws {
        var sql = "BEGIN; TRUNCATE \(quoted);"
        if version >= 0 || dirty {
            sql += " INSERT INTO \(quoted) (version, dirty) VALUES (\(version), \(dirty));"
        }
        sql += " COMMIT;"
        let result = connection.runScript(sql)
        if let error = result.error {
            _ = connection.runScript("ROLLBACK")
            throw error
        }
    }
}
