import PostgresClient

/// The snapshot's tables with their rows, read once before any migration runs: planner
/// statistics where a table was analysed, an exact count where it never was. Names are
/// `schema.table`, each part quoted as `quote_ident` does, as everywhere in the reports.
struct SnapshotTables {
    struct Table: Equatable {
        var schema: String
        var name: String
        var qualified: String
        var rows: Int64
    }

    var tables: [Table]

    /// Rows per qualified name.
    var rows: [String: Int64] {
        Dictionary(tables.map { ($0.qualified, $0.rows) }, uniquingKeysWith: max)
    }

    static func read(on connection: Connection) throws -> SnapshotTables {
        let rows = try connection.query(
            """
            SELECT n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname), c.reltuples::bigint
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
            """
        ).rows
        var tables: [Table] = []
        for row in rows {
            guard let schema = row[0], let name = row[1], let qualified = row[2], let estimate = row[3].flatMap({ Int64($0) }) else { continue }
            let count = estimate >= 0 ? estimate : try connection.scalar("SELECT count(*) FROM \(qualified)").flatMap { Int64($0) } ?? 0
            tables.append(Table(schema: schema, name: name, qualified: qualified, rows: count))
        }
        return SnapshotTables(tables: tables)
    }

    /// The table a person's name for it means: `public.orders`, `orders` (schema public),
    /// `"Sales"."Orders"` in SQL's quoting, or `Sales.Orders` as a manifest writes it.
    func table(named key: String) -> Table? {
        for (schema, name) in Self.readings(of: key) {
            if let table = tables.first(where: { $0.schema == schema && $0.name == name }) { return table }
        }
        return nil
    }

    /// The ways `key` can name a table: as written, split at its first dot; then as SQL
    /// reads it (unquoted parts folded to lower case).
    static func readings(of key: String) -> [(schema: String, name: String)] {
        var readings: [(String, String)] = []
        if let dot = key.firstIndex(of: "."), !key.hasPrefix("\"") {
            readings.append((String(key[..<dot]), String(key[key.index(after: dot)...])))
        } else if !key.contains("\"") {
            readings.append(("public", key))
        }
        let parts = sqlParts(key)
        if parts.count == 2 { readings.append((parts[0], parts[1])) }
        if parts.count == 1 { readings.append(("public", parts[0])) }
        return readings
    }

    /// `a."B c".d` → `["a", "B c", "d"]`: dots outside quotes separate, `""` is a quote.
    static func sqlParts(_ text: String) -> [String] {
        var parts: [String] = []
        var part = ""
        var quoted = false
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if quoted {
                if character != "\"" {
                    part.append(character)
                } else if index < characters.count, characters[index] == "\"" {
                    part.append("\"")
                    index += 1
                } else {
                    quoted = false
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "." {
                parts.append(part)
                part = ""
            } else {
                part += character.isASCII ? character.lowercased() : String(character)
            }
        }
        parts.append(part)
        return parts
    }
}
