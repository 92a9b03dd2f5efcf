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
    private let traceDatabase = LockedBox<String?>(nil)
    /// Embedded server: the template the scratch database was copied from.
    private var template: String?
    /// Embedded server: the template the trace clone is made from after the faithful run.
    private var traceTemplate: String?
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
        try directory.validate()
        events(.hashingSnapshot(path: scenario.snapshotPath))
        let opening = clock.now
        let snapshot = try Snapshot.open(
            scenario.snapshotPath, hashCache: (server as? EmbeddedCluster).map { SnapshotHashCache(directory: $0.baseDirectory) })
        let identifyMs = (clock.now - opening).milliseconds
        let databases = ScratchDatabases(server: server)
        let scratch = ScratchDatabases.scratchName(scenario: scenario.name)
        var report = RehearsalReport(
            scenario: scenarioInfo(),
            startedAt: Self.timestamp(),
            snapshot: .init(path: snapshot.path, sha256: snapshot.sha256, bytes: snapshot.bytes, identifyMs: identifyMs, restoreMs: 0, cloneMs: 0, fromCache: false),
            server: .init(version: "", embedded: server.isEmbedded, name: server.displayName))
        report.lockSampleIntervalMs = options.lockSampleInterval * 1000
        report.lockSampleQuietIntervalMs = StepObserver.quietInterval(for: options.lockSampleInterval) * 1000

        if server.isEmbedded {
            let cache = TemplateCache(databases: databases)
            var started = clock.now
            let (template, restored) = try cache.template(for: snapshot) { database in
                try restore(snapshot, into: database)
            }
            report.snapshot.restore = restored
            // Cold: everything from an empty server to a ready template, settings switches included.
            report.snapshot.restoreMs = restored == nil ? 0 : (clock.now - started).milliseconds
            report.snapshot.fromCache = restored == nil
            events(.cloningTemplate(name: template))
            started = clock.now
            let purpose = "scratch database of scenario \(scenario.name)"
            let spare = try cache.takeSpare(of: template, as: scratch, purpose: purpose)
            if !spare { try databases.create(scratch, template: template, purpose: purpose) }
            self.scratch.value = scratch
            report.snapshot.cloneMs = (clock.now - started).milliseconds
            report.snapshot.fromSpare = spare
            self.template = template
            // The trace clone is made after the faithful run, so its copying cannot slow the steps.
            traceTemplate = executing && options.traceStatements ? template : nil
        } else {
            try databases.create(scratch, purpose: "scratch database of scenario \(scenario.name)")
            self.scratch.value = scratch
        }
        defer { dropScratch() }
        if !server.isEmbedded {
            let summary = try restore(snapshot, into: scratch)
            report.snapshot.restore = summary
            report.snapshot.restoreMs = summary.durationMs
            if executing && options.traceStatements {
                // Cloned before any session opens on the scratch database (a template must be idle).
                try databases.create(scratch + "_t", template: scratch, purpose: "statement trace clone of scenario \(scenario.name)")
                traceDatabase.value = scratch + "_t"
                // Let the copy reach the disk now rather than during the measured steps.
                sync()
            }
        }
        do {
            try rehearse(directory: directory, database: scratch, executing: executing, planned: planned, report: &report)
        } catch where options.interruption.isInterrupted {
            // The cancelled statement's error is the interruption itself.
        } catch let error as PostgresError where error.kind == .connection {
            report.interrupted = true
            report.failure = "\(error)"
            report.finishedAt = Self.timestamp()
            Verdicts.conclude(&report)
            throw RehearsalAborted(partial: report, reason: error)
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

    /// Embedded server, after the report is out: copies the template into a spare the next
    /// run takes by renaming it, so that run does not wait for the copy. Best effort: a run
    /// never fails because no spare could be made.
    public func prepareSpare() {
        guard options.keepSpare, let template, let cluster = server as? EmbeddedCluster,
              !options.interruption.isInterrupted else { return }
        let cache = TemplateCache(databases: ScratchDatabases(server: server))
        do {
            let outcome = try cache.prepareSpare(
                of: template, dataDirectory: cluster.dataDirectory, interruption: options.interruption
            ) { events(.preparingSpare) }
            events(.preparedSpare(outcome))
        } catch {
            if !options.interruption.isInterrupted { events(.spareFailed("\(error)")) }
        }
    }

    /// Drops the scratch database unless asked to keep it; safe to call twice.
    public func dropScratch() {
        if let trace = traceDatabase.value {
            try? ScratchDatabases(server: server).drop(trace)
            traceDatabase.value = nil
        }
        guard let name = scratch.value, !options.keepDatabase else { return }
        try? ScratchDatabases(server: server).drop(name)
        scratch.value = nil
    }

    // MARK: - Restore

    private func restore(_ snapshot: Snapshot, into database: String) throws -> RestoreSummary {
        // The embedded server is ours: load with durability off and minimal WAL, then put
        // production-like settings back before anything is measured.
        let cluster = server as? EmbeddedCluster
        if let cluster { try cluster.restart(loading: true) }
        defer { if let cluster, cluster.isLoading { try? cluster.restart(loading: false) } }
        // Without fsync the load leaves its files to the kernel: write them out as it goes,
        // while the CPU is busy, so the final sync has little left.
        let flushing = cluster.map { _ in PeriodicSync(interval: 1) }
        defer { flushing?.stop() }
        let connection = try server.connect(database: database)
        var restorer = SnapshotRestorer(
            snapshot: snapshot, createMissingRoles: server.isEmbedded,
            serverMajorVersion: connection.serverVersionNumber / 10000)
        let target = server.connectionTarget
        restorer.workers = options.restoreWorkers
        restorer.connect = { try Connection(target, database: database, applicationName: "rehearse-restore") }
        restorer.skipWAL = cluster != nil
        // Production has statistics and a visibility map; a template should too.
        restorer.vacuumAnalyze = cluster != nil
        let interruption = options.interruption
        restorer.shouldStop = { interruption.isInterrupted }
        interruption.watch(connection.makeCancelHandle())
        defer { interruption.watch(nil) }
        var summary = try restorer.restore(into: connection) { events(.restoring($0)) }
        summary.workers = options.restoreWorkers
        if let cluster {
            let started = clock.now
            // The restart's fast shutdown checkpoints everything the load wrote.
            try cluster.restart(loading: false)
            // The load ran with fsync off: put the template on disk before trusting it.
            sync()
            summary.finishMs = (clock.now - started).milliseconds
        }
        try interruption.check()
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

        let snapshotRows = try Self.tableRows(on: observer)
        let recorded = try table.read(on: session)
        report.startVersion = recorded?.version
        let plan = try MigrationPlan.make(directory: directory, recorded: recorded, table: table.name)
        try table.ensure(on: session)
        report.findings += FindingRules.planFindings(plan, directory: directory)
        events(.planned(recorded: recorded, pending: plan.pending.count))
        planned(plan)
        guard executing else { return }

        let traffic = try startTraffic(database: database, report: &report)
        defer { traffic?.stop() }
        let steps = StepRunner(
            session: session, observer: observer, table: table,
            executor: MigrationExecutor(mode: scenario.mode, timeout: scenario.stepTimeout),
            target: server.connectionTarget, database: database, mode: scenario.mode,
            interval: options.lockSampleInterval, traffic: traffic, interruption: options.interruption,
            stepTimeout: scenario.stepTimeout, events: events)
        var stopped = false
        report.endState = recorded
        var fingerprintsBefore: [SchemaFingerprint?] = []
        var fingerprintsAfterUp: [SchemaFingerprint?] = []
        for migration in plan.pending {
            var entry = MigrationReport(
                version: migration.version, name: migration.identifier, upFile: migration.up?.path,
                downFile: migration.down?.path, status: .rehearsed)
            if stopped || options.interruption.isInterrupted {
                entry.status = .notRun
                report.migrations.append(entry)
                fingerprintsBefore.append(nil)
                fingerprintsAfterUp.append(nil)
                continue
            }
            let previous = MigrationPlan.previousVersion(before: migration, in: directory)
            let before = try SchemaFingerprint.read(on: observer)
            var afterUp: SchemaFingerprint?
            for (direction, pass) in [(MigrationDirection.up, 1), (.down, 1), (.up, 2)] {
                if options.interruption.isInterrupted { break }
                var step = try steps.run(
                    migration, direction: direction, pass: pass, previous: previous,
                    longTransactions: pass == 1 && direction == .up ? scenario.traffic?.longTransactions ?? [] : [])
                if step.status == .failed {
                    entry.steps.append(step)
                    report.endState = step.trackingAfter
                    entry.status = .failed
                    stopped = true
                    break
                }
                report.endState = step.trackingAfter
                if direction == .up, pass == 1, let traffic, let spec = scenario.traffic, spec.soak > 0 {
                    step.trafficAfter = soak(traffic, seconds: spec.soak)
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
                entry.steps.append(step)
            }
            report.migrations.append(entry)
            fingerprintsBefore.append(before)
            fingerprintsAfterUp.append(afterUp)
        }
        if traceDatabase.value == nil, let template = traceTemplate, !options.interruption.isInterrupted {
            try ScratchDatabases(server: server).create(
                database + "_t", template: template, purpose: "statement trace clone of scenario \(scenario.name)")
            traceDatabase.value = database + "_t"
        }
        if let trace = traceDatabase.value {
            traceStatements(of: plan.pending, on: trace, report: &report)
        }
        ScaleModel.annotate(&report, rows: snapshotRows, production: scenario.productionRows)
        for (index, migration) in plan.pending.enumerated() where index < fingerprintsBefore.count {
            let entry = report.migrations[index]
            guard entry.status != .notRun, let before = fingerprintsBefore[index] else { continue }
            report.migrations[index].findings = FindingRules.migrationFindings(
                entry, migration: migration, before: before, afterUp: fingerprintsAfterUp[index], scenario: scenario,
                baseline: report.traffic?.baseline)
        }
    }

    /// Starts the scenario's traffic and measures its baseline before any migration runs.
    private func startTraffic(database: String, report: inout RehearsalReport) throws -> TrafficGenerator? {
        guard let spec = scenario.traffic else { return nil }
        events(.trafficBaseline(seconds: spec.baseline))
        let traffic = try TrafficGenerator(spec: spec, target: server.connectionTarget, database: database)
        let start = traffic.serverNow
        Thread.sleep(forTimeInterval: spec.baseline)
        let end = traffic.serverNow
        let names = spec.queries.map(\.name)
        let baseline = TrafficAnalysis.stats(
            traffic.executions(from: start, to: end).filter { $0.start >= start }, names: names, blocked: [],
            expectedInterval: Double(spec.connections) / spec.rate)
        report.traffic = TrafficSummary(
            connections: spec.connections, ratePerSecond: spec.rate, baselineSeconds: spec.baseline,
            queries: names, baseline: baseline)
        if let failing = baseline.perQuery.first(where: { $0.errors > 0 && $0.errors == $0.count }) {
            traffic.stop()
            throw TrafficError.baselineFailure(query: failing.name, error: failing.firstError ?? "error")
        }
        return traffic
    }

    /// Lets the deployed code's traffic run against the new schema for a while.
    private func soak(_ traffic: TrafficGenerator, seconds: Double) -> StepTraffic {
        let start = traffic.serverNow
        Thread.sleep(forTimeInterval: seconds)
        let end = traffic.serverNow
        traffic.settle(before: end)
        let executions = traffic.executions(from: start, to: end).filter { $0.start >= start && $0.start <= end }
        return TrafficAnalysis.stats(
            executions, names: traffic.spec.queries.map(\.name), blocked: [],
            expectedInterval: Double(traffic.spec.connections) / traffic.spec.rate)
    }

    /// Per-statement attribution: after the faithful run, the same migrations run again on a
    /// fresh clone of the snapshot, statement by statement inside a transaction — each up
    /// committed (so the clone advances as production would), each down rolled back — and
    /// every statement's time, locks, rewrites and rows are attached to the faithful steps.
    private func traceStatements(of pending: [Migration], on database: String, report: inout RehearsalReport) {
        guard let connection = try? server.connect(database: database) else { return }
        for (name, value) in scenario.session {
            _ = connection.runScript("SET \(name) = \(Identifier.literal(value))")
        }
        for (index, migration) in pending.enumerated() where index < report.migrations.count {
            if options.interruption.isInterrupted { return }
            var entry = report.migrations[index]
            guard entry.status != .notRun, let upStep = entry.steps.first, upStep.status == .ok else { return }
            events(.tracing(version: migration.version))
            guard attachTrace(of: migration.up, to: &entry.steps[0], on: connection, commit: true) else {
                report.migrations[index] = entry
                return
            }
            if entry.steps.count > 1 {
                attachTrace(of: migration.down, to: &entry.steps[1], on: connection, commit: false)
            }
            report.migrations[index] = entry
        }
    }

    /// Traces one file onto `step`; returns false when the clone could not follow the
    /// faithful run (so later migrations cannot be traced either).
    @discardableResult
    private func attachTrace(of file: MigrationFile?, to step: inout StepReport, on connection: Connection, commit: Bool) -> Bool {
        guard let file, !file.isBlank, step.status == .ok else { return true }
        if let reason = StatementTracer.reasonNotTraceable(file.body) {
            step.traceNote = "not traced statement by statement: \(reason); figures are for the whole file"
            // The clone must still move forward as the faithful run did.
            return !commit || connection.runScript(file.body).error == nil
        }
        guard let traced = StatementTracer.trace(file.body, on: connection, commit: commit), traced.count == step.statements.count else {
            step.traceNote = "the traced re-run did not complete; figures are for the whole file"
            return false
        }
        for index in traced.indices {
            step.statements[index].durationMs = traced[index].durationMs
            step.statements[index].locks = traced[index].locks
            step.statements[index].rewrote = traced[index].rewrote
        }
        step.traced = true
        step.traceNote = "statement durations, locks and rewrites from a re-run statement by statement in a transaction on a fresh clone of the snapshot; step times, lock hold times and waits from the faithful run"
        return true
    }

    private func scenarioInfo() -> RehearsalReport.ScenarioInfo {
        .init(
            name: scenario.name, file: scenario.file, migrations: scenario.migrationsPath,
            trackingTable: scenario.trackingTable, mode: scenario.mode,
            session: Dictionary(scenario.session.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
            stepTimeoutSeconds: scenario.stepTimeout, budgets: scenario.budgets)
    }

    /// Rows per table as the snapshot has them: planner statistics where the table was
    /// analysed, an exact count where it never was.
    static func tableRows(on connection: Connection) throws -> [String: Int64] {
        let rows = try connection.query(
            """
            SELECT n.nspname || '.' || c.relname, c.reltuples::bigint
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'
            """
        ).rows
        var counts: [String: Int64] = [:]
        for row in rows {
            guard let name = row[0], let estimate = row[1].flatMap({ Int64($0) }) else { continue }
            if estimate >= 0 {
                counts[name] = estimate
            } else {
                let parts = name.split(separator: ".", maxSplits: 1).map { Identifier.quote(String($0)) }.joined(separator: ".")
                counts[name] = try connection.scalar("SELECT count(*) FROM \(parts)").flatMap { Int64($0) }
            }
        }
        return counts
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
