import Foundation
import PostgresClient

/// Restores a plain `pg_dump` into an empty database. Statements run one by one with the
/// simple-query protocol on the main session; with `workers` > 0, `DataLoaders` load the
/// COPY blocks on several sessions at once, and the post-data section (indexes,
/// constraints) is built in parallel across tables, each table's as soon as its data and
/// what it depends on are in, as pg_restore -j does (`PostDataPlan`, `RestoreWorkers`).
/// Stops at the first failing statement (naming its dump line), except that ownership and
/// grants to roles missing on the target never abort a restore.
public struct SnapshotRestorer {
    public var snapshot: Snapshot
    /// Create missing roles as NOLOGIN (embedded server); otherwise skip their statements.
    public var createMissingRoles: Bool
    public var serverMajorVersion: Int
    /// Extra sessions for parallel loading; 0 restores on the main session alone.
    public var workers: Int = 0
    /// Opens another session on the target database (needed when `workers` > 0).
    public var connect: (@Sendable () throws -> Connection)?
    /// Truncate each table in the transaction that loads it, so a server with
    /// wal_level=minimal writes no WAL for the data (embedded server, loading settings).
    public var skipWAL = false
    /// Finish with VACUUM ANALYZE, so the copy has statistics and a visibility map as
    /// production does; with workers, each table's as soon as its own post-data is built.
    public var vacuumAnalyze = false
    /// Mark the dump's foreign keys valid instead of checking them against the data (with
    /// `workers`; a key of a partitioned table is still checked): the data comes from one
    /// snapshot of a database where they held, so the check pg_restore makes, a scan of
    /// both tables per key, finds nothing; the catalog ends the same. Not for keys on a
    /// table with a masked column, whose values the snapshot's maker rewrote.
    public var trustsForeignKeys = false
    /// Masked columns as `schema.table.column` (the snapshot's manifest).
    public var maskedColumns: [String] = []
    /// Bytes per table (`schema.table`, the snapshot's manifest): the loaders take the
    /// largest tables first (`CopyClaims`).
    public var tableSizes: [String: Int64] = [:]
    /// How far apart in the snapshot the loaders may read before the slowest decompresses
    /// on its own (`SharedDecompression`).
    var loaderWindow = SharedDecompression.defaultWindow
    /// Polled while reading; returning true stops the restore.
    public var shouldStop: () -> Bool = { false }

    public init(snapshot: Snapshot, createMissingRoles: Bool, serverMajorVersion: Int) {
        self.snapshot = snapshot
        self.createMissingRoles = createMissingRoles
        self.serverMajorVersion = serverMajorVersion
    }

    public func restore(into connection: Connection, progress: (RestoreProgress) -> Void = { _ in }) throws -> RestoreSummary {
        let started = Date()
        let decompressor = try DecompressingReader(path: snapshot.path, format: snapshot.format)
        var uncompressed: UInt64 = 0
        let reader = DumpReader(path: snapshot.path) {
            let piece = try decompressor.next()
            uncompressed += UInt64(piece?.count ?? 0)
            return piece
        }
        var summary = RestoreSummary(
            statements: 0, rowsCopied: 0, uncompressedBytes: 0, durationMs: 0, createdRoles: [], skippedStatements: [])
        // Loading settings that are safe for a throwaway database and only affect this session.
        try connection.execute("SET synchronous_commit = off; SET maintenance_work_mem = '512MB'")
        let pool: RestoreWorkers? = try {
            guard workers > 0, let connect else { return nil }
            return try RestoreWorkers(count: workers, path: snapshot.path, connect: connect)
        }()
        defer { pool?.close() }
        var lastReport = Date.distantPast
        func report(force: Bool = false) {
            let now = Date()
            guard force || now.timeIntervalSince(lastReport) >= 0.2 else { return }
            lastReport = now
            progress(RestoreProgress(
                compressedBytesRead: decompressor.compressedOffset, totalBytes: snapshot.bytes,
                uncompressedBytes: uncompressed, rowsCopied: summary.rowsCopied,
                elapsedSeconds: now.timeIntervalSince(started)))
        }
        var loaders: DataLoaders?
        let stopping = LockedBox(false)
        let stopFlag: @Sendable () -> Bool = { stopping.value }
        func loadingProgress(_ loaders: DataLoaders) {
            stopping.value = shouldStop()
            var now = RestoreProgress(
                compressedBytesRead: loaders.progressOffset, totalBytes: snapshot.bytes,
                uncompressedBytes: loaders.uncompressedBytes, rowsCopied: summary.rowsCopied + loaders.rowsCopied,
                elapsedSeconds: Date().timeIntervalSince(started))
            (now.jobsDone, now.jobsTotal) = pool?.jobs ?? (0, 0)
            now.dataLoaded = loaders.isDone
            progress(now)
        }
        var checkedVersion = false
        var sessionStatements: [String] = []
        reading: while let item = try reader.next() {
            if shouldStop() {
                stopping.value = true
                _ = try? loaders?.finish()
                throw RehearsalInterrupted()
            }
            if !checkedVersion {
                checkedVersion = true
                if let major = reader.header.pgDumpMajor, major > serverMajorVersion {
                    throw SnapshotError.newerDump(path: snapshot.path, dumpVersion: major, serverVersion: serverMajorVersion)
                }
            }
            switch item {
            case .statement(let sql, let line):
                try run(sql, line: line, on: connection, summary: &summary)
                if Self.isSessionSetting(sql) {
                    sessionStatements.append(sql)
                    pool?.setSessionStatements(sessionStatements)
                }
            case .copy(let sql, let line):
                if let pool {
                    // From here the loaders read the snapshot themselves, and the first of
                    // them to reach its end hands over the statements that follow the data;
                    // this pass is done. Loaders hold the pool's slots until they finish.
                    pool.occupy(workers)
                    loaders = try DataLoaders(
                        count: workers, path: snapshot.path, skipWAL: skipWAL, window: loaderWindow, tableSizes: tableSizes,
                        shouldStop: stopFlag, connect: connect!
                    ) { event in
                        switch event {
                        case .loaded(let table): pool.complete(Self.dataKey(table))
                        case .finished: pool.occupy(-1)
                        }
                    }
                    break reading
                } else {
                    do {
                        summary.rowsCopied += try connection.copyIn(sql) { writer in
                            try reader.copyData(startLine: line) { batch in
                                if shouldStop() { throw RehearsalInterrupted() }
                                try writer.write(batch)
                                report()
                            }
                        }
                    } catch let error as PostgresError {
                        throw SnapshotError.statementFailed(path: snapshot.path, line: line, error: error)
                    }
                }
            }
            summary.statements += 1
            report()
        }
        if let loaders, let pool {
            func waitForLoaders(until done: () -> Bool) throws {
                while !done() && !loaders.isDone {
                    loadingProgress(loaders)
                    Thread.sleep(forTimeInterval: 0.2)
                }
                if shouldStop() { stopping.value = true }
            }
            // Indexes and foreign keys start as soon as their tables' data is in, on the
            // cores that loaders no longer use.
            try waitForLoaders { loaders.afterData != nil || loaders.hasFailed }
            var rest: [PostDataPlan.Statement] = []
            var postData: [PostDataPlan.Statement] = []
            if let after = loaders.afterData {
                for (sql, line) in after.statements {
                    if !postData.isEmpty || PostDataPlan.isPostData(sql) {
                        postData.append((sql, line))
                    } else {
                        try run(sql, line: line, on: connection, summary: &summary)
                    }
                    summary.statements += 1
                }
                let plan = PostDataPlan(postData, partitionedTables: try Self.partitionedTables(on: connection), trusts: trusts)
                summary.trustedForeignKeys = trustsForeignKeys ? plan.jobs.flatMap(\.statements).filter { PostDataPlan.isMarkedValid($0.sql) }.count : nil
                pool.submit(Self.jobs(of: plan, tableBytes: after.tableBytes, vacuumAt: vacuumAnalyze ? after.copyLines : nil))
                rest = plan.rest
            }
            try waitForLoaders { false }
            do {
                summary.rowsCopied += try loaders.finish()
                summary.dataMs = Date().timeIntervalSince(started) * 1000
            } catch where shouldStop() {
                throw RehearsalInterrupted()
            }
            try pool.drain(shouldStop: shouldStop) { loadingProgress(loaders) }
            summary.postDataMs = Date().timeIntervalSince(started) * 1000 - (summary.dataMs ?? 0)
            for statement in rest { try run(statement.sql, line: statement.line, on: connection, summary: &summary) }
            if vacuumAnalyze { try vacuumRemainingTables(on: connection, done: Set(loaders.afterData?.copyLines.keys.map { $0 } ?? [])) }
        } else if vacuumAnalyze {
            try connection.execute("VACUUM ANALYZE")
        }
        report(force: true)
        summary.uncompressedBytes = max(uncompressed, loaders?.uncompressedBytes ?? 0)
        summary.durationMs = Date().timeIntervalSince(started) * 1000
        summary.dumpedFromVersion = reader.header.serverVersion
        summary.pgDumpVersion = reader.header.pgDumpVersion
        return summary
    }

    static func dataKey(_ table: String) -> String { "data \(table)" }

    /// Whether a foreign key of `table` referencing `referenced` (as the dump names them) is
    /// marked valid rather than checked.
    private func trusts(_ table: String, _ referenced: String) -> Bool {
        trustsForeignKeys && ![table, referenced].contains { name in
            let prefix = PostDataPlan.catalogName(name) + "."
            return maskedColumns.contains { $0.hasPrefix(prefix) }
        }
    }

    /// The plan's jobs for the pool: each waits for its tables' data and for the indexes it
    /// needs; the bigger the tables a job works on (and the more work waits for it), the
    /// sooner it runs, so the longest chain starts first.
    /// With `vacuumAt` (each loaded table's COPY line, which a failure names), each loaded
    /// table also gets a VACUUM ANALYZE job.
    static func jobs(of plan: PostDataPlan, tableBytes: [String: Int], vacuumAt copyLines: [String: Int]? = nil) -> [RestoreWorkers.Job] {
        func bytes(_ table: String) -> Int { tableBytes[table] ?? 0 }
        let built = plan.jobs.map { job in
            let tables = [job.table] + job.referencedTables
            var prerequisites = Set(plan.prerequisites(of: job))
            for table in tables where tableBytes[table] != nil { prerequisites.insert(dataKey(table)) }
            let priority: Int
            switch job.kind {
            case .indexes:
                let waitingOnIt = Set(plan.referencedBy[job.table] ?? []).subtracting([job.table])
                priority = bytes(job.table) + waitingOnIt.map(bytes).reduce(0, +)
            case .foreignKeys:
                priority = tables.map(bytes).reduce(0, +)
            case .attachments:
                // Quick, and every foreign key waits for it.
                priority = tableBytes.values.reduce(0, +)
            }
            return RestoreWorkers.Job(key: job.key, statements: job.statements, prerequisites: prerequisites, priority: priority)
        }
        guard let copyLines else { return built }
        // Last for each table: after every job that locks it, so none of them queues behind it.
        let vacuums = copyLines.sorted { $0.key < $1.key }.map { table, line in
            RestoreWorkers.Job(
                key: "vacuum \(table)", statements: [("VACUUM (ANALYZE) \(table)", line)],
                prerequisites: Set(plan.jobsLocking(table) + [dataKey(table)]), priority: -1)
        }
        return built + vacuums
    }

    /// The partitioned tables the pre-data section created, named as pg_dump names them.
    static func partitionedTables(on connection: Connection) throws -> Set<String> {
        Set(try connection.query("""
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'p'
            """).rows.compactMap { $0[0] })
    }

    /// VACUUM ANALYZE for the tables no loader filled (data from INSERT statements, say).
    private func vacuumRemainingTables(on connection: Connection, done: Set<String>) throws {
        let tables = try connection.query("""
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
            """).rows.compactMap { $0[0] }.filter { !done.contains($0) }
        guard !tables.isEmpty else { return }
        try connection.execute("VACUUM (ANALYZE) " + tables.joined(separator: ", "))
    }

    static func isSessionSetting(_ sql: String) -> Bool {
        let upper = sql.uppercased()
        return upper.hasPrefix("SET ") || upper.hasPrefix("SELECT PG_CATALOG.SET_CONFIG(")
    }

    private func run(_ sql: String, line: Int, on connection: Connection, summary: inout RestoreSummary) throws {
        var attempts = 0
        while true {
            let result = connection.runScript(sql)
            guard let error = result.error else { return }
            guard let role = Self.missingRole(in: error), Self.isOwnershipOrGrant(sql), attempts < 4 else {
                throw SnapshotError.statementFailed(path: snapshot.path, line: line, error: error)
            }
            attempts += 1
            if createMissingRoles {
                try connection.execute("CREATE ROLE \(Identifier.quote(role)) NOLOGIN")
                summary.createdRoles.append(role)
            } else {
                summary.skippedStatements.append("line \(line): \(sql.trimmingCharacters(in: .whitespacesAndNewlines))")
                return
            }
        }
    }

    /// `role "alice" does not exist` (SQLSTATE 42704) → alice.
    static func missingRole(in error: PostgresError) -> String? {
        guard error.sqlState == SQLState.undefinedObject else { return nil }
        let message = error.message
        guard message.hasPrefix("role \""), message.hasSuffix("\" does not exist") else { return nil }
        return String(message.dropFirst(6).dropLast(16))
    }

    static func isOwnershipOrGrant(_ sql: String) -> Bool {
        let upper = sql.uppercased()
        return upper.contains(" OWNER TO ") || upper.hasPrefix("GRANT ") || upper.hasPrefix("REVOKE ")
            || upper.hasPrefix("ALTER DEFAULT PRIVILEGES") || upper.contains("SET SESSION AUTHORIZATION")
    }
}
