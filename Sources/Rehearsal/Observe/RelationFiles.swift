import PostgresClient

/// The data files of every user relation (`pg_class.relfilenode` and size), so a step or
/// statement that rewrote a table or index shows up as a changed file.
struct RelationFiles {
    struct Entry: Sendable {
        var name: String
        var kind: String
        /// The table the relation belongs to: itself, an index's table, the owner of a TOAST table and of its index.
        var table: String
        /// That table's oid.
        var tableOid: String
        var fileNode: String
        var bytes: Int64
    }

    var entries: [String: Entry]

    /// Which relations a reading covers: all, or those of some tables (the table, its
    /// indexes and TOAST).
    enum Scope {
        case all
        /// The tables of these oids.
        case tables([String])
        /// The tables this session holds a lock on (through an index or TOAST of theirs too),
        /// as `StatementTracer.ownLocks` names them; a query without parameters, so a session
        /// that does not plan generically plans it once.
        case lockedHere
    }

    static func read(on connection: Connection, _ scope: Scope = .all) throws -> RelationFiles {
        let rows: [[String?]]
        switch scope {
        case .all: rows = try connection.query(preparingOnce: allSQL).rows
        case .tables(let oids): rows = try connection.query(preparingOnce: tablesSQL, ["{" + oids.joined(separator: ",") + "}"]).rows
        case .lockedHere: rows = try connection.query(preparingOnce: lockedSQL).rows
        }
        var entries: [String: Entry] = [:]
        for row in rows {
            guard let oid = row[0] else { continue }
            entries[oid] = Entry(
                name: row[1] ?? "?", kind: ObservedLock.kindName(row[2] ?? ""), table: row[5] ?? row[1] ?? "?",
                tableOid: row[6] ?? oid, fileNode: row[3] ?? "", bytes: Int64(row[4] ?? "") ?? 0)
        }
        return RelationFiles(entries: entries)
    }

    /// The relations of this reading, as columns: oid, name, kind, file node, bytes, owner
    /// table's name and oid.
    private static let columns = """
        SELECT c.oid::text, pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind::text,
               CASE WHEN c.relfilenode <> 0 THEN c.relfilenode::text
                    ELSE coalesce(pg_catalog.pg_relation_filenode(c.oid)::text, '') END,
               pg_catalog.pg_relation_size(c.oid),
        """
    /// User relations; not the system catalogs' TOAST (pg_toast, made by initdb below the
    /// first user oid).
    private static let userRelations = """
        c.relkind IN ('r', 'i', 'm', 't', 'S', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%'
          AND n.nspname NOT LIKE 'pg_toast_temp%' AND c.oid >= 16384
        """

    /// Every user relation, with the table each belongs to.
    private static let allSQL = """
        \(columns)
               CASE WHEN owner_n.oid IS NULL THEN pg_catalog.format('%I.%I', n.nspname, c.relname)
                    ELSE pg_catalog.format('%I.%I', owner_n.nspname, coalesce(ttab.relname, itab.relname)) END,
               coalesce(ttab.oid, itab.oid, c.oid)::text
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
        LEFT JOIN pg_catalog.pg_class itab ON itab.oid = i.indrelid
        -- the table a TOAST table, or the index of one, belongs to
        LEFT JOIN pg_catalog.pg_class ttab
            ON ttab.reltoastrelid = CASE WHEN c.relkind = 't' THEN c.oid WHEN itab.relkind = 't' THEN itab.oid END
        LEFT JOIN pg_catalog.pg_namespace owner_n ON owner_n.oid = coalesce(ttab.relnamespace, itab.relnamespace)
        WHERE \(userRelations)
        """

    private static let tablesSQL = someSQL(of: "SELECT pg_catalog.unnest($1::pg_catalog.oid[])")
    private static let lockedSQL = someSQL(of: """
        SELECT coalesce(li.indrelid, l.relation)
        FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_index li ON li.indexrelid = l.relation
        WHERE l.pid = pg_catalog.pg_backend_pid() AND l.granted AND l.locktype = 'relation'
        """)

    /// The relations of the tables of the oids `tables` (a query) gives, a TOAST table
    /// standing for the table it belongs to: the tables, their indexes, their TOAST and its
    /// index, each found from its table through the catalogs' indexes.
    private static func someSQL(of tables: String) -> String {
        """
        WITH owner AS MATERIALIZED (
            SELECT t.oid, t.relname, t.relnamespace, t.reltoastrelid
            FROM pg_catalog.pg_class t
            WHERE t.oid IN (
                SELECT coalesce(toast_of.refobjid, x.oid)
                FROM pg_catalog.pg_class x
                LEFT JOIN pg_catalog.pg_depend toast_of
                    ON x.relkind = 't' AND toast_of.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                   AND toast_of.objid = x.oid AND toast_of.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                   AND toast_of.deptype = 'i'
                WHERE x.oid IN (\(tables)))
        ),
        member(oid, owner) AS (
            SELECT oid, oid FROM owner
            UNION ALL SELECT i.indexrelid, i.indrelid FROM pg_catalog.pg_index i WHERE i.indrelid IN (SELECT oid FROM owner)
            UNION ALL SELECT o.reltoastrelid, o.oid FROM owner o WHERE o.reltoastrelid <> 0
            UNION ALL SELECT ti.indexrelid, o.oid FROM owner o JOIN pg_catalog.pg_index ti ON ti.indrelid = o.reltoastrelid
                      WHERE o.reltoastrelid <> 0
        )
        \(columns)
               pg_catalog.format('%I.%I', owner_n.nspname, o.relname), o.oid::text
        FROM member m
        JOIN owner o ON o.oid = m.owner
        JOIN pg_catalog.pg_class c ON c.oid = m.oid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_namespace owner_n ON owner_n.oid = o.relnamespace
        WHERE \(userRelations)
        """
    }

    /// This reading with the relations of the tables of oids `tables` read again on
    /// `connection` (a table gone from the catalog leaves with its relations). `lockedHere`:
    /// `tables` are those the session holds a lock on (`Scope.lockedHere`).
    func rereading(_ tables: Set<String>, on connection: Connection, lockedHere: Bool = false) throws -> RelationFiles {
        tables.isEmpty ? self : updating(tables, from: try Self.read(on: connection, lockedHere ? .lockedHere : .tables(tables.sorted())))
    }

    /// This reading with the relations of the tables of oids `tables` replaced by
    /// `partial`'s (a reading of those tables only; a table it lacks is gone).
    private func updating(_ tables: Set<String>, from partial: RelationFiles) -> RelationFiles {
        // A few tables of hundreds of relations: the reading copied, those few taken out.
        var merged = entries
        // A TOAST table or index among them stands for its table, as in the reading.
        let tables = Set(tables.map { entries[$0]?.tableOid ?? $0 })
        for (oid, entry) in entries where tables.contains(entry.tableOid) {
            merged[oid] = nil
        }
        merged.merge(partial.entries) { _, new in new }
        return RelationFiles(entries: merged)
    }

    /// The bytes of every relation's main fork, but those of `table` (itself, its indexes
    /// and TOAST).
    func bytes(excludingTable table: String) -> Int64 {
        entries.values.reduce(0) { $0 + ($1.table == table ? 0 : $1.bytes) }
    }

    /// Relations that existed before and got a new data file: rewritten.
    func rewrites(to after: RelationFiles) -> [Rewrite] {
        entries.compactMap { oid, before -> Rewrite? in
            guard let now = after.entries[oid], now.fileNode != before.fileNode, !before.fileNode.isEmpty else { return nil }
            return Rewrite(relation: now.name, kind: now.kind, table: now.table, bytesBefore: before.bytes, bytesAfter: now.bytes)
        }.sorted { $0.relation < $1.relation }
    }
}

/// A table or index whose data was written anew (ALTER TABLE … TYPE, VACUUM FULL, CLUSTER,
/// a volatile default before PostgreSQL 11, REINDEX): the whole relation is copied while
/// a strong lock is held.
public struct Rewrite: Sendable, Codable, Equatable {
    public var relation: String
    public var kind: String
    /// The table the relation belongs to (itself for a table; absent in older reports).
    public var table: String?
    public var bytesBefore: Int64
    public var bytesAfter: Int64
}
