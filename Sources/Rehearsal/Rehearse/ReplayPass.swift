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
        let connection = try session(on: database)
        let rolledBackStates = states.filter { rolledBack?.contains($0.migration.version) == true }
        let releaseTables = checksData ? Set(rolledBackStates.flatMap { DataCheckTables.tables(for: $0, check: scenario.dataCheck) })
            .intersection(states.first?.before?.tables ?? []).sorted() : []
        // Each migration's data before its up is read on a second connection, while the copy
        // is busy with the snapshot's data or the previous migration's down (which it does
        // not see, that down being uncommitted): by the up, it is read. The same session
        // settings, so the same role sees the same rows.
        let reader = checksData ? UncheckedSendable(try session(on: database)) : nil
        var ahead = readAhead(states.first.map(checkedTables) ?? [], on: reader)
        defer { _ = ahead?.wait() }
        let releasePlans = try DataFingerprint.plans(for: releaseTables, sampleAbove: scenario.dataCheckRows, on: connection)
        let snapshotData = try DataFingerprint.read(releasePlans, on: connection)
        var replayed: [Migration] = []
        for index in states.indices {
            if interruption.isInterrupted { return nil }
            guard states[index].entry.status != .notRun,
                let up = states[index].entry.steps.firstIndex(where: { $0.kind == .up }), states[index].entry.steps[up].status == .ok
            else { break }
            events(.tracing(version: states[index].migration.version))
            let pending = ahead
            ahead = nil
            let nextTables = index + 1 < states.count ? checkedTables(states[index + 1]) : []
            guard try replay(&states[index], upStep: up, on: connection, readAhead: pending, upCommitted: { ahead = readAhead(nextTables, on: reader) })
            else { return nil }
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

    /// A connection to the copy with the scenario's session settings. The copy is thrown away
    /// and no figure of the replay times a commit: its commits need not wait for the disk.
    private func session(on database: String) throws -> Connection {
        let connection = try server.connect(database: database)
        for (name, value) in scenario.session {
            _ = connection.runScript("SET \(name) = \(Identifier.literal(value))")
        }
        _ = connection.runScript("SET synchronous_commit = off")
        return connection
    }

    /// The tables whose data migration `state`'s down must bring back: none without a down
    /// that ran to the end in the faithful run.
    private func checkedTables(_ state: MigrationRehearsal) -> [String] {
        guard state.entry.steps.contains(where: { $0.kind == .down && $0.status == .ok }), state.downToRehearse != nil else { return [] }
        return DataCheckTables.tables(for: state, check: scenario.dataCheck)
    }

    /// How `tables` are read, and their data, as the copy has them now.
    private struct DataBefore: Sendable {
        var plans: [DataFingerprint.Plan]
        var data: DataFingerprint
    }

    private static func readData(of tables: [String], sampleAbove: Int64, on connection: Connection) throws -> DataBefore {
        let plans = try DataFingerprint.plans(for: tables, sampleAbove: sampleAbove, on: connection)
        return DataBefore(plans: plans, data: try DataFingerprint.read(plans, on: connection))
    }

    /// Starts reading `tables` on `reader`, which nothing else uses until the job is waited for.
    private func readAhead(_ tables: [String], on reader: UncheckedSendable<Connection>?) -> BackgroundJob<DataBefore>? {
        guard let reader, !tables.isEmpty else { return nil }
        let sampleAbove = scenario.dataCheckRows
        return BackgroundJob { try Self.readData(of: tables, sampleAbove: sampleAbove, on: reader.value) }
    }

    /// One migration on the copy; false when the copy could not follow the faithful run (so
    /// later migrations cannot be replayed either). `readAhead`: its tables' data read ahead
    /// (read here when there is none or it failed, say on the session's `lock_timeout` behind
    /// the previous down); `upCommitted` is called once its up is in the copy for good.
    private func replay(
        _ state: inout MigrationRehearsal, upStep: Int, on connection: Connection, readAhead: BackgroundJob<DataBefore>?,
        upCommitted: () -> Void
    ) throws -> Bool {
        let early = try? readAhead?.wait().get()
        let migration = state.migration
        guard let up = migration.up, !up.isBlank else {
            upCommitted()
            return true
        }
        let downStep = state.entry.steps.firstIndex { $0.kind == .down && $0.status == .ok }
        let down = downStep == nil ? nil : state.downToRehearse
        // Read before the up's transaction, whose locks are then the up's alone.
        let data = try early ?? Self.readData(of: checkedTables(state), sampleAbove: scenario.dataCheckRows, on: connection)
        let plans = data.plans, before = data.data
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
            files = nil
            guard connection.runScript(up.body).error == nil else { return false }
            upCommitted()
            if let down, let downStep {
                _ = connection.runScript("BEGIN")
                defer { _ = connection.runScript("ROLLBACK") }
                try tryDown(down, step: downStep, reason: downReason, before: before, plans: plans, state: &state, on: connection)
            }
            return true
        }
        guard connection.runScript("BEGIN").error == nil else { return false }
        guard run(up, into: &state.entry.steps[upStep], on: connection) else {
            _ = connection.runScript("ROLLBACK")
            state.entry.steps[upStep].traceNote = "the replay on a copy of the snapshot did not complete; figures are for the whole file"
            return false
        }
        guard connection.runScript("COMMIT").error == nil else { return false }
        upCommitted()
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
