import PostgresClient

/// Per-statement attribution: after the faithful run, the same migrations run again on a
/// pristine copy of the snapshot, statement by statement inside a transaction — each up
/// committed (so the copy advances as production would), each down rolled back — and every
/// statement's time, locks, rewrites and rows are attached to the faithful steps.
struct StatementTracePass {
    var server: DatabaseServer
    var scenario: Scenario
    var interruption: InterruptionToken
    var events: (RehearsalEvent) -> Void

    func trace(_ states: inout [MigrationRehearsal], on database: String) {
        guard let connection = try? server.connect(database: database) else { return }
        for (name, value) in scenario.session {
            _ = connection.runScript("SET \(name) = \(Identifier.literal(value))")
        }
        for index in states.indices {
            if interruption.isInterrupted { return }
            let migration = states[index].migration
            var entry = states[index].entry
            guard entry.status != .notRun, let up = entry.steps.firstIndex(where: { $0.direction == .up && $0.pass == 1 }),
                entry.steps[up].status == .ok
            else { return }
            events(.tracing(version: migration.version))
            let followed = attach(migration.up, to: &entry.steps[up], on: connection, commit: true)
            if followed, let down = entry.steps.firstIndex(where: { $0.direction == .down }) {
                attach(migration.down, to: &entry.steps[down], on: connection, commit: false)
            }
            states[index].entry = entry
            if !followed { return }
        }
    }

    /// Traces one file onto `step`; returns false when the copy could not follow the
    /// faithful run (so later migrations cannot be traced either).
    @discardableResult
    private func attach(_ file: MigrationFile?, to step: inout StepReport, on connection: Connection, commit: Bool) -> Bool {
        guard let file, !file.isBlank, step.status == .ok else { return true }
        if let reason = StatementTracer.reasonNotTraceable(file.body) {
            step.traceNote = "not traced statement by statement: \(reason); figures are for the whole file"
            // The copy must still move forward as the faithful run did.
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
        step.traceNote = "statement durations, locks and rewrites from a re-run statement by statement in a transaction on a fresh copy of the snapshot; step times, lock hold times and waits from the faithful run"
        return true
    }
}
