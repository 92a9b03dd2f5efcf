import PostgresClient

/// The data files of every user relation (`pg_class.relfilenode` and size), so a step or
/// statement that rewrote a table or index shows up as a changed file.
struct RelationFiles {
    struct Entry: Sendable {
        var name: String
        var kind: String
        /// The table the relation belongs to: itself, an index's table, a TOAST table's owner.
        var table: String
        var fileNode: String
        var bytes: Int64
    }

    var entries: [String: Entry]

    static func read(on connection: Connection) throws -> RelationFiles {
        let rows = try connection.query(
            """
            SELECT c.oid::text, pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind::text,
                   coalesce(pg_catalog.pg_relation_filenode(c.oid)::text, ''), pg_catalog.pg_relation_size(c.oid),
                   CASE WHEN owner_n.oid IS NULL THEN pg_catalog.format('%I.%I', n.nspname, c.relname)
                        ELSE pg_catalog.format('%I.%I', owner_n.nspname, coalesce(itab.relname, ttab.relname)) END
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
            LEFT JOIN pg_catalog.pg_class itab ON itab.oid = i.indrelid
            LEFT JOIN pg_catalog.pg_class ttab ON c.relkind = 't' AND ttab.reltoastrelid = c.oid
            LEFT JOIN pg_catalog.pg_namespace owner_n ON owner_n.oid = coalesce(itab.relnamespace, ttab.relnamespace)
            WHERE c.relkind IN ('r', 'i', 'm', 't', 'S', 'p')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%'
              AND n.nspname NOT LIKE 'pg_toast_temp%'
            """
        ).rows
        var entries: [String: Entry] = [:]
        for row in rows {
            guard let oid = row[0] else { continue }
            entries[oid] = Entry(
                name: row[1] ?? "?", kind: ObservedLock.kindName(row[2] ?? ""), table: row[5] ?? row[1] ?? "?",
                fileNode: row[3] ?? "", bytes: Int64(row[4] ?? "") ?? 0)
        }
        return RelationFiles(entries: entries)
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
