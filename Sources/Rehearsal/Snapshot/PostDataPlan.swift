import PostgresClient

/// A dump's post-data section as jobs for parallel sessions, scheduled the way
/// pg_restore -j does: one job per table for its indexes (with primary-key, unique and
/// exclusion constraints, serially within the table), one per table for its foreign keys,
/// each job runnable once what it needs exists; everything else runs afterwards in dump order.
///
/// A foreign key between plain tables is added `NOT VALID` and then validated: the end state
/// is the same validated constraint, but the validation takes only SHARE UPDATE EXCLUSIVE on
/// the table and ROW SHARE on the referenced one, so validations of tables that reference
/// the same table run side by side instead of queueing on SHARE ROW EXCLUSIVE. A key the
/// restore trusts is marked valid instead (`markedValid`): the catalog row the validation
/// would set, without reading the two tables.
struct PostDataPlan {
    typealias Statement = (sql: String, line: Int)

    struct Job {
        enum Kind: String { case indexes, attachments = "index attachments", foreignKeys = "foreign keys" }
        var kind: Kind
        /// The table the job works on; empty for the one job of index attachments.
        var table: String
        var statements: [Statement]
        /// Tables a foreign key of this job references; their indexes must exist first.
        var referencedTables: [String] = []

        var key: String { Self.key(kind, table) }
        static func key(_ kind: Kind, _ table: String) -> String { "\(kind.rawValue) \(table)" }
    }

    var jobs: [Job] = []
    var rest: [Statement] = []
    /// The keys of `jobs`.
    private(set) var keys: Set<String> = []
    /// For each table, the tables whose foreign keys reference it.
    private(set) var referencedBy: [String: [String]] = [:]

    /// True for the statements that begin the post-data section.
    static func isPostData(_ sql: String) -> Bool {
        let upper = sql.uppercased()
        return upper.hasPrefix("CREATE INDEX") || upper.hasPrefix("CREATE UNIQUE INDEX")
            || (upper.hasPrefix("ALTER TABLE") && upper.contains(" ADD CONSTRAINT "))
            || upper.hasPrefix("CREATE TRIGGER") || upper.hasPrefix("CREATE CONSTRAINT TRIGGER")
            || upper.hasPrefix("CREATE RULE") || upper.hasPrefix("CREATE POLICY") || upper.hasPrefix("ALTER INDEX")
    }

    /// `partitionedTables` (as the dump names them): a foreign key referencing one of them
    /// is added whole, because VALIDATE CONSTRAINT leaves the key's clones on the partitions
    /// NOT VALID (PostgreSQL 15), unlike a validating ADD CONSTRAINT.
    /// `trusts(table, referenced)`: whether a key between these tables (as the dump names
    /// them) is marked valid rather than checked.
    init(_ statements: [Statement], partitionedTables: Set<String> = [], trusts: (String, String) -> Bool = { _, _ in false }) {
        var byKey: [String: Int] = [:]
        func add(_ kind: Job.Kind, _ table: String, _ statements: [Statement], references: String? = nil) {
            let key = Job.key(kind, table)
            if byKey[key] == nil {
                byKey[key] = jobs.count
                jobs.append(Job(kind: kind, table: table, statements: []))
            }
            jobs[byKey[key]!].statements += statements
            if let references, !jobs[byKey[key]!].referencedTables.contains(references) {
                jobs[byKey[key]!].referencedTables.append(references)
            }
        }
        for statement in statements {
            let upper = statement.sql.uppercased()
            if upper.hasPrefix("ALTER TABLE"), upper.contains(" FOREIGN KEY "), let table = Self.alteredTable(statement.sql) {
                let referenced = Self.referencedTable(statement.sql)
                if let referenced, !partitionedTables.contains(referenced) {
                    add(.foreignKeys, table, Self.addedThenValidated(statement, trusted: trusts(table, referenced)), references: referenced)
                } else {
                    add(.foreignKeys, table, [statement], references: referenced)
                }
            } else if let table = Self.indexTable(upper, original: statement.sql) {
                add(.indexes, table, [statement])
            } else if upper.hasPrefix("ALTER INDEX"), upper.contains(" ATTACH PARTITION ") {
                add(.attachments, "", [statement])
            } else {
                rest.append(statement)
            }
        }
        // A job's own adds come before its validations, so that it holds SHARE ROW EXCLUSIVE
        // only briefly, before any long validation starts.
        for index in jobs.indices where jobs[index].kind == .foreignKeys {
            let statements = jobs[index].statements
            let validations = statements.filter { Self.isValidation($0.sql) }
            jobs[index].statements = statements.filter { !Self.isValidation($0.sql) } + validations
            for referenced in jobs[index].referencedTables { referencedBy[referenced, default: []].append(jobs[index].table) }
        }
        keys = Set(byKey.keys)
    }

    /// The keys of the jobs that lock `table`: its own, and the foreign keys referencing it.
    func jobsLocking(_ table: String) -> [String] {
        ([Job.key(.indexes, table), Job.key(.foreignKeys, table)] + (referencedBy[table] ?? []).map { Job.key(.foreignKeys, $0) })
            .filter(keys.contains)
    }

    /// The keys of the jobs that must finish before `job` starts: a table's indexes before
    /// its foreign keys and before the foreign keys that reference it; every index before
    /// the partitions' indexes are attached to their parents' (`ALTER INDEX … ATTACH
    /// PARTITION`), and those attachments before any foreign key, since a key referencing a
    /// partitioned table needs the parent's unique index, valid only once attached.
    func prerequisites(of job: Job) -> [String] {
        switch job.kind {
        case .indexes:
            return []
        case .attachments:
            return jobs.filter { $0.kind == .indexes }.map(\.key)
        case .foreignKeys:
            let attachments = Job.key(.attachments, "")
            return ([job.table] + job.referencedTables).map { Job.key(.indexes, $0) }.filter(keys.contains)
                + (keys.contains(attachments) ? [attachments] : [])
        }
    }

    /// `ALTER TABLE ONLY t ADD CONSTRAINT c FOREIGN KEY … ;` → the same `… NOT VALID;` and
    /// `ALTER TABLE ONLY t VALIDATE CONSTRAINT c;` (or, `trusted`, `markedValid`). A
    /// constraint the dump keeps NOT VALID stays so; a foreign key of a partitioned table
    /// (no ONLY) cannot be added NOT VALID before PostgreSQL 18 and is left whole.
    static func addedThenValidated(_ statement: Statement, trusted: Bool = false) -> [Statement] {
        var sql = statement.sql.trimmingCharacters(in: .whitespacesAndNewlines)
        let upper = sql.uppercased()
        guard upper.hasPrefix("ALTER TABLE ONLY "), !upper.hasSuffix("NOT VALID;"), sql.hasSuffix(";"),
            let table = alteredTable(sql), let name = constraintName(sql)
        else { return [statement] }
        sql.removeLast()
        let validation = trusted ? markedValid(table: table, constraint: name) : "ALTER TABLE ONLY \(table) VALIDATE CONSTRAINT \(name);"
        return [(sql + " NOT VALID;", statement.line), (validation, statement.line)]
    }

    /// What VALIDATE CONSTRAINT records once the check passes, without the check: for a key
    /// the data is known to keep (a dump of a database where the key held).
    static func markedValid(table: String, constraint: String) -> String {
        "UPDATE pg_catalog.pg_constraint SET convalidated = true WHERE contype = 'f' AND conrelid = "
            + "\(Identifier.literal(table))::regclass AND conname = \(Identifier.literal(catalogName(constraint)));"
    }

    static func isValidation(_ sql: String) -> Bool { sql.uppercased().contains(" VALIDATE CONSTRAINT ") || isMarkedValid(sql) }

    static func isMarkedValid(_ sql: String) -> Bool { sql.hasPrefix("UPDATE pg_catalog.pg_constraint SET convalidated") }

    /// `public."My Table"` → `public.My Table`, as the manifest and the catalog spell it.
    static func catalogName(_ name: String) -> String { nameParts(name).joined(separator: ".") }

    /// A name as the dump writes it (`public."My ""Table"""`) → its parts as the catalog
    /// has them (`public`, `My "Table"`).
    static func nameParts(_ name: String) -> [String] {
        let characters = Array(name)
        var parts = [""]
        var quoted = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if character == "\"" {
                // Inside quotes, a doubled quote is one quote.
                if quoted, index < characters.count, characters[index] == "\"" {
                    parts[parts.count - 1].append("\"")
                    index += 1
                } else {
                    quoted.toggle()
                }
            } else if character == ".", !quoted {
                parts.append("")
            } else {
                parts[parts.count - 1].append(character)
            }
        }
        return parts
    }

    /// The table of `CREATE [UNIQUE] INDEX … ON [ONLY] table` or of an
    /// `ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY | UNIQUE | EXCLUDE`.
    static func indexTable(_ upper: String, original: String) -> String? {
        if upper.hasPrefix("CREATE INDEX") || upper.hasPrefix("CREATE UNIQUE INDEX") {
            let words = words(of: original)
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
        let words = words(of: sql)
        guard words.count > 3 else { return nil }
        let index = words[2].uppercased() == "ONLY" ? 3 : 2
        return index < words.count ? String(words[index]) : nil
    }

    /// `… REFERENCES public.users(id) …` → `public.users`.
    static func referencedTable(_ sql: String) -> String? {
        guard let range = sql.range(of: " REFERENCES ", options: .caseInsensitive) else { return nil }
        let target = sql[range.upperBound...].prefix { $0 != "(" && $0 != " " && $0 != "\n" }
        return target.isEmpty ? nil : String(target)
    }

    /// `… ADD CONSTRAINT name FOREIGN KEY …` → `name`, quoted as the dump wrote it.
    static func constraintName(_ sql: String) -> String? {
        guard let add = sql.range(of: " ADD CONSTRAINT ", options: .caseInsensitive),
            let foreignKey = sql.range(of: " FOREIGN KEY ", options: .caseInsensitive, range: add.upperBound..<sql.endIndex)
        else { return nil }
        let name = sql[add.upperBound..<foreignKey.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    private static func words(of sql: String) -> [Substring] {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
    }
}
