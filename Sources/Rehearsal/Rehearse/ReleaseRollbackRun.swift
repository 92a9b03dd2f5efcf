/// The rollback of the whole release on the faithful database, after its last migration:
/// what `migrate goto <the snapshot's version>` does — every down in reverse order on one
/// session with migrate's tracking protocol, while the deployed application's traffic keeps
/// running — then the schema compared with the snapshot's, and the ups again to the end.
/// The data is compared on the replay's copy, where no traffic writes (`ReplayPass`). The
/// report's end state stays what `migrate up` leaves; the rollback is an exercise beside it.
extension ProductionPath {
    func rollBackRelease(from start: Int64?) throws -> ReleaseRollback {
        var rollback = ReleaseRollback(targetVersion: start)
        guard let applied = try appliedForRollback(&rollback) else { return rollback }
        let steps = stepRunner()
        events(.rollingBackRelease(to: start))
        for state in applied.reversed() {
            if options.interruption.isInterrupted { return rollback }
            let outcome = try steps.run(state.migration, direction: .down, pass: 1, previous: state.previousVersion, longTransactions: [])
            rollback.steps.append(ReleaseStep(version: state.migration.version, name: state.migration.identifier, step: outcome.step))
            // migrate stops at the first failure, leaving the version dirty.
            if outcome.step.status == .failed { return rollback }
        }
        // The deployed code against the snapshot's schema again, for the soak period.
        if let traffic, let soak = scenario.traffic?.soak, soak > 0, !rollback.steps.isEmpty {
            rollback.steps[rollback.steps.count - 1].step.trafficAfter = traffic.measure(seconds: soak)
        }
        let now = try session.schema.read()
        rollback.differences = snapshotSchema.releaseDifferences(afterRollback: now)
        rollback.schemaRestored = rollback.differences.isEmpty
        events(.rollingForwardRelease)
        for state in applied {
            if options.interruption.isInterrupted { return rollback }
            let outcome = try steps.run(state.migration, direction: .up, pass: 2, previous: state.previousVersion, longTransactions: [])
            rollback.rollForward.append(ReleaseStep(version: state.migration.version, name: state.migration.identifier, step: outcome.step))
            if outcome.step.status == .failed { return rollback }
        }
        return rollback
    }

    /// The migrations the rollback goes back through: all of them, or, when an up failed and
    /// rolled back whole (whole-file mode), those before it once the version before it is
    /// forced clean, as a person would before `goto`; nil (with the reason) otherwise.
    private func appliedForRollback(_ rollback: inout ReleaseRollback) throws -> [MigrationRehearsal]? {
        guard let failed = states.firstIndex(where: { $0.entry.steps.first { $0.kind == .up }?.status != .ok }) else {
            return irreversible(states, &rollback) ? states : nil
        }
        let migration = states[failed].migration
        guard states[failed].entry.status == .failed, scenario.mode == .wholeFile,
            !SQLText.controlsTransactions(migration.up?.body ?? "")
        else {
            rollback.skipped = "the release stops at migration \(migration.version) (\(migration.identifier)), which leaves the database part-way, so there is no state to roll back from"
            return nil
        }
        let applied = Array(states[..<failed])
        guard irreversible(applied, &rollback) else { return nil }
        let forced = applied.last.map { Int64($0.migration.version) } ?? states[failed].previousVersion
        try session.table.write(forced, dirty: false, on: session.connection)
        rollback.note = "the release stops at migration \(migration.version)'s failing up, which rolled back whole; from `migrate force \(forced)`"
        return applied
    }

    /// False (with the reason) when a migration of the release is irreversible by intent:
    /// `migrate goto` would move the version past it without running any SQL, so the
    /// release cannot be rolled back and forward again.
    private func irreversible(_ applied: [MigrationRehearsal], _ rollback: inout ReleaseRollback) -> Bool {
        let oneWay = applied.filter { $0.roundtripSkipReason != nil }.map { String($0.migration.version) }
        guard !oneWay.isEmpty else { return true }
        rollback.skipped = "migration(s) \(oneWay.joined(separator: ", ")) of the release have no down to run (irreversible by intent), so `migrate goto` cannot take the release back"
        return false
    }
}
