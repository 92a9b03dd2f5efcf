import Foundation

/// Runs the pending migrations as production will meet them, each one's round trip on the
/// way. Production runs the ups alone, so the path is the ups in order: each up is
/// rehearsed, then (where the migration has a down) its down and its up again. When only
/// the rehearsal left production's path — a down or a second up failed, or the second up
/// built another schema — the database is brought back to what production would have (this
/// migration's first up applied) and the next migration is rehearsed from there. A failing
/// first up ends the path, as it ends `migrate up`.
final class ProductionPath {
    let scenario: Scenario
    private let server: DatabaseServer
    let options: RehearsalOptions
    private let provisioner: ScratchProvisioner
    let events: (RehearsalEvent) -> Void
    /// Told when the run moves to another database (a rebuilt one).
    private let moved: (String) -> Void
    private(set) var session: MigrationSession
    private(set) var traffic: TrafficGenerator?
    /// The database's schema as it is now.
    private(set) var schema: SchemaFingerprint
    /// The schema before the first pending migration: the snapshot's.
    let snapshotSchema: SchemaFingerprint
    private(set) var states: [MigrationRehearsal]
    /// The first scratch database's name, which rebuilt ones extend.
    private let baseName: String
    private var recoveries = 0

    init(
        scenario: Scenario, server: DatabaseServer, options: RehearsalOptions, provisioner: ScratchProvisioner,
        session: MigrationSession, pending: [Migration], directory: MigrationDirectory,
        events: @escaping (RehearsalEvent) -> Void, moved: @escaping (String) -> Void
    ) throws {
        self.scenario = scenario
        self.server = server
        self.options = options
        self.provisioner = provisioner
        self.session = session
        self.events = events
        self.moved = moved
        states = pending.map { MigrationRehearsal($0, in: directory, mode: scenario.mode) }
        baseName = session.database
        schema = try session.schema.read()
        snapshotSchema = schema
    }

    /// Stops the traffic and closes migrate's session.
    func finish() {
        traffic?.stop()
        session.close()
    }

    private var interrupted: Bool { options.interruption.isInterrupted }

    /// Rehearses every pending migration; `report` gets the traffic baseline and the end
    /// state. The migrations' entries are in `states`, complete or marked not run, even when
    /// this throws.
    func run(report: inout RehearsalReport) throws {
        var stopReason: String?
        defer {
            for index in states.indices where states[index].entry.status == .notRun && states[index].entry.notRunReason == nil {
                states[index].markNotRun(stopReason ?? (interrupted ? Self.interruptedReason : "not rehearsed: the rehearsal stopped before it"))
            }
        }
        traffic = try startTraffic(report: &report)
        for index in states.indices {
            if interrupted { stopReason = Self.interruptedReason }
            if let stopReason {
                states[index].markNotRun(stopReason)
                continue
            }
            stopReason = try rehearse(index, report: &report)
        }
    }

    static let interruptedReason = "not rehearsed: the rehearsal was interrupted before it"

    /// Rehearses one migration; returns why the path ends here, or nil to go on. When the
    /// run itself stops part-way (the server went away), the migration says so.
    private func rehearse(_ index: Int, report: inout RehearsalReport) throws -> String? {
        var state = states[index]
        defer { states[index] = state }
        do {
            return try rehearse(&state, report: &report)
        } catch {
            if state.entry.steps.isEmpty {
                state.markNotRun("not rehearsed to the end: the rehearsal stopped during its up")
            } else {
                state.entry.status = .failed
            }
            throw error
        }
    }

    private func rehearse(_ state: inout MigrationRehearsal, report: inout RehearsalReport) throws -> String? {
        let migration = state.migration
        state.entry.status = .rehearsed
        state.before = schema
        let steps = stepRunner()

        var up = try steps.run(
            migration, direction: .up, pass: 1, previous: state.previousVersion,
            longTransactions: scenario.traffic?.longTransactions ?? [])
        report.endState = up.step.trackingAfter
        if up.step.status == .failed {
            state.entry.steps.append(up.step)
            state.entry.status = .failed
            if up.step.interrupted { return Self.interruptedReason }
            return "not rehearsed: migration \(migration.version) (\(migration.identifier)) failed its up, and migrate stops at the first failure"
        }
        if let traffic, let soak = scenario.traffic?.soak, soak > 0 {
            up.step.trafficAfter = traffic.measure(seconds: soak)
        }
        state.entry.steps.append(up.step)
        state.afterUp = up.evidence.schema
        schema = up.evidence.schema ?? schema
        if let reason = state.roundtripSkipReason {
            state.entry.roundtrip.skipped = reason
            return nil
        }

        let down: StepRunner.Outcome
        switch try roundTripStep(.down, pass: 1, of: &state, with: steps, failing: "its down failed", report: &report) {
        case .ended(let reason): return reason
        case .ran(let outcome): down = outcome
        }
        if let afterDown = down.evidence.schema, let before = state.before {
            state.afterDown = afterDown
            let differences = before.rollbackDifferences(afterDown: afterDown)
            state.entry.roundtrip.downRestoresSchema = differences.isEmpty
            state.entry.roundtrip.differences += differences
            events(.checkedRoundtrip(version: migration.version, differences: differences.count))
        }
        schema = down.evidence.schema ?? schema

        let reup: StepRunner.Outcome
        switch try roundTripStep(.up, pass: 2, of: &state, with: steps, failing: "its second up failed", report: &report) {
        case .ended(let reason): return reason
        case .ran(let outcome): reup = outcome
        }
        schema = reup.evidence.schema ?? schema
        if let afterReup = reup.evidence.schema, let afterUp = state.afterUp {
            state.afterReup = afterReup
            let differences = afterUp.reapplyDifferences(secondUp: afterReup)
            state.entry.roundtrip.reupMatchesFirstUp = differences.isEmpty
            state.entry.roundtrip.differences += differences
            if !differences.isEmpty {
                return try recover(&state, reason: "its second up built another schema than the first", failed: nil, report: &report)
            }
        }
        return nil
    }

    /// A round-trip step that ran, or, when it failed, why the path ends (nil: it goes on
    /// from production's state, rebuilt).
    private enum RoundTripStep {
        case ran(StepRunner.Outcome)
        case ended(String?)
    }

    private func roundTripStep(
        _ direction: MigrationDirection, pass: Int, of state: inout MigrationRehearsal, with steps: StepRunner, failing reason: String,
        report: inout RehearsalReport
    ) throws -> RoundTripStep {
        let outcome = try steps.run(state.migration, direction: direction, pass: pass, previous: state.previousVersion, longTransactions: [])
        state.entry.steps.append(outcome.step)
        report.endState = outcome.step.trackingAfter
        guard outcome.step.status == .failed else { return .ran(outcome) }
        state.entry.status = .failed
        if outcome.step.interrupted { return .ended(Self.interruptedReason) }
        return .ended(try recover(&state, reason: reason, failed: outcome, report: &report))
    }

    func stepRunner() -> StepRunner {
        StepRunner(
            migrationSession: session, executor: executor, target: server.connectionTarget, mode: scenario.mode,
            interval: options.lockSampleInterval, traffic: traffic, interruption: options.interruption,
            stepTimeout: scenario.stepTimeout, events: events)
    }

    private var executor: MigrationExecutor {
        MigrationExecutor(mode: scenario.mode, timeout: scenario.stepTimeout)
    }

    // MARK: - Back onto production's path

    /// Brings the database back to production's state after `state`'s first up; returns why
    /// the path ends when that is impossible.
    private func recover(_ state: inout MigrationRehearsal, reason: String, failed: StepRunner.Outcome?, report: inout RehearsalReport) throws -> String? {
        let version = Int64(state.migration.version)
        let expected = state.afterUp ?? schema
        let clock = ContinuousClock()
        let started = clock.now
        events(.recovering(version: state.migration.version, reason: reason))
        // A failed whole-file down is one transaction that rolled back: if the schema shows
        // nothing of it, the database is as the first up left it and only the tracking table
        // is off, which `migrate force` mends. (After a failed second up the database is as
        // the down left it: its data may differ even where its schema does not.)
        if let failed, failed.step.kind == .down, rolledBackWhole(failed, of: state.migration), failed.evidence.schema == expected {
            try session.table.write(version, dirty: false, on: session.connection)
            state.entry.recovery = .init(
                reason: "\(reason), leaving the tracking table dirty", method: .forced, replayedUps: 0,
                durationMs: (clock.now - started).milliseconds, schemaMatchesFirstUp: true)
            report.endState = try session.table.read(on: session.observer)
            return nil
        }
        let index = states.firstIndex { $0.migration.version == state.migration.version } ?? 0
        let path = states[..<index].map(\.migration) + [state.migration]
        do {
            try rebuild(through: path)
        } catch let error where !interrupted {
            state.recoveryFailure = "\(reason), and production's state could not be rebuilt by replaying the ups on a fresh copy of the snapshot: \(error)"
            return "not rehearsed: production's state could not be rebuilt after migration \(state.migration.version)"
        }
        if interrupted { return Self.interruptedReason }
        state.entry.recovery = .init(
            reason: reason, method: .rebuilt, replayedUps: path.count, durationMs: (clock.now - started).milliseconds,
            schemaMatchesFirstUp: schema == expected)
        report.endState = try session.table.read(on: session.observer)
        return nil
    }

    /// True when the failed step ran as one transaction that rolled back completely: whole-
    /// file mode, and the file does not commit on its own.
    private func rolledBackWhole(_ failed: StepRunner.Outcome, of migration: Migration) -> Bool {
        guard scenario.mode == .wholeFile, let file = migration.file(failed.step.direction) else { return false }
        return !SQLText.controlsTransactions(file.body)
    }

    /// A fresh copy of the snapshot, fast-forwarded through `path`'s ups on a new migrate
    /// session (unobserved: production runs them, the rehearsal already measured them);
    /// the run moves there, with its traffic.
    private func rebuild(through path: [Migration]) throws {
        traffic?.stop()
        traffic = nil
        let old = session.database
        session.close()
        recoveries += 1
        let name = "\(baseName)_r\(recoveries)"
        let database = try provisioner.pristineCopy(
            named: name, purpose: "scratch database of scenario \(scenario.name), rebuilt on production's path", lastUse: false)
        let rebuilt = try MigrationSession(server: server, database: database, scenario: scenario, interruption: options.interruption)
        for migration in path {
            try rebuilt.table.write(Int64(migration.version), dirty: true, on: rebuilt.connection)
            let outcome = executor.run(migration.up, on: rebuilt.connection)
            if let error = outcome.error { throw error }
            try rebuilt.table.write(Int64(migration.version), dirty: false, on: rebuilt.connection)
        }
        session = rebuilt
        moved(database)
        provisioner.discard(old)
        schema = try rebuilt.schema.read()
        if let spec = scenario.traffic {
            traffic = try TrafficGenerator(spec: spec, target: server.connectionTarget, database: database)
        }
    }

    // MARK: - Traffic

    /// Starts the scenario's traffic and measures its baseline before any migration runs.
    private func startTraffic(report: inout RehearsalReport) throws -> TrafficGenerator? {
        guard let spec = scenario.traffic else { return nil }
        events(.trafficBaseline(seconds: spec.baseline))
        let traffic = try TrafficGenerator(spec: spec, target: server.connectionTarget, database: session.database)
        let baseline = traffic.measure(seconds: spec.baseline)
        report.traffic = TrafficSummary(
            connections: spec.connections, ratePerSecond: spec.rate, baselineSeconds: spec.baseline,
            queries: spec.queries.map(\.name), baseline: baseline)
        if let failing = baseline.perQuery.first(where: { $0.errors > 0 && $0.errors == $0.count }) {
            traffic.stop()
            throw TrafficError.baselineFailure(query: failing.name, error: failing.firstError ?? "error")
        }
        return traffic
    }
}
