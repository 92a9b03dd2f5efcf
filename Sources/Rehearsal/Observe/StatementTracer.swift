import Foundation
import PostgresClient

/// Attributes locks, rewrites, rows and time to each statement of a file by running it
/// statement by statement inside a transaction. The faithful run sends
/// the file as one query and cannot say which statement took what; this traced re-run can.
/// Files that cannot run inside a transaction (CONCURRENTLY, VACUUM, their own
/// BEGIN/COMMIT) are not traced; their faithful measurements stand alone.
enum StatementTracer {
    struct Traced: Sendable {
        var line: Int
        var command: String
        var rows: Int64?
        var durationMs: Double
        var locks: [LockTaken]
        var rewrote: [Rewrite]
    }

    /// Why a body cannot be traced, or nil when it can.
    static func reasonNotTraceable(_ body: String) -> String? {
        // How a statement begins decides; a data literal megabytes long does not.
        for upper in SQLText.statementOpenings(body) {
            if upper.range(of: #"\bCONCURRENTLY\b"#, options: .regularExpression) != nil {
                return "it uses CONCURRENTLY, which cannot run inside a transaction"
            }
            let refused = SQLText.transactionControl + ["VACUUM", "ALTER SYSTEM", "CREATE DATABASE", "DROP DATABASE", "CREATE TABLESPACE", "DROP TABLESPACE"]
            if let prefix = refused.first(where: { SQLText.opening(upper, is: $0) }) {
                return "it contains \(prefix), which cannot be re-run inside a rolled-back transaction"
            }
        }
        return nil
    }

    static func statements(of body: String) -> [(text: String, line: Int)] {
        StatementSplitter.statements(of: body)
    }

    /// Runs `body` statement by statement on `connection`, inside the caller's transaction
    /// (so locks accumulate as in the faithful run); nil when a statement fails, which
    /// leaves that transaction failed for the caller to roll back. `files`: the relation
    /// files as they are now, when the caller knows them (read here otherwise); the result
    /// has them as the file left them.
    static func run(_ body: String, on connection: Connection, files: RelationFiles? = nil) -> (statements: [Traced], files: RelationFiles)? {
        let clock = ContinuousClock()
        var held: Set<String> = []
        var traced: [Traced] = []
        // One reading per state: after one statement is before the next.
        guard var before = try? files ?? RelationFiles.read(on: connection) else { return nil }
        // Locks on relations the file itself created concern nobody else: no other session
        // sees them before it commits.
        let existing = Set(before.entries.values.map(\.name))
        for statement in statements(of: body) {
            let started = clock.now
            let result = connection.runScript(statement.text)
            let elapsed = clock.now - started
            if result.error != nil { return nil }
            // Only what the transaction locked can have been rewritten (or dropped) by it.
            guard let (locks, tables) = try? ownLocks(on: connection, naming: before),
                let after = try? before.rereading(tables, on: connection, lockedHere: true)
            else { return nil }
            let new = locks.filter { !held.contains($0.relation + "|" + $0.mode) && existing.contains($0.relation) }
            held.formUnion(locks.map { $0.relation + "|" + $0.mode })
            let last = result.statements.last
            traced.append(Traced(
                line: statement.line, command: last?.command ?? "", rows: last?.rowsAffected,
                durationMs: elapsed.milliseconds, locks: new, rewrote: before.rewrites(to: after)))
            before = after
        }
        return (traced, before)
    }

    /// Relation locks this backend holds now on user relations, and the oids of the user
    /// tables they are on (an index's table), those the transaction dropped included: those
    /// are gone from its catalog, and `known` (a reading from before) names them.
    static func ownLocks(on connection: Connection, naming known: RelationFiles? = nil) throws -> (locks: [LockTaken], tables: Set<String>) {
        let rows = try connection.query(
            preparingOnce: """
            SELECT CASE WHEN n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                        THEN pg_catalog.format('%I.%I', n.nspname, c.relname) END,
                   l.mode, c.relkind, l.relation::pg_catalog.text,
                   CASE WHEN coalesce(li.indrelid, l.relation) >= 16384 THEN coalesce(li.indrelid, l.relation)::pg_catalog.text END
            FROM pg_catalog.pg_locks l
            LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_index li ON li.indexrelid = l.relation
            WHERE l.pid = pg_catalog.pg_backend_pid() AND l.granted AND l.locktype = 'relation'
            """
        ).rows
        let locks = rows.compactMap { row -> LockTaken? in
            let mode = row[1] ?? "?"
            if let name = row[0] { return LockTaken(relation: name, mode: mode, relationKind: row[2].map(ObservedLock.kindName)) }
            guard row[2] == nil, let oid = row[3], let entry = known?.entries[oid], !entry.name.hasPrefix("pg_toast.") else { return nil }
            return LockTaken(relation: entry.name, mode: mode, relationKind: entry.kind)
        }
        return (locks.sorted { ($0.relation, $0.mode) < ($1.relation, $1.mode) }, Set(rows.compactMap { $0[4] }))
    }
}

/// A lock a statement took.
public struct LockTaken: Sendable, Codable, Equatable {
    public var relation: String
    public var mode: String
    /// `table`, `index`, … (nil in reports written before it was recorded).
    public var relationKind: String?

    public init(relation: String, mode: String, relationKind: String? = nil) {
        self.relation = relation
        self.mode = mode
        self.relationKind = relationKind
    }
}
