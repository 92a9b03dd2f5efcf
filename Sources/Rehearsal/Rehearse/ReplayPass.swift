import PostgresClient

/// The production path replayed on a pristine copy of the snapshot, with no traffic, after
/// the faithful run: each up committed as production would, each down tried in a
/// transaction of its own and rolled back. On the way it attributes time, locks and
/// rewrites to each statement (`traceStatements`), checks that each down brings the data
/// of the tables its migration touched back (`Scenario.dataCheck`), and at the end rolls
/// the whole release back to compare the data with the snapshot's.
final class ReplayPass {
    let server: DatabaseServer
    let scenario: Scenario
    let traceStatements: Bool
    let interruption: InterruptionToken
    let events: (RehearsalEvent) -> Void
    /// The copy's relation files as the replay left them, while it knows them: a traced
    /// file ends with them, and the next one starts from there.
    private var files: RelationFiles?

    init(
        server: DatabaseServer, scenario: Scenario, traceStatements: Bool, interruption: InterruptionToken,
        events: @escaping (RehearsalEvent) -> Void
    ) {
        self.server = server
        self.scenario = scenario
        self.traceStatements = traceStatements
        self.interruption = interruption
        self.events = events
    }

    private var checksData: Bool { scenario.dataCheck != .off }

    /// Replays `states` on `database`; with `rolledBack` (the versions the release rollback
    /// went back through), returns what that rollback leaves of the snapshot's data.
    func replay(_ states: inout [MigrationRehearsal], on database: String, rolledBack: [UInt64]?) throws -> [DataLoss]? {
        let connection = try server.connect(database: database)
        for (name, value) in scenario.session {
            _ = connection.runScript("SET \(name) = \(Identifier.literal(value))")
        }
        // The copy is thrown away and no figure of the replay times a commit: its commits
        // need not wait for the disk.
        _ = connection.runScript("SET synchronous_commit = off")
        let rolledBackStates = states.filter { rolledBack?.contains($0.migration.version) == true }
        let releaseTables = checksData ? Set(rolledBackStates.flatMap { DataCheckTables.tables(for: $0, check: scenario.dataCheck) })
            .intersection(states.first?.before?.tables ?? []).sorted() : []
        let releasePlans = try DataFingerprint.plans(for: releaseTables, sampleAbove: scenario.dataCheckRows, on: connection)
        let snapshotData = try DataFingerprint.read(releasePlans, on: connection)
        var replayed: [Migration] = []
        for index in states.indices {
            if interruption.isInterrupted { return nil }
            guard states[index].entry.status != .notRun,
                let up = states[index].entry.steps.firstIndex(where: { $0.kind == .up }), states[index].entry.steps[up].status == .ok
            else { break }
            events(.tracing(version: states[index].migration.version))
            guard try replay(&states[index], upStep: up, on: connection) else { return nil }
            replayed.append(states[index].migration)
        }
        guard checksData, let rolledBack, Set(replayed.map(\.version)) == Set(rolledBack) else { return nil }
        // A release that touched no table of the snapshot leaves its data as it was.
        guard !releasePlans.isEmpty else { return [] }
        for migration in replayed.reversed() {
            guard let down = migration.down, !down.isBlank else { continue }
            if connection.runScript(down.body).error != nil { return nil }
        }
        return snapshotData.losses(
            in: try DataFingerprint.read(releasePlans, on: connection, changed: true), subject: "the release rollback",
            beforeLabel: "in the snapshot", afterLabel: "after it")
    }

    /// One migration on the copy; false when the copy could not follow the faithful run (so
    /// later migrations cannot be replayed either).
    private func replay(_ state: inout MigrationRehearsal, upStep: Int, on connection: Connection) throws -> Bool {
        let migration = state.migration
        guard let up = migration.up, !up.isBlank else { return true }
        let downStep = state.entry.steps.firstIndex { $0.kind == .down && $0.status == .ok }
        let down = downStep == nil ? nil : state.downToRehearse
        let tables = down == nil ? [] : DataCheckTables.tables(for: state, check: scenario.dataCheck)
        let plans = try DataFingerprint.plans(for: tables, sampleAbove: scenario.dataCheckRows, on: connection)
        if checksData, down == nil, state.entry.roundtrip.skipped == nil {
            state.entry.roundtrip.data = DataRoundtrip(skipped: "the down did not run to the end in the faithful run, so there is nothing to compare")
        }
        let upReason = StatementTracer.reasonNotTraceable(up.body)
        let downReason = down.flatMap { StatementTracer.reasonNotTraceable($0.body) }
        if let upReason {
            // Not inside a transaction: the up runs whole, as migrate runs it.
            if traceStatements {
                state.entry.steps[upStep].traceNote = "not traced statement by statement: \(upReason); figures are for the whole file"
            }
            let before = try DataFingerprint.read(plans, on: connection)
            files = nil
            guard connection.runScript(up.body).error == nil else { return false }
            if let down, let downStep {
                _ = connection.runScript("BEGIN")
                defer { _ = connection.runScript("ROLLBACK") }
                try tryDown(down, step: downStep, reason: downReason, before: before, plans: plans, state: &state, on: connection)
            }
            return true
        }
        // Read before the up's transaction, whose locks are then the up's alone.
        let before = try DataFingerprint.read(plans, on: connection)
        guard connection.runScript("BEGIN").error == nil else { return false }
        guard run(up, into: &state.entry.steps[upStep], on: connection) else {
            _ = connection.runScript("ROLLBACK")
            state.entry.steps[upStep].traceNote = "the replay on a copy of the snapshot did not complete; figures are for the whole file"
            return false
        }
        guard connection.runScript("COMMIT").error == nil else { return false }
        // The down in a transaction of its own, as migrate runs it, rolled back.
        if let down, let downStep {
            guard connection.runScript("BEGIN").error == nil else { return false }
            let afterUp = files
            defer {
                _ = connection.runScript("ROLLBACK")
                files = afterUp
            }
            try tryDown(down, step: downStep, reason: downReason, before: before, plans: plans, state: &state, on: connection)
        }
        return true
    }

    /// Runs the down after the up, compares the data with `before`, leaving the undoing to
    /// the caller.
    private func tryDown(
        _ down: MigrationFile, step: Int, reason: String?, before: DataFingerprint, plans: [DataFingerprint.Plan],
        state: inout MigrationRehearsal, on connection: Connection
    ) throws {
        if let reason {
            if traceStatements {
                state.entry.steps[step].traceNote = "not traced statement by statement: \(reason); figures are for the whole file"
            }
            if checksData {
                state.entry.roundtrip.data = DataRoundtrip(skipped: "the down cannot run inside a transaction on the copy (\(reason)), so it cannot be tried and undone there")
            }
            return
        }
        guard run(down, into: &state.entry.steps[step], on: connection) else {
            if checksData { state.entry.roundtrip.data = DataRoundtrip(skipped: "the down failed on the copy of the snapshot") }
            return
        }
        guard checksData else { return }
        let after = try DataFingerprint.read(plans, on: connection, changed: true)
        state.entry.roundtrip.data = DataRoundtrip(
            tables: plans.map(\.table),
            samples: Dictionary(uniqueKeysWithValues: plans.compactMap { plan in plan.sampleDescription.map { (plan.table, $0) } }),
            losses: before.losses(in: after, subject: "down", beforeLabel: "before up", afterLabel: "after down"))
    }

    /// Runs one file inside the open transaction, statement by statement when tracing, and
    /// attaches what each statement did to `step`.
    private func run(_ file: MigrationFile, into step: inout StepReport, on connection: Connection) -> Bool {
        guard traceStatements else { return connection.runScript(file.body).error == nil }
        guard let (traced, after) = StatementTracer.run(file.body, on: connection, files: files) else {
            files = nil
            return false
        }
        files = after
        guard traced.count == step.statements.count else {
            step.traceNote = "the traced re-run ran \(traced.count) statements, the faithful run \(step.statements.count); figures are for the whole file"
            return true
        }
        for index in traced.indices {
            step.statements[index].durationMs = traced[index].durationMs
            step.statements[index].locks = traced[index].locks
            step.statements[index].rewrote = traced[index].rewrote
        }
        step.traced = true
        step.traceNote = "statement durations, locks and rewrites from a re-run statement by statement in a transaction on a fresh copy of the snapshot; step times, lock hold times and waits from the faithful run"
        return true
    }
}
