/// Findings from the locks a step was measured holding or waiting for: what the running
/// application collides with, why (index build, rewrite, validation), and the safe way.
enum LockFindings {
    static func make(
        _ entry: MigrationReport, migration: Migration, before: SchemaFingerprint, afterUp: SchemaFingerprint?,
        scenario: Scenario
    ) -> [Finding] {
        var findings: [Finding] = []
        let existingTables = Set(before.objects.keys.filter { $0.kind == "table" }.map(\.name))
        let budgetMs = scenario.budgets.lockHold * 1000
        var blockingStep: StepReport?
        for step in entry.steps where step.pass == 1 && step.status != .skipped {
            let label = FindingRules.stepLabel(step)
            let file = (step.direction == .up ? migration.up : migration.down)?.path
            var reported = Set<String>()
            for lock in step.locks + tracedOnly(step, tables: existingTables, wholeFile: scenario.mode == .wholeFile)
            where lock.granted && lock.blocksWrites && lock.relationKind.hasSuffix("table") {
                guard existingTables.contains(lock.relation), reported.insert(lock.relation).inserted else { continue }
                blockingStep = blockingStep ?? step
                let statement = step.statements.first { $0.locks.contains { $0.relation == lock.relation && $0.mode == lock.mode } }
                    ?? step.statements.first
                // Measured, not guessed: a lock held briefly is worth knowing, not worth a warning.
                let severity: Finding.Severity = lock.heldMs > budgetMs ? .error : lock.heldMs > budgetMs / 10 ? .warning : .info
                let held = "\(lock.mode) on \(lock.relation) held for \(Format.duration(lock.heldMs))"
                let over = lock.heldMs > budgetMs ? ", over the lock_hold budget of \(Format.duration(budgetMs))" : ""
                let what = lock.blocksReads ? "every query on it waits" : "INSERT, UPDATE and DELETE on it wait"
                if let rewrite = step.rewrote.first(where: { $0.relation == lock.relation }) {
                    findings.append(Finding(
                        rule: "lock.table-rewrite", severity: severity,
                        message: "\(label) rewrote \(lock.relation) (\(Format.bytes(rewrite.bytesAfter))) under \(held)\(over): \(what) until it finishes",
                        file: file, line: statement?.line,
                        advice: "avoid the rewrite: add the column without a volatile default, change types in steps (new column, backfill in batches, swap), or schedule a maintenance window"))
                } else if statement?.command == "CREATE INDEX" || (lock.mode == "ShareLock" && step.statements.contains { $0.command == "CREATE INDEX" }) {
                    findings.append(Finding(
                        rule: "lock.index-build-blocks-writes", severity: severity,
                        message: "\(label) builds an index with \(held)\(over): writes to the table wait for the whole build",
                        file: file, line: step.statements.first { $0.command == "CREATE INDEX" }?.line,
                        advice: "use CREATE INDEX CONCURRENTLY, alone in its own migration file (it cannot run inside migrate's implicit transaction)"))
                } else if let constraint = newValidatedConstraint(on: lock.relation, before: before, afterUp: afterUp), step.direction == .up {
                    findings.append(Finding(
                        rule: "lock.validation-under-lock", severity: severity,
                        message: "\(label) adds constraint \(constraint) and checks every existing row under \(held)\(over)",
                        file: file, line: statement?.line,
                        advice: "add it NOT VALID in one migration, then ALTER TABLE … VALIDATE CONSTRAINT in the next (that takes only SHARE UPDATE EXCLUSIVE)"))
                } else {
                    findings.append(Finding(
                        rule: lock.blocksReads ? "lock.blocks-reads-and-writes" : "lock.blocks-writes", severity: severity,
                        message: "\(label) takes \(held)\(over): \(what) that long\(scenario.mode == .wholeFile && step.statements.count > 1 ? " (migrate runs the file as one transaction, so the lock lasts until its last statement)" : "")",
                        file: file, line: statement?.line,
                        advice: "keep the locking statement alone and short in its own file, and set lock_timeout so a blocked migration gives up instead of queueing traffic"))
                }
            }
            for wait in step.migrationWaits where wait.isFelt {
                findings.append(Finding(
                    rule: "lock.migration-waited", severity: wait.waitMs > budgetMs / 10 ? .warning : .info,
                    message: "\(label) waited \(Format.duration(wait.waitMs)) for \(wait.mode) on \(wait.relation)\(wait.heldBy.isEmpty ? "" : ", held by " + wait.heldBy.joined(separator: "; "))",
                    file: file,
                    advice: "while a migration waits for a lock, every query that needs the table queues behind it: set lock_timeout (e.g. 2s) and retry"))
            }
        }
        if let step = blockingStep, !hasLockTimeout(scenario: scenario, migration: migration) {
            findings.append(Finding(
                rule: "lock.no-lock-timeout", severity: .warning,
                message: "\(FindingRules.stepLabel(step)) takes a lock that blocks the application, and neither the session nor the file sets lock_timeout: behind one long transaction, the migration and all traffic would wait without limit",
                file: (step.direction == .up ? migration.up : migration.down)?.path,
                advice: "SET lock_timeout = '2s' at the top of the file (or in the migration session) and retry on failure"))
        }
        return findings
    }

    /// Locks the traced re-run saw a statement take but the sampler missed (a step shorter
    /// than the sampling interval), timed from the traced statement durations: in whole-file
    /// mode held from that statement to the end of the file.
    static func tracedOnly(_ step: StepReport, tables: Set<String>, wholeFile: Bool) -> [ObservedLock] {
        guard step.traced else { return [] }
        let seen = Set(step.locks.map { $0.relation + "|" + $0.mode })
        var result: [ObservedLock] = []
        var elapsed = 0.0
        let total = step.statements.compactMap(\.durationMs).reduce(0, +)
        for statement in step.statements {
            let duration = statement.durationMs ?? 0
            for lock in statement.locks where !seen.contains(lock.relation + "|" + lock.mode) && tables.contains(lock.relation) {
                result.append(ObservedLock(
                    relation: lock.relation, relationKind: "table", mode: lock.mode, firstSeenMs: elapsed,
                    lastSeenMs: elapsed + duration, granted: true, heldMs: wholeFile ? total - elapsed : duration))
            }
            elapsed += duration
        }
        return result
    }

    static func hasLockTimeout(scenario: Scenario, migration: Migration) -> Bool {
        if let value = scenario.session.first(where: { $0.name.lowercased() == "lock_timeout" })?.value,
            DurationText.seconds(value).map({ $0 > 0 }) ?? (value != "0")
        {
            return true
        }
        return [migration.up, migration.down].compactMap { $0?.body.lowercased() }.contains { $0.contains("lock_timeout") }
    }

    /// A CHECK or FOREIGN KEY constraint on `table` that up added already validated.
    static func newValidatedConstraint(on table: String, before: SchemaFingerprint, afterUp: SchemaFingerprint?) -> String? {
        guard let afterUp else { return nil }
        for (key, definition) in afterUp.objects where key.kind == "constraint" && key.name.hasPrefix(table + ".") {
            guard before.objects[key] == nil, !definition.contains("NOT VALID") else { continue }
            if definition.hasPrefix("CHECK") || definition.hasPrefix("FOREIGN KEY") { return key.name }
        }
        return nil
    }
}
