/// What lets a schema fingerprint be read again without deparsing the whole catalog: for
/// each owner — a relation with everything on it (`r<oid>`), a type (`t<oid>`), a function
/// (`p<oid>`) — whether one of the catalog rows the fingerprint reads for it came or
/// changed since the previous read (its `xmin` is no older than that read's oldest running
/// transaction, compared by `age`, so transaction-id wraparound does not matter), and how
/// many of its rows there are in the catalogs where a row can go without another row of
/// the owner changing (constraints, indexes, triggers, policies, rules, defaults,
/// inheritance, sequence ownership). An owner that is fresh, whose count moved, that is new
/// or gone is read again. One `global` stamp covers what renames many objects at once or
/// is read for all of them: schemas, extensions and their members, collations, operator
/// classes, access methods, languages and foreign servers; when it changes, the
/// fingerprint is read whole. Catalog fields PostgreSQL updates in place (a table's page
/// and row estimates, `relhasindex`) are no part of a fingerprint.
///
/// An owner's fingerprint rows can also name another owner (a view's definition names its
/// tables' columns, a foreign key its referenced table, a column its type, a trigger its
/// function), never more than the names: each fresh owner's `names` (its name, schema and
/// column or attribute names) are read, and `wanted(changed:renamed:)` adds to the changed
/// owners every owner with a `pg_depend` row on one whose names changed. One hop is enough:
/// a dependent's own names do not change with another's (a view's columns keep their names
/// when its table's are renamed). Roles are not stamped: a role renamed during a migration
/// is seen in a policy's definition when that policy's table is read again.
///
/// Every object a user or an extension makes has an oid of at least 16384 (PostgreSQL's
/// `FirstNormalObjectId`; the counter skips below it when it wraps), so each catalog is read
/// from there on, through its index where that is cheaper: the system's own rows (most of
/// `pg_proc`, `pg_type`, `pg_rewrite` and `pg_depend`) are not scanned.
enum CatalogStamps {
    /// `$1`: the `xmin` row of the previous read (an xid; on the first read, `3`); `$2`: true
    /// to have every owner's names. Columns: owner, count, fresh ("t"/"f"), names (empty
    /// unless fresh or asked for). Two rows more: `xmin` (the xid for the next read, in
    /// `count`) and `global` (its stamp in `names`).
    static let sql = """
    WITH nsp AS (
        SELECT n.oid
        FROM pg_catalog.pg_namespace n
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND n.nspname !~ '^pg_(toast_)?temp_'
    ),
    since AS (SELECT pg_catalog.age($1::pg_catalog.xid) AS age),
    rel AS (
        SELECT c.oid, c.relname, c.relnamespace, c.relkind = 'c' AS composite, c.reltype,
               pg_catalog.age(c.xmin) <= since.age AS fresh
        FROM pg_catalog.pg_class c
        JOIN nsp ON nsp.oid = c.relnamespace
        CROSS JOIN since
        WHERE c.relkind IN ('r', 'p', 'f', 'S', 'v', 'm', 'c') AND c.oid >= 16384
    ),
    -- per relation, one scan of each catalog: its rows that can go alone (n; constraints,
    -- indexes, triggers, policies, rules, defaults, inheritance, sequence ownership) and
    -- whether one of its rows came or changed since the previous read (the other catalogs
    -- give only their fresh rows)
    fresh_index(oid) AS MATERIALIZED (
        SELECT ic.oid FROM pg_catalog.pg_class ic, since
        WHERE ic.relkind IN ('i', 'I') AND ic.oid >= 16384 AND pg_catalog.age(ic.xmin) <= since.age
    ),
    rel_rows(oid, n, fresh) AS (
        SELECT a.attrelid, 0, true FROM pg_catalog.pg_attribute a, since
        WHERE a.attnum > 0 AND a.attrelid >= 16384 AND pg_catalog.age(a.xmin) <= since.age
        UNION ALL SELECT ad.adrelid, 1, pg_catalog.age(ad.xmin) <= since.age FROM pg_catalog.pg_attrdef ad, since WHERE ad.adrelid >= 16384
        UNION ALL SELECT con.conrelid, 1, pg_catalog.age(con.xmin) <= since.age FROM pg_catalog.pg_constraint con, since WHERE con.conrelid >= 16384
        UNION ALL SELECT i.indrelid, 1, pg_catalog.age(i.xmin) <= since.age FROM pg_catalog.pg_index i, since WHERE i.indrelid >= 16384
        UNION ALL SELECT i.indrelid, 0, true FROM fresh_index JOIN pg_catalog.pg_index i ON i.indexrelid = fresh_index.oid WHERE i.indrelid >= 16384
        UNION ALL SELECT tg.tgrelid, 1, pg_catalog.age(tg.xmin) <= since.age FROM pg_catalog.pg_trigger tg, since WHERE tg.tgrelid >= 16384
        UNION ALL SELECT pol.polrelid, 1, pg_catalog.age(pol.xmin) <= since.age FROM pg_catalog.pg_policy pol, since
        UNION ALL SELECT rw.ev_class, 1, pg_catalog.age(rw.xmin) <= since.age FROM pg_catalog.pg_rewrite rw, since WHERE rw.ev_class >= 16384
        UNION ALL SELECT h.inhrelid, 1, pg_catalog.age(h.xmin) <= since.age FROM pg_catalog.pg_inherits h, since
        UNION ALL SELECT sq.seqrelid, 0, true FROM pg_catalog.pg_sequence sq, since WHERE pg_catalog.age(sq.xmin) <= since.age
        UNION ALL SELECT pt.partrelid, 0, true FROM pg_catalog.pg_partitioned_table pt, since WHERE pg_catalog.age(pt.xmin) <= since.age
        UNION ALL SELECT ft.ftrelid, 0, true FROM pg_catalog.pg_foreign_table ft, since WHERE pg_catalog.age(ft.xmin) <= since.age
        UNION ALL SELECT d.objid, 1, pg_catalog.age(d.xmin) <= since.age
              FROM pg_catalog.pg_depend d, since
              WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid >= 16384 AND d.deptype IN ('a', 'i')
    ),
    rel_stamp AS (
        SELECT oid, pg_catalog.sum(n) AS n, pg_catalog.bool_or(fresh) AS fresh FROM rel_rows GROUP BY oid
    ),
    -- a domain's constraints, and whether one came or changed
    type_parts AS (
        SELECT dcon.contypid AS oid, pg_catalog.count(*) AS n, pg_catalog.bool_or(pg_catalog.age(dcon.xmin) <= since.age) AS fresh
        FROM pg_catalog.pg_constraint dcon, since WHERE dcon.contypid <> 0 GROUP BY dcon.contypid
        UNION ALL
        SELECT en.enumtypid, 0, true FROM pg_catalog.pg_enum en, since WHERE pg_catalog.age(en.xmin) <= since.age
        UNION ALL
        SELECT rg.rngtypid, 0, true FROM pg_catalog.pg_range rg, since WHERE pg_catalog.age(rg.xmin) <= since.age
    ),
    type_stamp AS (
        SELECT oid, pg_catalog.sum(n) AS n, pg_catalog.bool_or(fresh) AS fresh FROM type_parts GROUP BY oid
    ),
    owners AS (
        SELECT CASE WHEN rel.composite THEN 't' || rel.reltype::pg_catalog.text ELSE 'r' || rel.oid::pg_catalog.text END AS owner,
               coalesce(rs.n, 0) + coalesce(ts.n, 0) AS n,
               rel.fresh OR coalesce(rs.fresh, false) OR coalesce(ts.fresh, false) AS fresh,
               rel.relname::pg_catalog.text AS name, rel.relnamespace, rel.oid AS attrs
        FROM rel
        LEFT JOIN rel_stamp rs ON rs.oid = rel.oid
        LEFT JOIN type_stamp ts ON rel.composite AND ts.oid = rel.reltype
        UNION ALL
        -- types that are not a relation's row type: enums, domains, ranges, base types, arrays
        SELECT 't' || t.oid::pg_catalog.text, coalesce(ts.n, 0),
               pg_catalog.age(t.xmin) <= since.age OR coalesce(ts.fresh, false),
               t.typname::pg_catalog.text, t.typnamespace, 0::pg_catalog.oid
        FROM pg_catalog.pg_type t
        JOIN nsp ON nsp.oid = t.typnamespace
        CROSS JOIN since
        LEFT JOIN type_stamp ts ON ts.oid = t.oid
        WHERE t.typrelid = 0 AND t.oid >= 16384
        UNION ALL
        SELECT 'p' || p.oid::pg_catalog.text, 0, pg_catalog.age(p.xmin) <= since.age, p.proname::pg_catalog.text, p.pronamespace, 0::pg_catalog.oid
        FROM pg_catalog.pg_proc p
        JOIN nsp ON nsp.oid = p.pronamespace
        CROSS JOIN since
        WHERE p.oid >= 16384
    )
    SELECT o.owner, o.n::pg_catalog.text, CASE WHEN o.fresh THEN 't' ELSE 'f' END,
           CASE WHEN o.fresh OR $2::pg_catalog.bool THEN pg_catalog.md5(concat_ws(',', o.name, o.relnamespace::pg_catalog.text,
               (SELECT pg_catalog.string_agg(a.attnum::pg_catalog.text || ':' || a.attname, ',' ORDER BY a.attnum)
                FROM pg_catalog.pg_attribute a WHERE o.attrs <> 0 AND a.attrelid = o.attrs AND a.attnum > 0))) ELSE '' END
    FROM owners o

    UNION ALL
    SELECT 'xmin', (pg_catalog.txid_snapshot_xmin(pg_catalog.txid_current_snapshot()) % 4294967296)::pg_catalog.text, 'f', ''

    UNION ALL
    SELECT 'global', '0', 'f', pg_catalog.md5(concat_ws(';',
        (SELECT pg_catalog.string_agg(n.oid::pg_catalog.text || ':' || n.xmin::pg_catalog.text, ',' ORDER BY n.oid) FROM pg_catalog.pg_namespace n),
        (SELECT pg_catalog.string_agg(x.oid::pg_catalog.text || ':' || x.xmin::pg_catalog.text, ',' ORDER BY x.oid) FROM pg_catalog.pg_extension x),
        (SELECT pg_catalog.string_agg(d.classid::pg_catalog.text || '/' || d.objid::pg_catalog.text || ':' || d.xmin::pg_catalog.text, ',' ORDER BY d.classid, d.objid)
         FROM pg_catalog.pg_depend d WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'),
        (SELECT pg_catalog.string_agg(co.oid::pg_catalog.text || ':' || co.xmin::pg_catalog.text, ',' ORDER BY co.oid) FROM pg_catalog.pg_collation co WHERE co.oid >= 16384),
        (SELECT pg_catalog.string_agg(oc.oid::pg_catalog.text || ':' || oc.xmin::pg_catalog.text, ',' ORDER BY oc.oid) FROM pg_catalog.pg_opclass oc WHERE oc.oid >= 16384),
        (SELECT pg_catalog.string_agg(am.oid::pg_catalog.text || ':' || am.xmin::pg_catalog.text, ',' ORDER BY am.oid) FROM pg_catalog.pg_am am WHERE am.oid >= 16384),
        (SELECT pg_catalog.string_agg(lg.oid::pg_catalog.text || ':' || lg.xmin::pg_catalog.text, ',' ORDER BY lg.oid) FROM pg_catalog.pg_language lg),
        (SELECT pg_catalog.string_agg(fs.oid::pg_catalog.text || ':' || fs.xmin::pg_catalog.text, ',' ORDER BY fs.oid) FROM pg_catalog.pg_foreign_server fs)))
    """

    /// The `wanted(owner)` common table expression: the owners in `changed` and every owner
    /// with a `pg_depend` row on one in `renamed` (both SQL text-array expressions).
    static func wanted(changed: String, renamed: String) -> String {
        """
            wanted(owner) AS (
                SELECT pg_catalog.unnest(\(changed))
                UNION
                SELECT dep.owner
                FROM pg_catalog.unnest(\(renamed)) AS w(owner)
                CROSS JOIN LATERAL (
                    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS cls, pg_catalog.substr(w.owner, 2)::pg_catalog.oid AS oid
                    WHERE pg_catalog.left(w.owner, 1) = 'r'
                    UNION ALL
                    SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, c.reltype
                    FROM pg_catalog.pg_class c
                    WHERE pg_catalog.left(w.owner, 1) = 'r' AND c.oid = pg_catalog.substr(w.owner, 2)::pg_catalog.oid
                    UNION ALL
                    SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, pg_catalog.substr(w.owner, 2)::pg_catalog.oid
                    WHERE pg_catalog.left(w.owner, 1) = 't'
                    UNION ALL
                    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, t.typrelid
                    FROM pg_catalog.pg_type t
                    WHERE pg_catalog.left(w.owner, 1) = 't' AND t.oid = pg_catalog.substr(w.owner, 2)::pg_catalog.oid AND t.typrelid <> 0
                    UNION ALL
                    SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, pg_catalog.substr(w.owner, 2)::pg_catalog.oid
                    WHERE pg_catalog.left(w.owner, 1) = 'p'
                ) target
                JOIN pg_catalog.pg_depend d ON d.refclassid = target.cls AND d.refobjid = target.oid
                CROSS JOIN LATERAL (SELECT \(ownerOf("d.classid", "d.objid")) AS owner) dep
                WHERE dep.owner IS NOT NULL AND d.deptype <> 'e'
            )
        """
    }

    /// The owner key of catalog object (`classid`, `objid`), or NULL for one no
    /// fingerprint row is read from.
    private static func ownerOf(_ classid: String, _ objid: String) -> String {
        """
        CASE \(classid)
                    WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN (
                        SELECT CASE WHEN c.relkind IN ('i', 'I')
                                    THEN (SELECT 'r' || i.indrelid::pg_catalog.text FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid)
                                    WHEN c.relkind = 'c' THEN 't' || c.reltype::pg_catalog.text
                                    WHEN c.relkind IN ('r', 'p', 'f', 'S', 'v', 'm') THEN 'r' || c.oid::pg_catalog.text END
                        FROM pg_catalog.pg_class c WHERE c.oid = \(objid))
                    WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (
                        SELECT 'r' || ad.adrelid::pg_catalog.text FROM pg_catalog.pg_attrdef ad WHERE ad.oid = \(objid))
                    WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (
                        SELECT CASE WHEN con.conrelid <> 0 THEN 'r' || con.conrelid::pg_catalog.text
                                    WHEN con.contypid <> 0 THEN 't' || con.contypid::pg_catalog.text END
                        FROM pg_catalog.pg_constraint con WHERE con.oid = \(objid))
                    WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN (
                        SELECT 'r' || tg.tgrelid::pg_catalog.text FROM pg_catalog.pg_trigger tg WHERE tg.oid = \(objid))
                    WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN (
                        SELECT 'r' || pol.polrelid::pg_catalog.text FROM pg_catalog.pg_policy pol WHERE pol.oid = \(objid))
                    WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN (
                        SELECT 'r' || rw.ev_class::pg_catalog.text FROM pg_catalog.pg_rewrite rw WHERE rw.oid = \(objid))
                    WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN (
                        SELECT CASE WHEN tc.relkind IS NOT NULL AND tc.relkind <> 'c' THEN 'r' || tc.oid::pg_catalog.text
                                    ELSE 't' || t.oid::pg_catalog.text END
                        FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
                        WHERE t.oid = \(objid))
                    WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'p' || \(objid)::pg_catalog.text
                    END
        """
    }
}
