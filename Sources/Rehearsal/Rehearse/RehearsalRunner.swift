import Foundation

/// Rehearses a scenario on a server: restores (or clones) the snapshot into a scratch
/// database, then runs every pending migration up, down and up again on one session, as
/// golang-migrate would, observing each step and checking the round trip.
public final class RehearsalRunner {
    public let scenario: Scenario
    public let server: DatabaseServer
    public let options: RehearsalOptions
    private let events: (RehearsalEvent) -> Void
    private let scratch = LockedBox<String?>(nil)
    /// The scratch database while it exists; a signal handler may read it from another thread.
    public var scratchDatabase: String? { scratch.value }
    private let clock = ContinuousClock()

    public init(scenario: Scenario, server: DatabaseServer, options: RehearsalOptions = RehearsalOptions(), events: @escaping (RehearsalEvent) -> Void = { _ in }) {
        self.scenario = scenario
        self.server = server
        self.options = options
        self.events = events
    }

    public func run() throws -> RehearsalReport {
        try run(executing: true) { _ in }
    }

    private func run(executing: Bool, planned: (MigrationPlan) -> Void) throws -> RehearsalReport {
        let directory = try MigrationDirectory.load(scenario.migrationsPath)
        events(.hashingSnapshot(path: scenario.snapshotPath))
        let snapshot = try Snapshot.open(scenario.snapshotPath)
        let databases = ScratchDatabases(server: server)
        let scratch = ScratchDatabases.scratchName(scenario: scenario.name)
        var report = RehearsalReport(
            scenario: scenarioInfo(),
            startedAt: Self.timestamp(),
            snapshot: .init(path: snapshot.path, sha256: snapshot.sha256, bytes: snapshot.bytes, restoreMs: 0, cloneMs: 0, fromCache: false),
            server: .init(version: "", embedded: server.isEmbedded, name: server.displayName))
        report.lockSampleIntervalMs = options.lockSampleInterval * 1000

        if server.isEmbedded {
            let cache = TemplateCache(databases: databases)
            let (template, restored) = try cache.template(for: snapshot) { database in
                try restore(snapshot, into: database)
            }
            report.snapshot.restore = restored
            report.snapshot.restoreMs = restored?.durationMs ?? 0
            report.snapshot.fromCache = restored == nil
            events(.cloningTemplate(name: template))
            let started = clock.now
            try databases.create(scratch, template: template, purpose: "scratch database of scenario \(scenario.name)")
            self.scratch.value = scratch
            report.snapshot.cloneMs = (clock.now - started).milliseconds
        } else {
            try databases.create(scratch, purpose: "scratch database of scenario \(scenario.name)")
            self.scratch.value = scratch
        }
        defer { dropScratch() }
        if !server.isEmbedded {
            let summary = try restore(snapshot, into: scratch)
            report.snapshot.restore = summary
            report.snapshot.restoreMs = summary.durationMs
        }
        do {
            try rehearse(directory: directory, database: scratch, executing: executing, planned: planned, report: &report)
        } catch where options.interruption.isInterrupted {
            // The cancelled statement's error is the interruption itself.
        }
        if options.interruption.isInterrupted {
            report.interrupted = true
            report.finishedAt = Self.timestamp()
            Verdicts.conclude(&report)
            throw RehearsalInterrupted(partial: report)
        }
        report.finishedAt = Self.timestamp()
        Verdicts.conclude(&report)
        return report
    }

    /// Restores (or clones) the snapshot and reads what migrate would do, without running
    /// any migration.
    public func plan() throws -> (plan: MigrationPlan, report: RehearsalReport) {
        var captured: MigrationPlan?
        let report = try run(executing: false) { captured = $0 }
        return (captured!, report)
    }

    /// Drops the scratch database unless asked to keep it; safe to call twice.
    public func dropScratch() {
        guard let name = scratch.value, !options.keepDatabase else { return }
        try? ScratchDatabases(server: server).drop(name)
        scratch.value = nil
    }

    // MARK: - Restore

    private func restore(_ snapshot: Snapshot, into database: String) throws -> RestoreSummary {
        let connection = try server.connect(database: database)
        let restorer = SnapshotRestorer(
            snapshot: snapshot, createMissingRoles: server.isEmbedded,
            serverMajorVersion: connection.serverVersionNumber / 10000)
        options.interruption.watch(connection.makeCancelHandle())
        defer { options.interruption.watch(nil) }
        let summary = try restorer.restore(into: connection) { events(.restoring($0)) }
        try options.interruption.check()
        events(.restored(summary))
        return summary
    }

    // MARK: - Rehearsal

    private func rehearse(
        directory: MigrationDirectory, database: String, executing: Bool, planned: (MigrationPlan) -> Void,
        report: inout RehearsalReport
    ) throws {
        let session = try server.connect(database: database)
        let observer = try server.connect(database: database)
        options.interruption.watch(session.makeCancelHandle())
        defer { options.interruption.watch(nil) }
        report.server.version = try observer.scalar("SHOW server_version") ?? ""
        for (name, value) in scenario.session {
            do {
                try session.execute("SET \(name) = \(Identifier.literal(value))")
            } catch let error as PostgresError {
                throw ScenarioError(file: scenario.file, key: "session.\(name)", problem: "PostgreSQL rejects it: \(error.message)")
            }
        }
        let table = TrackingTable(name: scenario.trackingTable)
        let schema = try session.scalar("SELECT current_schema()") ?? "public"
        let lockKey = AdvisoryLock.key(schema: schema, table: table.name, database: "/" + database)
        try session.query("SELECT pg_advisory_lock($1::bigint)", [String(lockKey)])
        defer { _ = try? session.query("SELECT pg_advisory_unlock($1::bigint)", [String(lockKey)]) }

        let recorded = try table.read(on: session)
        report.startVersion = recorded?.version
        let plan = try MigrationPlan.make(directory: directory, recorded: recorded, table: table.name)
        try table.ensure(on: session)
        report.findings += FindingRules.planFindings(plan, directory: directory)
        events(.planned(recorded: recorded, pending: plan.pending.count))
        planned(plan)
        guard executing else { return }

        let executor = MigrationExecutor(mode: scenario.mode, timeout: scenario.stepTimeout)
        var stopped = false
        report.endState = recorded
        for migration in plan.pending {
            var entry = MigrationReport(
                version: migration.version, name: migration.identifier, upFile: migration.up?.path,
                downFile: migration.down?.path, status: stopped ? .notRun : .rehearsed)
            if stopped || options.interruption.isInterrupted {
                entry.status = .notRun
                report.migrations.append(entry)
                continue
            }
            let previous = MigrationPlan.previousVersion(before: migration, in: directory)
            let context = StepContext(
                migration: migration, previous: previous, session: session, observer: observer,
                table: table, executor: executor, database: database)
            let before = try SchemaFingerprint.read(on: observer)
            var afterUp: SchemaFingerprint?
            for (direction, pass) in [(MigrationDirection.up, 1), (.down, 1), (.up, 2)] {
                if options.interruption.isInterrupted { break }
                let step = try runStep(direction: direction, pass: pass, context: context)
                entry.steps.append(step)
                report.endState = step.trackingAfter
                if step.status == .failed {
                    entry.status = .failed
                    stopped = true
                    break
                }
                let now = try SchemaFingerprint.read(on: observer)
                switch (direction, pass) {
                case (.up, 1):
                    afterUp = now
                case (.down, _):
                    let differences = before.rollbackDifferences(afterDown: now)
                    entry.roundtrip.downRestoresSchema = differences.isEmpty
                    entry.roundtrip.differences += differences
                    events(.checkedRoundtrip(version: migration.version, differences: differences.count))
                default:
                    let differences = afterUp.map { $0.reapplyDifferences(secondUp: now) } ?? []
                    entry.roundtrip.reupMatchesFirstUp = differences.isEmpty
                    entry.roundtrip.differences += differences
                }
            }
            entry.findings = FindingRules.migrationFindings(entry, migration: migration, before: before, scenario: scenario)
            report.migrations.append(entry)
        }
    }

    private struct StepContext {
        var migration: Migration
        var previous: Int64
        var session: Connection
        var observer: Connection
        var table: TrackingTable
        var executor: MigrationExecutor
        var database: String
    }

    /// One step with migrate's dirty protocol: record (target, dirty), run the body, record
    /// (target, clean) only if it succeeded.
    private func runStep(direction: MigrationDirection, pass: Int, context: StepContext) throws -> StepReport {
        let migration = context.migration
        events(.stepStarted(version: migration.version, name: migration.identifier, direction: direction, pass: pass))
        let target = direction == .up ? Int64(migration.version) : context.previous
        let file = migration.file(direction)
        try context.table.write(target, dirty: true, on: context.session)

        let target_ = server.connectionTarget
        let database = context.database
        let sampler = LockSampler(pid: context.session.backendPID, interval: options.lockSampleInterval) {
            try Connection(target_, database: database, applicationName: "rehearse-observer")
        }
        let serverStart = try context.session.scalar("SELECT extract(epoch FROM clock_timestamp())").flatMap(Double.init)
        let started = clock.now
        let outcome = context.executor.run(file, on: context.session)
        let wall = (clock.now - started).milliseconds
        let serverEnd = try? context.session.scalar("SELECT extract(epoch FROM clock_timestamp())").flatMap(Double.init)
        let locks = sampler.stop()

        var step = StepReport(direction: direction, pass: pass, status: .ok, durationMs: wall)
        step.locks = locks
        step.notices = outcome.notices
        step.timedOut = outcome.timedOut
        let lines = file.map { StatementLines.startLines(of: $0.body) } ?? []
        step.statements = outcome.statements.enumerated().map { index, result in
            StatementReport(line: index < lines.count ? lines[index] : nil, command: result.command, rows: result.rowsAffected)
        }
        if outcome.skipped {
            step.status = .skipped
            step.skipReason = file == nil ? "no \(direction.rawValue) file: migrate records the version change without running SQL" : "blank file: migrate sends nothing"
        }
        if var error = outcome.error {
            // Without a server position, the failing statement is the one after those that completed.
            if error.line == nil, outcome.statements.count < lines.count {
                error.line = lines[outcome.statements.count]
            }
            if options.interruption.isInterrupted {
                step.interrupted = true
                error.message = "interrupted: " + error.message
            } else if outcome.timedOut {
                error.message = "cancelled after the scenario's step_timeout of \(scenario.stepTimeout.map { "\($0)" } ?? "?") s: " + error.message
            }
            step.status = .failed
            step.error = error
            // A file with its own BEGIN leaves the session in a failed transaction.
            _ = context.session.runScript("ROLLBACK")
        } else {
            try context.table.write(target, dirty: false, on: context.session)
        }
        if let serverStart, let serverEnd {
            step.serverMs = (serverEnd - serverStart) * 1000
        }
        step.trackingAfter = try context.table.read(on: context.observer)
        events(.stepFinished(version: migration.version, step: step))
        return step
    }

    private func scenarioInfo() -> RehearsalReport.ScenarioInfo {
        .init(
            name: scenario.name, file: scenario.file, migrations: scenario.migrationsPath,
            trackingTable: scenario.trackingTable, mode: scenario.mode,
            session: Dictionary(scenario.session.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
            stepTimeoutSeconds: scenario.stepTimeout, budgets: scenario.budgets)
    }

    static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}

extension Duration {
    var milliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}
