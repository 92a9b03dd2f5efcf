/// Orders a dump's post-data statements the way pg_restore -j does: indexes and
/// primary-key/unique constraints first, in parallel across tables (serially within one
/// table); then foreign keys, in parallel across tables; then everything else in dump order.
struct PostDataPlan {
    typealias Statement = (sql: String, line: Int)

    var indexGroups: [[Statement]] = []
    var foreignKeyGroups: [[Statement]] = []
    var rest: [Statement] = []

    /// True for the statements that begin the post-data section.
    static func isPostData(_ sql: String) -> Bool {
        let upper = sql.uppercased()
        return upper.hasPrefix("CREATE INDEX") || upper.hasPrefix("CREATE UNIQUE INDEX")
            || (upper.hasPrefix("ALTER TABLE") && upper.contains(" ADD CONSTRAINT "))
            || upper.hasPrefix("CREATE TRIGGER") || upper.hasPrefix("CREATE CONSTRAINT TRIGGER")
            || upper.hasPrefix("CREATE RULE") || upper.hasPrefix("CREATE POLICY") || upper.hasPrefix("ALTER INDEX")
    }

    init(_ statements: [Statement]) {
        var indexes: [String: [Statement]] = [:]
        var indexOrder: [String] = []
        var foreignKeys: [String: [Statement]] = [:]
        var foreignKeyOrder: [String] = []
        for statement in statements {
            let upper = statement.sql.uppercased()
            if upper.hasPrefix("ALTER TABLE"), upper.contains(" FOREIGN KEY "), let table = Self.alteredTable(statement.sql) {
                if foreignKeys[table] == nil { foreignKeyOrder.append(table) }
                foreignKeys[table, default: []].append(statement)
            } else if let table = Self.indexTable(upper, original: statement.sql) {
                if indexes[table] == nil { indexOrder.append(table) }
                indexes[table, default: []].append(statement)
            } else {
                rest.append(statement)
            }
        }
        indexGroups = indexOrder.map { indexes[$0]! }
        foreignKeyGroups = foreignKeyOrder.map { foreignKeys[$0]! }
    }

    /// The table of `CREATE [UNIQUE] INDEX … ON [ONLY] table` or of an
    /// `ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY | UNIQUE | EXCLUDE`.
    static func indexTable(_ upper: String, original: String) -> String? {
        if upper.hasPrefix("CREATE INDEX") || upper.hasPrefix("CREATE UNIQUE INDEX") {
            let words = original.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            guard let on = words.firstIndex(where: { $0.uppercased() == "ON" }), on + 1 < words.count else { return nil }
            let next = words[on + 1].uppercased() == "ONLY" && on + 2 < words.count ? words[on + 2] : words[on + 1]
            return String(next)
        }
        if upper.hasPrefix("ALTER TABLE"), upper.contains(" ADD CONSTRAINT "),
            upper.contains(" PRIMARY KEY") || upper.contains(" UNIQUE") || upper.contains(" EXCLUDE")
        {
            return alteredTable(original)
        }
        return nil
    }

    static func alteredTable(_ sql: String) -> String? {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard words.count > 3 else { return nil }
        let index = words[2].uppercased() == "ONLY" ? 3 : 2
        return index < words.count ? String(words[index]) : nil
    }
}
