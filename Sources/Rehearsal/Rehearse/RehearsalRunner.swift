import Foundation
import PostgresClient

/// Rehearses a scenario on a server: puts the snapshot into a scratch database (restored,
/// or taken from the cache), reads what migrate would do, runs every pending migration on
/// production's path with its round trip (`ProductionPath`), traces the statements, and
/// judges what it saw. A run always ends in a report: bad input found on the way, a server
/// that goes away and an interrupt are recorded in it, and `exitCode` says what it means.
public final class RehearsalRunner {
    /// With the tracking table found in the snapshot once a run has looked for it.
    public private(set) var scenario: Scenario
    public let server: DatabaseServer
    public let options: RehearsalOptions
    private let directory: MigrationDirectory?
    private let events: (RehearsalEvent) -> Void
    private let provisioner: ScratchProvisioner
    /// Whether a run replays the migrations on a pristine copy after the faithful run: to
    /// trace the statements, or to check the data's round trip.
    private let replays: Bool
    private let current = LockedBox<String?>(nil)
    /// The scratch database while it exists (with `--keep`, after the run too).
    public var scratchDatabase: String? { current.value }
    /// The error that stopped the last run early, as the report's `failure` describes it.
    public private(set) var stoppedBy: Error?
    private let clock = ContinuousClock()
    /// The roles the run's migrations make, on rehearse's own server.
    private var madeRoles: MadeRoles?

    /// `directory`: the scenario's migrations, when the caller has already loaded and checked
    /// them (they are then read once per run); nil loads them.
    public init(
        scenario: Scenario, directory: MigrationDirectory? = nil, server: DatabaseServer,
        options: RehearsalOptions = RehearsalOptions(), events: @escaping (RehearsalEvent) -> Void = { _ in }
    ) {
        self.scenario = scenario
        self.directory = directory
        self.server = server
        self.options = options
        self.events = events
        replays = options.traceStatements || scenario.dataCheck != .off
        provisioner = Self.provisioner(for: server, options: options, replays: replays, events: events)
    }

    private static func provisioner(
        for server: DatabaseServer, options: RehearsalOptions, replays: Bool, events: @escaping (RehearsalEvent) -> Void
    ) -> ScratchProvisioner {
        let loading = SnapshotLoading(server: server, workers: options.restoreWorkers, interruption: options.interruption, events: events)
        if let own = server.ownServer {
            return TemplateProvisioner(server: server, own: own, loading: loading, options: options, events: events)
        }
        return DirectProvisioner(server: server, loading: loading, keepsPristineCopy: replays)
    }

    /// Rehearses every pending migration. `delivered` gets the final report before the run's
    /// last step (on the embedded server, the spare copy for the next run), so the verdict
    /// is out without waiting for it.
    @discardableResult
    public func run(delivered: (RehearsalReport) -> Void = { _ in }) -> RehearsalReport {
        perform(executing: true) { _, report in delivered(report) }.report
    }

    /// Puts the snapshot in place and reads what migrate would do, without running any
    /// migration. The plan is nil when the run stopped before it (see the report's failure).
    @discardableResult
    public func plan(delivered: (MigrationPlan?, RehearsalReport) -> Void = { _, _ in }) -> (plan: MigrationPlan?, report: RehearsalReport) {
        perform(executing: false, delivered: delivered)
    }

    private func perform(
        executing: Bool, delivered: (MigrationPlan?, RehearsalReport) -> Void
    ) -> (plan: MigrationPlan?, report: RehearsalReport) {
        var report = RehearsalReport(
            scenario: scenarioInfo(), startedAt: Self.timestamp(),
            snapshot: .init(path: scenario.snapshotPath, sha256: "", bytes: 0, restoreMs: 0, cloneMs: 0, fromCache: false),
            server: .init(version: "", embedded: server.isEmbedded, name: server.displayName))
        report.lockSampleIntervalMs = options.lockSampleInterval * 1000
        report.lockSampleQuietIntervalMs = StepObserver.quietInterval(for: options.lockSampleInterval) * 1000
        var plan: MigrationPlan?
        do {
            plan = try rehearse(executing: executing, report: &report) { plan = $0 }
        } catch {
            record(error, in: &report)
        }
        report.interrupted = report.interrupted || options.interruption.isInterrupted
        report.finishedAt = Self.timestamp()
        Verdicts.conclude(&report)
        report = report.relativized(to: RepositoryPaths.base(for: scenario.migrationsPath))
        provisioner.dropAll(keeping: options.keepDatabase ? current.value : nil)
        if !options.keepDatabase { current.value = nil }
        delivered(plan, report)
        provisioner.finish()
        if !options.keepDatabase { madeRoles?.drop() }
        madeRoles = nil
        return (plan, report)
    }

    /// An error that ended the run, as the report says it.
    private func record(_ error: Error, in report: inout RehearsalReport) {
        if error is RehearsalInterrupted || options.interruption.isInterrupted {
            report.interrupted = true
            return
        }
        stoppedBy = error
        report.failure = "\(error)"
        report.failureKind = FailureKind(classifying: error)
    }

    private func rehearse(executing: Bool, report: inout RehearsalReport, planned: (MigrationPlan) -> Void) throws -> MigrationPlan {
        let directory = try self.directory ?? MigrationDirectory.load(scenario.migrationsPath).validated()
        events(.hashingSnapshot(path: scenario.snapshotPath))
        let opening = clock.now
        let snapshot = try Snapshot.open(
            scenario.snapshotPath, hashCache: server.ownServer.map { SnapshotHashCache(directory: $0.baseDirectory) })
        report.snapshot.path = snapshot.path
        report.snapshot.sha256 = snapshot.sha256
        report.snapshot.bytes = snapshot.bytes
        report.snapshot.format = snapshot.format
        report.snapshot.identifyMs = (clock.now - opening).milliseconds
        let scratch = ScratchDatabases.scratchName(scenario: scenario.name)
        current.value = scratch
        try provisioner.provision(snapshot, as: scratch, purpose: "scratch database of scenario \(scenario.name)", info: &report.snapshot)

        if !scenario.trackingTableGiven { try findTrackingTable(in: scratch, report: &report) }
        let session = try MigrationSession(server: server, database: scratch, scenario: scenario, interruption: options.interruption)
        defer { session.close() }
        report.server.version = try session.observer.scalar("SHOW server_version") ?? ""
        let recorded = try session.table.read(on: session.connection)
        report.startVersion = recorded?.version
        let plan = try MigrationPlan.make(directory: directory, recorded: recorded, table: scenario.trackingTable)
        try session.table.ensure(on: session.connection)
        report.findings += FindingRules.planFindings(plan, directory: directory)
        events(.planned(recorded: recorded, pending: plan.pending.count))
        planned(plan)
        guard executing else { return plan }

        report.migrations = plan.pending.map {
            MigrationRehearsal($0, in: directory).entry.notRun("not rehearsed: the rehearsal stopped before it")
        }
        if server.ownServer != nil { madeRoles = try MadeRoles(server: server, on: session.observer) }
        let replayCopy = scratch + "_t", replayPurpose = "replay copy of scenario \(scenario.name)"
        if replays, !plan.pending.isEmpty {
            try provisioner.keepPristineCopy(named: replayCopy, purpose: replayPurpose)
        }
        let tables = try SnapshotTables.read(on: session.observer)
        let production = ProductionRows.resolve(
            scenario.productionRows, scenarioFile: scenario.file, manifest: SnapshotManifest.describing(snapshot), tables: tables)
        report.findings += production.findings
        report.endState = recorded
        let path = try ProductionPath(
            scenario: scenario, server: server, options: options, provisioner: provisioner, session: session,
            pending: plan.pending, directory: directory, events: events) { [current] in current.value = $0 }
        // The copy was made beside the reads above; the steps run alone.
        try provisioner.waitForPristineCopy()
        var stopped: Error?
        do {
            try path.run(report: &report)
            if scenario.releaseRollback, !options.interruption.isInterrupted {
                report.releaseRollback = try path.rollBackRelease(from: recorded?.version)
            }
        } catch {
            stopped = error
        }
        path.finish()
        provisioner.stepsDone()
        // Nothing reads the scratch database any more: it goes beside the replay; or first,
        // when the migrations made roles, which go with it before the replay makes them again.
        if !options.keepDatabase {
            if replays, let madeRoles, madeRoles.any() {
                provisioner.discard(path.session.database)
                madeRoles.drop()
            } else {
                provisioner.discardInBackground(path.session.database)
            }
        }
        var states = path.states
        // The versions the release rollback went back through, when it reached the snapshot's.
        let rolledBack = report.releaseRollback.flatMap { $0.schemaRestored == nil ? nil : $0.steps.map(\.version) }
        if stopped == nil, !options.interruption.isInterrupted, replays {
            do {
                let copy = try provisioner.pristineCopy(named: replayCopy, purpose: replayPurpose, lastUse: true)
                // It goes while the run is judged and its report written.
                defer { provisioner.discardInBackground(copy) }
                let releaseData = try ReplayPass(
                    server: server, scenario: scenario, traceStatements: options.traceStatements,
                    interruption: options.interruption, events: events
                ).replay(&states, on: copy, rolledBack: rolledBack)
                if let releaseData {
                    report.releaseRollback?.dataDifferences = releaseData
                    report.releaseRollback?.dataRestored = releaseData.isEmpty
                }
            } catch {
                stopped = error
            }
        }
        let rows = tables.rows
        for index in states.indices {
            ScaleModel.annotate(&states[index], rows: rows, production: production.rows)
            states[index].entry.findings = FindingRules.migrationFindings(
                states[index], scenario: scenario, rows: rows, baseline: report.traffic?.baseline)
        }
        report.migrations = states.map(\.entry)
        if let rollback = report.releaseRollback {
            report.findings += ReleaseFindings.make(rollback, states: states, baseline: report.traffic?.baseline)
        }
        if let stopped { throw stopped }
        return plan
    }

    /// The scenario names no tracking table: the one of migrate's shape in the snapshot, if
    /// there is one (else migrate's default, which it would create).
    private func findTrackingTable(in database: String, report: inout RehearsalReport) throws {
        let connection = try server.connect(database: database)
        switch try TrackingTableDiscovery.find(on: connection) {
        case .found(let candidate):
            scenario.trackingTable = candidate.setting
            scenario.trackingTableGiven = true
            report.scenario.trackingTable = candidate.setting
            report.scenario.trackingTableFound = true
            events(.foundTrackingTable(candidate.setting))
        case .none:
            events(.foundTrackingTable(nil))
        case .ambiguous(let candidates):
            let names = candidates.map { "\($0.schema).\($0.name)" }.joined(separator: ", ")
            throw ScenarioError(
                file: scenario.file, key: "tracking_table",
                problem: "is not set, and the snapshot has \(candidates.count) tables of migrate's shape (version, dirty): \(names); set tracking_table (or --tracking-table) to the one migrate uses")
        }
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
