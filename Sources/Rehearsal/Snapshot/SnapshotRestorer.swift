import Foundation

/// Restores a plain `pg_dump` into an empty database. Statements run one by one with the
/// simple-query protocol on the main session; with `workers` > 0, `DataLoaders` load the
/// COPY blocks on several sessions at once, and the post-data section (indexes,
/// constraints) is built in parallel across tables after the data, as pg_restore -j does.
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
    /// Polled while reading; returning true stops the restore.
    public var shouldStop: () -> Bool = { false }

    public init(snapshot: Snapshot, createMissingRoles: Bool, serverMajorVersion: Int) {
        self.snapshot = snapshot
        self.createMissingRoles = createMissingRoles
        self.serverMajorVersion = serverMajorVersion
    }

    public func restore(into connection: Connection, progress: (RestoreProgress) -> Void = { _ in }) throws -> RestoreSummary {
        let started = Date()
        let decompressor = try DecompressingReader(path: snapshot.path)
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
            progress(RestoreProgress(
                compressedBytesRead: loaders.progressOffset, totalBytes: snapshot.bytes,
                uncompressedBytes: loaders.uncompressedBytes, rowsCopied: summary.rowsCopied + loaders.rowsCopied,
                elapsedSeconds: Date().timeIntervalSince(started)))
        }
        var checkedVersion = false
        var sessionStatements: [String] = []
        var postData: [PostDataPlan.Statement] = []
        var sawData = false
        reading: while let item = try reader.next() {
            if shouldStop() {
                stopping.value = true
                _ = try? loaders?.finish()
                throw RehearsalInterrupted(partial: nil)
            }
            if !checkedVersion {
                checkedVersion = true
                if let major = reader.header.pgDumpMajor, major > serverMajorVersion {
                    throw SnapshotError.newerDump(path: snapshot.path, dumpVersion: major, serverVersion: serverMajorVersion)
                }
            }
            switch item {
            case .statement(let sql, let line):
                if pool != nil, sawData, !postData.isEmpty || PostDataPlan.isPostData(sql) {
                    postData.append((sql, line))
                } else {
                    try run(sql, line: line, on: connection, summary: &summary)
                    if Self.isSessionSetting(sql) {
                        sessionStatements.append(sql)
                        pool?.setSessionStatements(sessionStatements)
                    }
                }
            case .copy(let sql, let line):
                sawData = true
                if pool != nil {
                    // From here the loaders read the snapshot themselves, and the first of
                    // them keeps the statements that follow the data; this pass is done.
                    loaders = DataLoaders(count: workers, path: snapshot.path, skipWAL: skipWAL, shouldStop: stopFlag, connect: connect!)
                    break reading
                } else {
                    do {
                        summary.rowsCopied += try connection.copyIn(sql) { writer in
                            try reader.copyData(startLine: line) { batch in
                                if shouldStop() { throw RehearsalInterrupted(partial: nil) }
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
        if let loaders {
            while !loaders.isDone {
                loadingProgress(loaders)
                Thread.sleep(forTimeInterval: 0.2)
            }
            do {
                summary.rowsCopied += try loaders.finish()
                summary.dataMs = Date().timeIntervalSince(started) * 1000
            } catch where shouldStop() {
                throw RehearsalInterrupted(partial: nil)
            }
            for (sql, line) in loaders.statementsAfterData {
                if !postData.isEmpty || PostDataPlan.isPostData(sql) {
                    postData.append((sql, line))
                } else {
                    try run(sql, line: line, on: connection, summary: &summary)
                }
                summary.statements += 1
            }
        }
        if let pool {
            let plan = PostDataPlan(postData)
            var phaseStart = Date()
            for (phase, groups) in [plan.indexGroups, plan.foreignKeyGroups].enumerated() {
                for group in groups { try pool.submit(.statements(group)) }
                try pool.drain()
                let elapsed = Date().timeIntervalSince(phaseStart) * 1000
                if phase == 0 { summary.indexesMs = elapsed } else { summary.foreignKeysMs = elapsed }
                phaseStart = Date()
            }
            for statement in plan.rest { try run(statement.sql, line: statement.line, on: connection, summary: &summary) }
        }
        report(force: true)
        summary.uncompressedBytes = max(uncompressed, loaders?.uncompressedBytes ?? 0)
        summary.durationMs = Date().timeIntervalSince(started) * 1000
        summary.dumpedFromVersion = reader.header.serverVersion
        summary.pgDumpVersion = reader.header.pgDumpVersion
        return summary
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
        guard error.sqlState == "42704" else { return nil }
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
