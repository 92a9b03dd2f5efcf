/// The catalog query behind a schema fingerprint: one row per schema object, so that two
/// fingerprints can be compared object by object.
///
/// Kinds (and name forms, each part quoted as `quote_ident` does, so `public."Order".id`
/// and `public.orders.id` never collide and a name is never cut at 63 bytes):
/// - `schema` (`schema`), `extension` (`extname`)
/// - `table`, `sequence`, `view`, `materialized view`, `type` (`schema.name`)
/// - `index` (`schema.indexname`)
/// - `column`, `constraint`, `trigger`, `policy`, `rule` (`schema.table.sub`)
/// - `function` (`schema.name(identity args)`; aggregates too, with a plain description)
///
/// Every column of every branch is `text`: a `UNION ALL` takes its column types from the
/// first branch, and a `name` there would truncate every later name to 63 bytes.
/// Covers user objects only: system and temporary schemas and objects that belong to an
/// extension are skipped (the extension itself is listed, including `plpgsql`). Ownership,
/// grants, comments, column order and sequence values are deliberately left out.
/// `(kind, name)` is unique. Some definitions (views, rules) span several lines.
///
/// Catalog deparsing qualifies names that are not visible on the `search_path`, so take both
/// fingerprints of a comparison with the same `search_path` (e.g. `SET search_path = ''`
/// gives fully qualified names). Requires PostgreSQL 12 or later (tested on 15).
enum FingerprintQuery {
    /// Columns: kind, name, definition, parent, owner (all text, never NULL); `parent` is
    /// the table a column, constraint, index, trigger, policy or rule belongs to, else
    /// empty; `owner` is the catalog object whose rows the object is read from (see
    /// `CatalogStamps`): `r<oid>` for a relation and everything on it, `t<oid>` for a type,
    /// `p<oid>` for a function, empty for schemas and extensions (always read).
    static let sql = objects(restricted: false)

    /// The objects of the owners in `$1` (a text array of owner keys) and of every owner
    /// that depends on one in `$2` (those renamed: a view on a renamed column, a foreign key
    /// to a renamed table, a column of a renamed type), plus schemas and extensions; and one
    /// row of kind `~owner` per owner read, so the caller can drop what vanished.
    static let someSQL = objects(restricted: true)

    private static func objects(restricted: Bool) -> String {
        let wanted = !restricted ? "" : ",\n" + CatalogStamps.wanted(changed: "$1::pg_catalog.text[]", renamed: "$2::pg_catalog.text[]")
        // The wanted owners of one kind as oids, so each catalog's oid index finds them.
        func among(_ kind: String, _ oid: String) -> String {
            !restricted ? "" : "AND \(oid) IN (SELECT pg_catalog.substr(owner, 2)::pg_catalog.oid FROM wanted WHERE pg_catalog.left(owner, 1) = '\(kind)')"
        }
        let relFilter = among("r", "c.oid"), typeFilter = among("t", "t.oid"), functionFilter = among("p", "p.oid")
        let ownerRows = !restricted ? "" : """

            UNION ALL
            SELECT '~owner', owner, '', '', owner FROM wanted
            """
        return """
    WITH ext_member AS (
        -- an extension's members, found through the index on what they depend on
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend d
        WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
    ),
    nsp AS (
        SELECT n.oid, n.nspname
        FROM pg_catalog.pg_namespace n
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
          AND n.nspname !~ '^pg_(toast_)?temp_'
    )\(wanted),
    rel AS (
        SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relispartition,
               c.reloptions, c.relrowsecurity, c.relforcerowsecurity, c.relreplident,
               c.relam, nsp.nspname, pg_catalog.format('%I.%I', nsp.nspname, c.relname) AS qname
        FROM pg_catalog.pg_class c
        JOIN nsp ON nsp.oid = c.relnamespace
        WHERE NOT EXISTS (
            SELECT 1 FROM ext_member e
            WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = c.oid)
          \(relFilter)
    ),
    objects AS (
        -- schemas
        SELECT 'schema'::pg_catalog.text AS kind, pg_catalog.quote_ident(nsp.nspname)::pg_catalog.text AS name,
               ''::pg_catalog.text AS definition,
               ''::pg_catalog.text AS parent,
               ''::pg_catalog.text AS owner
        FROM nsp
        WHERE NOT EXISTS (
            SELECT 1 FROM ext_member e
            WHERE e.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND e.objid = nsp.oid)

        UNION ALL
        -- extensions (the extension itself, not its members)
        SELECT 'extension', pg_catalog.quote_ident(x.extname),
               'version ' || x.extversion || ' schema ' || pg_catalog.quote_ident(xn.nspname),
               '', ''
        FROM pg_catalog.pg_extension x
        JOIN pg_catalog.pg_namespace xn ON xn.oid = x.extnamespace

        UNION ALL
        -- tables: kind of relation and table-level properties, never the column list
        SELECT 'table', r.qname,
               concat_ws(' ',
                   CASE WHEN r.relpersistence = 'u' THEN 'unlogged' END,
                   CASE r.relkind WHEN 'r' THEN 'table'
                                  WHEN 'p' THEN 'partitioned table'
                                  WHEN 'f' THEN 'foreign table' END,
                   CASE WHEN r.relkind = 'p'
                        THEN 'partition by ' || pg_catalog.pg_get_partkeydef(r.oid) END,
                   CASE WHEN r.relispartition
                        THEN 'partition of ' || par.parents || ' '
                             || pg_catalog.pg_get_expr(pc.relpartbound, r.oid)
                        WHEN par.parents IS NOT NULL
                        THEN 'inherits (' || par.parents || ')' END,
                   CASE WHEN am.amname IS NOT NULL AND am.amname <> 'heap'
                        THEN 'using ' || am.amname END,
                   CASE WHEN r.reloptions IS NOT NULL
                        THEN 'with (' || pg_catalog.array_to_string(r.reloptions, ', ') || ')' END,
                   CASE WHEN r.relrowsecurity THEN 'row level security' END,
                   CASE WHEN r.relforcerowsecurity THEN 'force row level security' END,
                   CASE r.relreplident WHEN 'n' THEN 'replica identity nothing'
                                       WHEN 'f' THEN 'replica identity full'
                                       WHEN 'i' THEN 'replica identity index' END,
                   CASE WHEN r.relkind = 'f'
                        THEN 'server ' || fs.srvname
                             || coalesce(' options (' || pg_catalog.array_to_string(ft.ftoptions, ', ') || ')', '') END),
               '', 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_class pc ON pc.oid = r.oid
        LEFT JOIN pg_catalog.pg_am am ON am.oid = r.relam
        LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = r.oid
        LEFT JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver
        LEFT JOIN LATERAL (
            SELECT pg_catalog.string_agg(pg_catalog.format('%I.%I', ipn.nspname, ipc.relname), ', ' ORDER BY i.inhseqno) AS parents
            FROM pg_catalog.pg_inherits i
            JOIN pg_catalog.pg_class ipc ON ipc.oid = i.inhparent
            JOIN pg_catalog.pg_namespace ipn ON ipn.oid = ipc.relnamespace
            WHERE i.inhrelid = r.oid
        ) par ON true
        WHERE r.relkind IN ('r', 'p', 'f')

        UNION ALL
        -- columns: no attnum, so column order does not matter
        SELECT 'column', r.qname || '.' || pg_catalog.quote_ident(a.attname),
               concat_ws(' ',
                   pg_catalog.format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attcollation <> t.typcollation
                        THEN 'collate ' || pg_catalog.format('%I.%I', coln.nspname, col.collname) END,
                   CASE WHEN a.attnotnull THEN 'not null' END,
                   CASE WHEN a.attgenerated = 's'
                        THEN 'generated always as (' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) || ') stored'
                        WHEN a.attgenerated = 'v'
                        THEN 'generated always as (' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) || ') virtual'
                        WHEN ad.adbin IS NOT NULL
                        THEN 'default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
                   CASE a.attidentity WHEN 'a' THEN 'generated always as identity'
                                      WHEN 'd' THEN 'generated by default as identity' END),
               r.qname, 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_collation col ON col.oid = a.attcollation
        LEFT JOIN pg_catalog.pg_namespace coln ON coln.oid = col.collnamespace
        WHERE r.relkind IN ('r', 'p', 'f')

        UNION ALL
        -- table constraints; deferrability and validity are normalised to one canonical suffix
        SELECT 'constraint', r.qname || '.' || pg_catalog.quote_ident(con.conname),
               pg_catalog.regexp_replace(
                   pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef(con.oid), ' NOT VALID$', ''),
                   ' DEFERRABLE( INITIALLY DEFERRED)?$', '')
               || CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END
               || CASE WHEN con.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END
               || CASE WHEN NOT con.convalidated THEN ' NOT VALID' ELSE '' END,
               r.qname, 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_constraint con ON con.conrelid = r.oid
        WHERE NOT EXISTS (
            -- internal clones of a foreign key that point at the partitions of a
            -- partitioned referenced table: same table, same name as their parent
            SELECT 1 FROM pg_catalog.pg_constraint pcon
            WHERE pcon.oid = con.conparentid AND pcon.conrelid = con.conrelid)

        UNION ALL
        -- indexes, including those that back constraints
        SELECT 'index', pg_catalog.format('%I.%I', r.nspname, ic.relname),
               pg_catalog.pg_get_indexdef(i.indexrelid)
               || CASE WHEN NOT i.indisvalid THEN ' INVALID' ELSE '' END
               || CASE WHEN i.indisclustered THEN ' CLUSTERED' ELSE '' END
               || CASE WHEN i.indisreplident THEN ' REPLICA IDENTITY' ELSE '' END,
               r.qname, 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
        JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid

        UNION ALL
        -- sequences: parameters and owner column, never the current value
        SELECT 'sequence', r.qname,
               concat_ws(' ',
                   CASE WHEN r.relpersistence = 'u' THEN 'unlogged' END,
                   'as ' || pg_catalog.format_type(s.seqtypid, NULL),
                   'start ' || s.seqstart,
                   'increment ' || s.seqincrement,
                   'minvalue ' || s.seqmin,
                   'maxvalue ' || s.seqmax,
                   'cache ' || s.seqcache,
                   CASE WHEN s.seqcycle THEN 'cycle' ELSE 'no cycle' END,
                   'owned by ' || own.col),
               '', 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid
        LEFT JOIN LATERAL (
            SELECT pg_catalog.format('%I.%I.%I', own_n.nspname, own_c.relname, own_a.attname) AS col
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_class own_c ON own_c.oid = d.refobjid
            JOIN pg_catalog.pg_namespace own_n ON own_n.oid = own_c.relnamespace
            JOIN pg_catalog.pg_attribute own_a ON own_a.attrelid = d.refobjid AND own_a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.objid = r.oid
              AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.refobjsubid > 0
              AND d.deptype IN ('a', 'i')
            ORDER BY 1
            LIMIT 1
        ) own ON true
        WHERE r.relkind = 'S'

        UNION ALL
        -- views and materialized views
        SELECT CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END,
               r.qname,
               coalesce(pg_catalog.pg_get_viewdef(r.oid, false), '')
               || CASE WHEN r.reloptions IS NOT NULL
                       THEN ' with (' || pg_catalog.array_to_string(r.reloptions, ', ') || ')' ELSE '' END,
               '', 'r' || r.oid::pg_catalog.text
        FROM rel r
        WHERE r.relkind IN ('v', 'm')

        UNION ALL
        -- types: enums, composites, domains, ranges, base types (no implicit array or row types)
        SELECT 'type', pg_catalog.format('%I.%I', tn.nspname, t.typname),
               CASE t.typtype
               WHEN 'e' THEN
                   'enum (' || coalesce((
                       SELECT pg_catalog.string_agg(pg_catalog.quote_literal(en.enumlabel), ', ' ORDER BY en.enumsortorder)
                       FROM pg_catalog.pg_enum en WHERE en.enumtypid = t.oid), '') || ')'
               WHEN 'c' THEN
                   'composite (' || coalesce((
                       SELECT pg_catalog.string_agg(
                                  ta.attname || ' ' || pg_catalog.format_type(ta.atttypid, ta.atttypmod)
                                  || CASE WHEN ta.attcollation <> tat.typcollation
                                          THEN ' collate ' || pg_catalog.format('%I.%I', tacn.nspname, tac.collname) ELSE '' END,
                                  ', ' ORDER BY ta.attnum)
                       FROM pg_catalog.pg_attribute ta
                       JOIN pg_catalog.pg_type tat ON tat.oid = ta.atttypid
                       LEFT JOIN pg_catalog.pg_collation tac ON tac.oid = ta.attcollation
                       LEFT JOIN pg_catalog.pg_namespace tacn ON tacn.oid = tac.collnamespace
                       WHERE ta.attrelid = t.typrelid AND ta.attnum > 0 AND NOT ta.attisdropped), '') || ')'
               WHEN 'd' THEN
                   concat_ws(' ',
                       'domain over ' || pg_catalog.format_type(t.typbasetype, t.typtypmod),
                       CASE WHEN t.typcollation <> bt.typcollation
                            THEN 'collate ' || pg_catalog.format('%I.%I', dcn.nspname, dc.collname) END,
                       CASE WHEN t.typnotnull THEN 'not null' END,
                       'default ' || t.typdefault,
                       (SELECT pg_catalog.string_agg(
                                   'constraint ' || dcon.conname || ' '
                                   || pg_catalog.regexp_replace(pg_catalog.pg_get_constraintdef(dcon.oid), ' NOT VALID$', '')
                                   || CASE WHEN NOT dcon.convalidated THEN ' NOT VALID' ELSE '' END,
                                   ' ' ORDER BY dcon.conname)
                        FROM pg_catalog.pg_constraint dcon WHERE dcon.contypid = t.oid))
               WHEN 'r' THEN
                   concat_ws(' ',
                       'range subtype ' || pg_catalog.format_type(rng.rngsubtype, NULL),
                       'subtype_opclass ' || pg_catalog.format('%I.%I', opcn.nspname, opc.opcname),
                       CASE WHEN rng.rngcollation <> 0
                            THEN 'collation ' || pg_catalog.format('%I.%I', rcn.nspname, rc.collname) END,
                       CASE WHEN rng.rngcanonical::pg_catalog.oid <> 0
                            THEN 'canonical ' || rng.rngcanonical::pg_catalog.text END,
                       CASE WHEN rng.rngsubdiff::pg_catalog.oid <> 0
                            THEN 'subtype_diff ' || rng.rngsubdiff::pg_catalog.text END)
               ELSE
                   concat_ws(' ',
                       'base type',
                       'input ' || t.typinput::pg_catalog.text,
                       'output ' || t.typoutput::pg_catalog.text,
                       'receive ' || t.typreceive::pg_catalog.text,
                       'send ' || t.typsend::pg_catalog.text,
                       'internallength ' || t.typlen,
                       'alignment ' || t.typalign::pg_catalog.text,
                       'storage ' || t.typstorage::pg_catalog.text,
                       'category ' || t.typcategory::pg_catalog.text,
                       'default ' || t.typdefault)
               END,
               '', 't' || t.oid::pg_catalog.text
        FROM pg_catalog.pg_type t
        JOIN nsp tn ON tn.oid = t.typnamespace
        LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
        LEFT JOIN pg_catalog.pg_collation dc ON dc.oid = t.typcollation
        LEFT JOIN pg_catalog.pg_namespace dcn ON dcn.oid = dc.collnamespace
        LEFT JOIN pg_catalog.pg_range rng ON rng.rngtypid = t.oid
        LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = rng.rngsubopc
        LEFT JOIN pg_catalog.pg_namespace opcn ON opcn.oid = opc.opcnamespace
        LEFT JOIN pg_catalog.pg_collation rc ON rc.oid = rng.rngcollation
        LEFT JOIN pg_catalog.pg_namespace rcn ON rcn.oid = rc.collnamespace
        LEFT JOIN pg_catalog.pg_class trel ON trel.oid = t.typrelid
        WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r')
          AND (t.typtype <> 'c' OR trel.relkind = 'c')
          AND NOT EXISTS (
              SELECT 1 FROM pg_catalog.pg_type el
              WHERE el.oid = t.typelem AND el.typarray = t.oid)
          AND NOT EXISTS (
              SELECT 1 FROM ext_member e
              WHERE (e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND e.objid = t.oid)
                 OR (e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = t.typrelid))
          \(typeFilter)

        UNION ALL
        -- functions and procedures (the full definition, shown as a diff when it differs);
        -- aggregates described
        SELECT 'function',
               pg_catalog.format('%I.%I', pn.nspname, p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
               CASE WHEN p.prokind = 'a' THEN
                   concat_ws(' ',
                       'aggregate',
                       'returns ' || pg_catalog.format_type(p.prorettype, NULL),
                       'kind ' || ag.aggkind::pg_catalog.text,
                       'sfunc ' || ag.aggtransfn::pg_catalog.text,
                       'stype ' || pg_catalog.format_type(ag.aggtranstype, NULL),
                       CASE WHEN ag.aggfinalfn::pg_catalog.oid <> 0
                            THEN 'finalfunc ' || ag.aggfinalfn::pg_catalog.text END,
                       CASE WHEN ag.aggcombinefn::pg_catalog.oid <> 0
                            THEN 'combinefunc ' || ag.aggcombinefn::pg_catalog.text END,
                       CASE WHEN ag.aggsortop <> 0
                            THEN 'sortop ' || ag.aggsortop::pg_catalog.regoperator::pg_catalog.text END,
                       'initcond ' || pg_catalog.quote_literal(ag.agginitval))
               ELSE pg_catalog.pg_get_functiondef(p.oid)
               END,
               '', 'p' || p.oid::pg_catalog.text
        FROM pg_catalog.pg_proc p
        JOIN nsp pn ON pn.oid = p.pronamespace
        LEFT JOIN pg_catalog.pg_aggregate ag ON ag.aggfnoid = p.oid
        WHERE NOT EXISTS (
            SELECT 1 FROM ext_member e
            WHERE e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid = p.oid)
          -- skip functions generated for another object, e.g. range constructors
          AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_depend d
            WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
              AND d.deptype = 'i')
          \(functionFilter)

        UNION ALL
        -- triggers (user-visible ones only)
        SELECT 'trigger', r.qname || '.' || pg_catalog.quote_ident(tg.tgname),
               pg_catalog.pg_get_triggerdef(tg.oid, false)
               || CASE tg.tgenabled WHEN 'D' THEN ' DISABLED'
                                    WHEN 'R' THEN ' ENABLE REPLICA'
                                    WHEN 'A' THEN ' ENABLE ALWAYS' ELSE '' END,
               r.qname, 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = r.oid
        WHERE NOT tg.tgisinternal

        UNION ALL
        -- row level security policies
        SELECT 'policy', r.qname || '.' || pg_catalog.quote_ident(pol.polname),
               concat_ws(' ',
                   CASE WHEN pol.polpermissive THEN 'permissive' ELSE 'restrictive' END,
                   'for ' || CASE pol.polcmd WHEN '*' THEN 'all' WHEN 'r' THEN 'select'
                                             WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update'
                                             WHEN 'd' THEN 'delete' END,
                   'to ' || (SELECT pg_catalog.string_agg(pr.rolname, ', ' ORDER BY pr.rolname)
                             FROM (SELECT CASE WHEN ro.oid = 0 THEN 'public'
                                               ELSE pg_catalog.pg_get_userbyid(ro.oid)::pg_catalog.text END AS rolname
                                   FROM pg_catalog.unnest(pol.polroles) AS ro(oid)) pr),
                   'using (' || pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) || ')',
                   'with check (' || pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) || ')'),
               r.qname, 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_policy pol ON pol.polrelid = r.oid

        UNION ALL
        -- rules other than the _RETURN rules that implement views
        SELECT 'rule', r.qname || '.' || pg_catalog.quote_ident(rw.rulename),
               pg_catalog.pg_get_ruledef(rw.oid, false)
               || CASE rw.ev_enabled WHEN 'D' THEN ' DISABLED'
                                     WHEN 'R' THEN ' ENABLE REPLICA'
                                     WHEN 'A' THEN ' ENABLE ALWAYS' ELSE '' END,
               r.qname, 'r' || r.oid::pg_catalog.text
        FROM rel r
        JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = r.oid
        WHERE rw.rulename <> '_RETURN'\(ownerRows)
    )
    SELECT o.kind::pg_catalog.text AS kind,
           o.name::pg_catalog.text AS name,
           coalesce(o.definition, '')::pg_catalog.text AS definition,
           o.parent::pg_catalog.text AS parent,
           o.owner::pg_catalog.text AS owner
    FROM objects o
    """
    }
}
