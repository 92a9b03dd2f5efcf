import PostgresClient

/// The data of some tables as a comparable value, for the data round trip: per table its
/// row count and, per column, how many values are not null and an order-independent hash of
/// them (the sum and the XOR of each value's 64-bit hash of its text form), so neither row
/// order nor a physical rewrite changes it, and a type change with its exact inverse keeps
/// it. A table over the row budget is read on a deterministic sample, the same rows before
/// and after as long as the keys are kept: with an integer primary key, 256 ranges of its
/// values spread over them, about 32,768 rows, read through its index; else the rows whose
/// key (the primary key, else the whole row) hashes to 0 modulo `sampleModulus`.
public struct DataFingerprint: Sendable, Equatable, Codable {
    public struct Column: Sendable, Equatable, Codable {
        public var nonNull: Int64
        public var hash: String
    }

    public struct Table: Sendable, Equatable, Codable {
        public var rows: Int64
        /// By column name, quoted as `quote_ident` does.
        public var columns: [String: Column]
        /// How the rows were chosen when not all were read, e.g. "1 row in 16, by a hash of (id)".
        public var sample: String?
        /// Why the table could not be read as before (its sample's key is gone), so its
        /// data cannot be compared.
        public var unreadable: String?
    }

    /// By qualified table name, as the reports write it.
    public var tables: [String: Table] = [:]

    public static let sampleModulus = 16
    /// Columns read per query: PostgreSQL allows 1664 entries in a select list, three each.
    static let columnsPerQuery = 400

    public init(tables: [String: Table] = [:]) {
        self.tables = tables
    }

    /// How one table is read: its columns, and the sampling key when it is over the budget.
    public struct Plan: Sendable, Equatable {
        public var table: String
        public var columns: [String]
        /// The condition that picks the sample by a hash, nil to read every row.
        public var sample: String?
        /// The sample as ranges of an integer key, read through its index.
        public var keyRanges: KeyRanges?
        public var sampleDescription: String?
        /// The columns the sample is chosen by (none for a whole-row hash or no sample).
        public var sampleKey: [String] = []
    }

    /// `strata` ranges of `window` keys, `width` apart from `low` on.
    public struct KeyRanges: Sendable, Equatable {
        public var key: String
        public var low: Int64
        public var width: Int64
        public var window: Int64
    }

    /// Decides, once per table, what to read: tables over `sampleAbove` rows (planner
    /// statistics) are read on a sample. Tables that do not exist are left out.
    public static func plans(for tables: [String], sampleAbove: Int64, on connection: Connection) throws -> [Plan] {
        var plans: [Plan] = []
        for table in tables.sorted() {
            // The table's oid and row estimate on every row, one row per column (one with no
            // column for a table without any); no row when it does not exist.
            let rows = try connection.query(
                preparingOnce: """
                SELECT c.oid::pg_catalog.text, c.reltuples::pg_catalog.int8::pg_catalog.text, pg_catalog.quote_ident(a.attname)
                FROM pg_catalog.pg_class c
                LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.oid = pg_catalog.to_regclass($1)
                ORDER BY a.attnum
                """, [table]
            ).rows
            guard let oid = rows.first?[0] else { continue }
            let estimate = rows.first?[1].flatMap { Int64($0) } ?? 0
            var plan = Plan(table: table, columns: rows.compactMap { $0[2] })
            if estimate > sampleAbove {
                let key = try connection.query(
                    """
                    SELECT pg_catalog.quote_ident(a.attname), a.atttypid::regtype::text
                    FROM pg_catalog.pg_index i
                    JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON true
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE i.indrelid = $1::oid AND i.indisprimary ORDER BY k.position
                    """, [oid]
                ).rows.compactMap { row in row[0].map { (name: $0, type: row[1] ?? "") } }
                let budget = "about \(Format.count(estimate)) rows, over the \(Format.count(sampleAbove))-row budget"
                // Ranges of the leading key column, which the key's index serves alone.
                if let first = key.first, ["smallint", "integer", "bigint"].contains(first.type),
                    let bounds = try connection.query("SELECT min(t.\(first.name))::text, max(t.\(first.name))::text FROM \(table) AS t").rows.first,
                    let low = bounds[0].flatMap({ Int64($0) }), let high = bounds[1].flatMap({ Int64($0) })
                {
                    // Ranges of keys the primary key's index reads directly, spread over its
                    // values: about `sampleRows` rows, not a scan of the whole table.
                    let width = max(1, (high - low + 1) / Int64(strata))
                    let share = min(1, Double(sampleRows) / Double(estimate))
                    let window = max(1, Int64(Double(width) * share))
                    plan.keyRanges = KeyRanges(key: first.name, low: low, width: width, window: window)
                    plan.sampleKey = [first.name]
                    plan.sampleDescription = "\(strata) ranges of \(window) values of \(first.name), spread from \(low) to \(high) (\(budget))"
                } else {
                    let keyText = key.isEmpty ? "t" : "ROW(" + key.map { "t." + $0.name }.joined(separator: ", ") + ")"
                    plan.sample = "(pg_catalog.hashtextextended(\(keyText)::text, 0) & \(sampleModulus - 1)) = 0"
                    plan.sampleKey = key.map(\.name)
                    plan.sampleDescription = "1 row in \(sampleModulus), by a hash of \(key.isEmpty ? "the whole row" : "(" + key.map(\.name).joined(separator: ", ") + ")") (\(budget))"
                }
            }
            plans.append(plan)
        }
        return plans
    }

    /// How many ranges of keys a sample by integer key is spread over, and about how many
    /// rows it reads: hashing a value costs about a microsecond, so a sample's cost stays
    /// under a second whatever the table's size.
    static let strata = 256
    static let sampleRows = 32_768

    /// Reads the tables as `plans` say, one scan per table (more for very wide ones).
    /// `changed`: the tables may have changed since the plans were made (after a down), so
    /// a table gone is left out and a column gone is not read (a failed read would end the
    /// transaction the comparison runs in).
    public static func read(_ plans: [Plan], on connection: Connection, changed: Bool = false) throws -> DataFingerprint {
        let withXor = connection.serverVersionNumber >= 140000
        var fingerprint = DataFingerprint()
        guard !plans.isEmpty else { return fingerprint }
        let present = changed ? try columnsNow(of: plans, on: connection) : nil
        let saved = try connection.query(
            "SELECT " + (readingSettings.map { "pg_catalog.current_setting('\($0.name)')" }
                + readingSettings.map { "pg_catalog.set_config('\($0.name)', '\($0.value)', false)" }).joined(separator: ", ")
        ).rows.first ?? []
        defer {
            let restore = readingSettings.indices.map { "pg_catalog.set_config($\(2 * $0 + 1), $\(2 * $0 + 2), false)" }
            let values = zip(readingSettings, saved).flatMap { setting, value in [setting.name, value ?? ""] }
            _ = try? connection.query("SELECT " + restore.joined(separator: ", "), values)
        }
        for var plan in plans {
            if let present {
                guard let columns = present[plan.table] else { continue }
                if let gone = plan.sampleKey.first(where: { !columns.contains($0) }) {
                    fingerprint.tables[plan.table] = Table(
                        rows: 0, columns: [:], sample: plan.sampleDescription,
                        unreadable: "\(gone), which chooses its sample, is gone, so the same rows cannot be read again")
                    continue
                }
                plan.columns = plan.columns.filter(columns.contains)
            }
            let source: String
            if let ranges = plan.keyRanges {
                source = """
                    pg_catalog.generate_series(0, \(strata - 1)) AS s(i), LATERAL (
                        SELECT * FROM \(plan.table) AS r
                        WHERE r.\(ranges.key) >= \(ranges.low) + s.i * \(ranges.width)::bigint
                          AND r.\(ranges.key) < \(ranges.low) + s.i * \(ranges.width)::bigint + \(ranges.window)) AS t
                    """
            } else {
                source = "\(plan.table) AS t" + (plan.sample.map { " WHERE \($0)" } ?? "")
            }
            var table = Table(rows: 0, columns: [:], sample: plan.sampleDescription)
            let batches = stride(from: 0, to: max(plan.columns.count, 1), by: columnsPerQuery).map {
                Array(plan.columns[$0..<min($0 + columnsPerQuery, plan.columns.count)])
            }
            for batch in batches {
                // Each value's hash computed once (NULL for NULL), then summed and folded.
                let hashes = batch.enumerated().map { "pg_catalog.hashtextextended(t.\($0.element)::text, 0) AS h\($0.offset)" }
                let aggregates = batch.indices.flatMap { index -> [String] in
                    ["count(h\(index))", "coalesce(sum(h\(index) & 2147483647), 0)", withXor ? "coalesce(bit_xor(h\(index)), 0)" : "0"]
                }
                let sql = "SELECT \((["count(*)"] + aggregates).joined(separator: ", ")) FROM (SELECT \((hashes.isEmpty ? ["1"] : hashes).joined(separator: ", ")) FROM \(source)) AS v"
                // Prepared: the read after the down is the same query, planned once.
                let row = try connection.query(preparingOnce: sql).rows.first ?? []
                table.rows = row.first.flatMap { $0.flatMap { Int64($0) } } ?? 0
                for (index, column) in batch.enumerated() {
                    let base = 1 + index * 3
                    guard base + 2 < row.count else { continue }
                    table.columns[column] = Column(
                        nonNull: row[base].flatMap { Int64($0) } ?? 0, hash: "\(row[base + 1] ?? "0"):\(row[base + 2] ?? "0")")
                }
            }
            fingerprint.tables[plan.table] = table
        }
        return fingerprint
    }

    /// Settings a read makes for its own queries, the session's coming back afterwards: no
    /// JIT (compiling these scans costs about 300 ms each, more than reading the sample), and
    /// fixed text forms of values, so the same data hashes alike on any connection and
    /// whatever a migration set (`SET TimeZone`, `DateStyle`, …) between two reads.
    static let readingSettings: [(name: String, value: String)] = [
        ("jit", "off"), ("DateStyle", "ISO, MDY"), ("IntervalStyle", "postgres"), ("TimeZone", "UTC"),
        ("extra_float_digits", "1"), ("bytea_output", "hex"), ("search_path", ""),
    ]

    /// The columns each plan's table has now, quoted as the plans quote them; a table gone
    /// has no entry.
    private static func columnsNow(of plans: [Plan], on connection: Connection) throws -> [String: Set<String>] {
        let rows = try connection.query(
            """
            SELECT p.name, pg_catalog.quote_ident(a.attname)
            FROM pg_catalog.unnest($1::pg_catalog.text[]) AS p(name)
            JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(p.name)
            LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            """, [Identifier.textArray(plans.map(\.table))]
        ).rows
        var columns: [String: Set<String>] = [:]
        for row in rows {
            guard let table = row[0] else { continue }
            columns[table, default: []].formUnion(row[1].map { [$0] } ?? [])
        }
        return columns
    }
}

/// Data a down did not bring back: rows, or the values of a column, that were there before
/// up. Data only the up created is not a loss.
public struct DataLoss: Sendable, Codable, Equatable {
    public var table: String
    public var column: String?
    public var message: String
}

extension DataFingerprint {
    /// What is not back in `after` of the data `self` held: `subject` ("down") did it, the
    /// two states are named `beforeLabel` ("before up") and `afterLabel` ("after down").
    public func losses(in after: DataFingerprint, subject: String, beforeLabel: String, afterLabel: String) -> [DataLoss] {
        var losses: [DataLoss] = []
        for (name, before) in tables.sorted(by: { $0.key < $1.key }) {
            let sample = before.sample.map { " (on a sample: \($0))" } ?? ""
            func loss(_ column: String?, _ text: String) {
                losses.append(DataLoss(table: name, column: column, message: "\(subject) does not bring back \(text)\(sample)"))
            }
            guard let now = after.tables[name] else {
                if before.rows > 0 { loss(nil, "\(name): \(Format.count(before.rows)) rows \(beforeLabel), the table is gone \(afterLabel)") }
                continue
            }
            if let reason = now.unreadable {
                if before.rows > 0 { loss(nil, "\(name) as it was \(beforeLabel): \(reason) \(afterLabel)") }
                continue
            }
            if now.rows < before.rows {
                loss(nil, "all rows of \(name): \(Format.count(before.rows)) \(beforeLabel), \(Format.count(now.rows)) \(afterLabel)")
            }
            for (column, values) in before.columns.sorted(by: { $0.key < $1.key }) {
                let qualified = "\(name).\(column)"
                guard let current = now.columns[column] else {
                    if values.nonNull > 0 {
                        loss(column, "\(qualified): \(Format.count(values.nonNull)) non-null values \(beforeLabel), the column is gone \(afterLabel)")
                    }
                    continue
                }
                if current.nonNull < values.nonNull {
                    loss(column, "\(qualified): \(Format.count(values.nonNull)) non-null values \(beforeLabel), \(current.nonNull == 0 ? "none" : Format.count(current.nonNull)) \(afterLabel)")
                } else if now.rows == before.rows, current.hash != values.hash {
                    // The same rows with other contents (rows only the up added would change
                    // the hash too, so unequal row counts are left to the count check).
                    let counts = current.nonNull == values.nonNull
                        ? "\(Format.count(values.nonNull)) non-null values \(beforeLabel) and \(afterLabel)"
                        : "\(Format.count(values.nonNull)) non-null values \(beforeLabel), \(Format.count(current.nonNull)) \(afterLabel)"
                    loss(column, "the values of \(qualified): \(counts), with other contents")
                }
            }
        }
        return losses
    }
}
