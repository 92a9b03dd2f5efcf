import Foundation
import PostgresClient

/// Creates a snapshot from a live database: the real `pg_dump --format=plain` streams through
/// the masker into a zstd file (never held in memory or on disk uncompressed), and a manifest
/// is written beside it. The source is only read: besides pg_dump, rehearse runs nothing on
/// it but catalog SELECTs. The file appears under its name only when complete; until then it
/// is `<output>.partial`, removed on any failure or interrupt.
public enum SnapshotCreator {
    /// How far a dump has got, for whoever draws progress.
    public struct Progress: Sendable {
        /// Uncompressed bytes pg_dump has written.
        public var bytesDumped: UInt64
        /// Compressed bytes in the snapshot file so far.
        public var bytesWritten: UInt64
        public var rowsMasked: Int64
        /// The table whose data is streaming, if any.
        public var table: String?
        public var elapsedSeconds: Double
    }

    /// `trackingTable` nil tries `_schema_migrations`, then `schema_migrations`, in the
    /// source's current schema.
    public static func create(
        from url: String, to output: String, level: Int = 10, masking: MaskingRules? = nil,
        trackingTable: String? = nil, interruption: InterruptionToken? = nil,
        progress: (Progress) -> Void = { _ in }
    ) throws -> SnapshotManifest {
        let source = ConnectionTarget.redact(url)
        let started = Date()
        let pgDump = try locatePgDump()
        try prepareDirectory(for: output)

        // The catalog first, so a wrong masking rule fails before hours of dumping.
        let catalog = try SourceCatalog.read(url: url, source: source, trackingTable: trackingTable, masking: masking)
        let rules = catalog.masking
        let captureName = catalog.schema + "." + catalog.trackingTable
        let masker = DumpStreamMasker(
            rules: rules, salt: rules?.salt ?? randomSalt(), capture: [captureName],
            required: rules.map { Set($0.tables.map(\.qualifiedName)).subtracting(catalog.partitionedTables) })

        let partial = output + ".partial"
        var completed = false
        defer { if !completed { unlink(partial) } }
        let writer = try ZstdWriter(path: partial, level: level)

        let (target, password) = separatePassword(url)
        let dumpedAt = Date()
        let command: StreamingCommand
        do {
            command = try StreamingCommand(
                executable: pgDump, arguments: ["--format=plain", "--no-password", "--dbname=\(target)"],
                environment: password.map { ["PGPASSWORD": $0] } ?? [:])
        } catch let error as CommandError {
            throw SnapshotCreationError.pgDumpNotRunnable(path: pgDump, reason: error.reason)
        }
        defer { command.terminate() }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var pending: [UInt8] = []
        pending.reserveCapacity(2 << 20)
        var dumped: UInt64 = 0
        var lastReport = Date.distantPast
        func report(force: Bool = false) {
            let now = Date()
            guard force || now.timeIntervalSince(lastReport) >= 0.2 else { return }
            lastReport = now
            progress(Progress(
                bytesDumped: dumped, bytesWritten: writer.bytesWritten, rowsMasked: masker.rowsMasked,
                table: masker.currentTable, elapsedSeconds: now.timeIntervalSince(started)))
        }
        while true {
            if interruption?.isInterrupted == true { throw RehearsalInterrupted() }
            let count: Int
            do {
                count = try command.readChunk(into: buffer)
            } catch let error as CommandError {
                throw SnapshotCreationError.pgDumpFailed(path: pgDump, status: -1, stderr: error.reason, source: source)
            }
            if count == 0 { break }
            dumped += UInt64(count)
            try masker.process(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count), into: &pending)
            if pending.count >= 1 << 20 {
                try writer.write(pending)
                pending.removeAll(keepingCapacity: true)
            }
            report()
        }
        // An interrupt also reaches pg_dump (same process group) and ends its output early.
        if interruption?.isInterrupted == true { throw RehearsalInterrupted() }
        let exit: StreamingCommand.Exit
        do {
            exit = try command.waitForExit()
        } catch let error as CommandError {
            throw SnapshotCreationError.pgDumpFailed(path: pgDump, status: -1, stderr: error.reason, source: source)
        }
        // Killed by an interrupt that reached it before our own handler ran.
        if exit.status == 128 + SIGINT || exit.status == 128 + SIGTERM { throw RehearsalInterrupted() }
        guard exit.status == 0 else {
            throw SnapshotCreationError.pgDumpFailed(
                path: pgDump, status: exit.status, stderr: cleaned(exit.stderr), source: source)
        }
        try masker.finish(into: &pending)
        try writer.write(pending)
        let (_, sha256) = try writer.finish()
        report(force: true)

        var state = catalog.tracking
        if masker.rowCounts[captureName] != nil {
            // What the dump holds wins over what the catalog said before it started.
            state = masker.captured[captureName].flatMap { SnapshotInspector.trackingState(line: $0.line, columns: $0.columns) }
        }
        let tables = catalog.tables.map { table in
            SnapshotManifest.Table(name: table.name, rows: masker.rowCounts[table.name] ?? table.rows, bytes: table.bytes)
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let manifest = SnapshotManifest(
            serverVersion: catalog.serverVersion, serverVersionNum: catalog.serverVersionNum,
            dumpedAt: formatter.string(from: dumpedAt), database: catalog.database, trackingTable: catalog.trackingTable,
            recordedVersion: state?.version, dirty: state?.dirty, scale: 1, tables: tables, sha256: sha256,
            masked: rules?.maskedColumns ?? [])

        // A manifest left from an older snapshot of the same name must not describe this one.
        let manifestPath = SnapshotManifest.path(forSnapshot: output)
        unlink(manifestPath)
        guard rename(partial, output) == 0 else {
            throw SnapshotCreationError.outputNotWritable(path: output, reason: String(cString: strerror(errno)))
        }
        completed = true
        try manifest.write(to: manifestPath)
        return manifest
    }

    // MARK: pg_dump

    /// pg_dump beside the server binaries rehearse uses (REHEARSE_PG_BINDIR, pg_config, the
    /// newest /usr/lib/postgresql/*/bin), else the first on PATH.
    static func locatePgDump(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let found = PostgresBinaries.clientProgram("pg_dump", environment: environment)
        guard let path = found.path else { throw SnapshotCreationError.pgDumpMissing(searched: found.searched) }
        return path
    }

    /// The target without its password, and the password: pg_dump gets it through
    /// PGPASSWORD in its own environment, because its command line is visible to every user
    /// of the machine (`ps`).
    static func separatePassword(_ target: String) -> (target: String, password: String?) {
        func firstMatch(_ pattern: String) -> NSTextCheckingResult? {
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return nil }
            return regex.firstMatch(in: target, range: NSRange(target.startIndex..., in: target))
        }
        func text(_ match: NSTextCheckingResult, _ group: Int) -> String {
            Range(match.range(at: group), in: target).map { String(target[$0]) } ?? ""
        }
        func rest(after match: NSTextCheckingResult) -> Substring {
            Range(match.range, in: target).map { target[$0.upperBound...] } ?? ""
        }
        func before(_ match: NSTextCheckingResult) -> Substring {
            Range(match.range, in: target).map { target[..<$0.lowerBound] } ?? ""
        }
        if target.range(of: #"^postgres(ql)?://"#, options: [.regularExpression, .caseInsensitive]) != nil {
            // postgres://user:secret@host/db
            if let match = firstMatch(#"^(postgres(?:ql)?://[^:/@\s]*):([^@/?#\s]*)@"#) {
                let secret = text(match, 2)
                return (text(match, 1) + "@" + String(rest(after: match)), secret.removingPercentEncoding ?? secret)
            }
            // postgres://host/db?sslmode=require&password=secret
            if let match = firstMatch(#"([?&])password=([^&\s]*)(&?)"#) {
                let secret = text(match, 2)
                let separator = text(match, 3).isEmpty ? "" : text(match, 1)
                return (String(before(match)) + separator + String(rest(after: match)), secret.removingPercentEncoding ?? secret)
            }
            return (target, nil)
        }
        // host=… password='it''s' dbname=…
        if let match = firstMatch(#"(^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']\S*)"#) {
            var secret = text(match, 2)
            if secret.hasPrefix("'"), secret.hasSuffix("'"), secret.count >= 2 {
                var unescaped = ""
                var escaping = false
                for character in secret.dropFirst().dropLast() {
                    if escaping || character != "\\" {
                        unescaped.append(character)
                        escaping = false
                    } else {
                        escaping = true
                    }
                }
                secret = unescaped
            }
            return (String(before(match)) + String(rest(after: match)), secret)
        }
        return (target, nil)
    }

    /// pg_dump's error output without secrets, and short enough for one message.
    private static func cleaned(_ stderr: String) -> String {
        let text = ConnectionTarget.redactSecrets(in: stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.count > 2000 ? "…" + String(text.suffix(2000)) : text
    }

    private static func prepareDirectory(for output: String) throws {
        var isDirectory: ObjCBool = false
        if output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw SnapshotCreationError.outputNotWritable(path: output, reason: "it is a directory; give a file name such as snapshot.sql.zst")
        }
        let directory = (output as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SnapshotCreationError.outputNotWritable(path: output, reason: "cannot create the directory \(directory): \(error.localizedDescription)")
        }
    }

    /// Used when the rules name no salt: hashes stay consistent within one snapshot, and a
    /// dictionary of known e-mail addresses cannot be matched against them.
    private static func randomSalt() -> String {
        Hex.string((0..<16).map { _ in UInt8.random(in: 0...255) })
    }
}

/// What the source's catalog says, read with SELECTs only before the dump starts, and the
/// masking rules checked against it (and extended to partitions and inheritance children,
/// whose rows pg_dump writes under their own names).
private struct SourceCatalog {
    var serverVersion: String
    var serverVersionNum: Int
    var database: String
    var schema: String
    var tables: [SnapshotManifest.Table]
    var trackingTable: String
    var tracking: TrackingTable.State?
    var masking: MaskingRules?
    /// Partitioned tables: they hold no rows of their own, so no COPY names them.
    var partitionedTables: Set<String>

    static func read(url: String, source: String, trackingTable: String?, masking: MaskingRules?) throws -> SourceCatalog {
        let connection: Connection
        do {
            connection = try Connection(url, applicationName: "rehearse snapshot create")
        } catch let error as PostgresError {
            throw SnapshotCreationError.sourceUnreachable(source: source, reason: error.message)
        }
        do {
            return try read(on: connection, trackingTable: trackingTable, masking: masking)
        } catch let error as PostgresError {
            throw SnapshotCreationError.sourceQueryFailed(source: source, reason: error.message)
        }
    }

    private static func read(on connection: Connection, trackingTable: String?, masking: MaskingRules?) throws -> SourceCatalog {
        let settings = try connection.query(
            "SELECT current_setting('server_version'), current_setting('server_version_num'), current_database(), current_schema()"
        ).rows.first ?? []
        func value(_ index: Int) -> String? { index < settings.count ? settings[index] : nil }
        let serverVersionNum = Int(value(1) ?? "") ?? connection.serverVersionNumber
        let tables = try connection.query(
            """
            SELECT n.nspname || '.' || c.relname, greatest(c.reltuples, 0)::bigint, pg_catalog.pg_total_relation_size(c.oid)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1
            """
        ).rows.map { row in
            SnapshotManifest.Table(name: row[0] ?? "", rows: Int64(row[1] ?? "") ?? 0, bytes: Int64(row[2] ?? "") ?? 0)
        }
        var chosen = trackingTable ?? "schema_migrations"
        var state: TrackingTable.State?
        for name in trackingTable.map({ [$0] }) ?? ["_schema_migrations", "schema_migrations"] {
            let table = TrackingTable(name: name)
            guard try table.exists(on: connection) else { continue }
            chosen = name
            // A table of the wrong shape is not migrate's: no version, rather than no snapshot.
            state = try? table.read(on: connection)
            break
        }
        var partitioned: Set<String> = []
        var checked: MaskingRules?
        if let masking {
            checked = try check(masking, on: connection, serverVersionNum: serverVersionNum, partitioned: &partitioned)
        }
        return SourceCatalog(
            serverVersion: value(0) ?? "", serverVersionNum: serverVersionNum, database: value(2) ?? "",
            schema: value(3) ?? "public", tables: tables, trackingTable: chosen, tracking: state, masking: checked,
            partitionedTables: partitioned)
    }

    /// How masking `column` with `rule` would break a foreign key it is part of, if it would:
    /// the values on both sides of a key must stay equal, which only `hash` on both columns
    /// keeps (and `null` on the referencing side, which a key lets through). A key the
    /// restore cannot check again would otherwise hold rows that break it.
    private static func brokenForeignKey(
        oid: String, column: String, rule: MaskingRule, rules: MaskingRules, on connection: Connection
    ) throws -> String? {
        let keys = try connection.query(
            """
            WITH masked AS (SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = $1::oid AND attname = $2)
            SELECT k.conname::text, k.referencing, n.nspname::text, c.relname::text, a.attname::text
            FROM (
                SELECT con.conname, true AS referencing, con.confrelid AS other, pair.theirs
                FROM pg_catalog.pg_constraint con, unnest(con.conkey, con.confkey) AS pair(mine, theirs), masked
                WHERE con.contype = 'f' AND con.conrelid = $1::oid AND pair.mine = masked.attnum
                UNION ALL
                SELECT con.conname, false, con.conrelid, pair.theirs
                FROM pg_catalog.pg_constraint con, unnest(con.confkey, con.conkey) AS pair(mine, theirs), masked
                WHERE con.contype = 'f' AND con.confrelid = $1::oid AND pair.mine = masked.attnum
            ) k
            JOIN pg_catalog.pg_class c ON c.oid = k.other
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.other AND a.attnum = k.theirs
            ORDER BY 1
            """, [oid, column]
        ).rows
        for key in keys {
            let (name, referencing) = (key[0] ?? "?", key[1] == "t")
            let other = "\(key[2] ?? "?").\(key[3] ?? "?")", otherColumn = key[4] ?? "?"
            if rule == .null && referencing { continue }
            if rule == .hash, rules.table(other)?.columns[otherColumn] == .hash { continue }
            return "it is in foreign key \(name) with \(other).\(otherColumn), and the values on both sides must stay equal; "
                + "mask both columns with hash\(referencing ? ", or this one with null" : "")"
        }
        return nil
    }

    /// Every rule must name an existing column that pg_dump writes and that can hold what
    /// the rule writes; rules of a parent table apply to its partitions and children too.
    private static func check(
        _ rules: MaskingRules, on connection: Connection, serverVersionNum: Int, partitioned: inout Set<String>
    ) throws -> MaskingRules {
        var expanded = rules
        for table in rules.tables {
            guard
                let relation = try connection.query(
                    """
                    SELECT c.oid::text, c.relkind::text FROM pg_catalog.pg_class c
                    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
                    """, [table.schema, table.name]
                ).rows.first, let oid = relation[0]
            else {
                throw SnapshotCreationError.maskedTableNotFound(file: rules.file, table: table.qualifiedName)
            }
            if relation[1] == "p" { partitioned.insert(table.qualifiedName) }
            let generated = serverVersionNum >= 120000 ? "a.attgenerated <> ''" : "false"
            let columns = try connection.query(
                """
                SELECT a.attname::text, \(generated), a.attnotnull, t.typcategory::text,
                       pg_catalog.format_type(a.atttypid, a.atttypmod)
                FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """, [oid]
            ).rows
            let names = columns.map { $0[0] ?? "" }
            for (column, rule) in table.columns.sorted(by: { $0.key < $1.key }) {
                guard let row = columns.first(where: { $0[0] == column }) else {
                    throw SnapshotCreationError.maskedColumnNotFound(file: rules.file, table: table.qualifiedName, column: column, columns: names)
                }
                let type = row[4] ?? "?"
                func notMaskable(_ reason: String) -> SnapshotCreationError {
                    .maskedColumnNotMaskable(file: rules.file, table: table.qualifiedName, column: column, reason: reason)
                }
                if row[1] == "t" {
                    throw notMaskable("it is a generated column: pg_dump does not dump its values, they are computed again on restore; mask the columns it is computed from")
                }
                if rule == .null, row[2] == "t" {
                    throw notMaskable("it is NOT NULL, so null would make the restore fail; use hash, fake or a quoted fixed value")
                }
                if rule == .hash || rule == .fake, row[3] != "S" {
                    throw notMaskable("it is of type \(type) and \(rule == .hash ? "hash" : "fake") writes text; use null or a quoted fixed value of type \(type)")
                }
                if let broken = try brokenForeignKey(oid: oid, column: column, rule: rule, rules: rules, on: connection) {
                    throw notMaskable(broken)
                }
            }
            let children = try connection.query(
                """
                WITH RECURSIVE tree(oid) AS (
                    SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = $1::oid
                    UNION ALL
                    SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.oid
                )
                SELECT n.nspname::text, c.relname::text, c.relkind::text
                FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p')
                """, [oid]
            ).rows
            for child in children {
                let schema = child[0] ?? "", name = child[1] ?? ""
                let qualified = schema + "." + name
                if child[2] == "p" { partitioned.insert(qualified) }
                if let index = expanded.tables.firstIndex(where: { $0.qualifiedName == qualified }) {
                    // The child's own rules win; the parent's fill in the rest.
                    expanded.tables[index].columns.merge(table.columns) { own, _ in own }
                } else {
                    expanded.tables.append(MaskingRules.Table(schema: schema, name: name, columns: table.columns, line: table.line))
                }
            }
        }
        return expanded
    }
}
