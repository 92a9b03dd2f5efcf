/// Findings from the locks a step held or waited for: what the running application collides
/// with, why (a rewrite, an index build, a validation), and the safe way.
///
/// Which lock on which existing table during which work is structural, the same every run;
/// so is a warning for work that goes through a table's rows under a lock that blocks the
/// application. How long the lock is held is judged against `lock_hold` on the faster of
/// the up's two runs, or on production's estimate where the step grows with the table
/// (`BudgetJudgement`). Blocked application queries on the same table are this finding's
/// evidence, reported with it.
enum LockFindings {
    static func make(_ state: MigrationRehearsal, scenario: Scenario, rows: [String: Int64]) -> [Finding] {
        var findings: [Finding] = []
        let migration = state.migration
        let existingTables = state.before?.tables ?? []
        let budgetMs = scenario.budgets.lockHold * 1000
        var blockingStep: StepReport?
        for step in state.entry.steps where step.pass == 1 && step.status != .skipped {
            let file = migration.file(step.direction)?.path
            let (before, after) = ScaleModel.schemas(around: step.kind, in: state)
            let work = ScaleModel.work(of: step, before: before, after: after, rows: rows)
            var reported = Set<String>()
            for lock in step.locks + step.tracedOnlyLocks(among: existingTables, wholeFile: scenario.mode == .wholeFile)
            where lock.granted && lock.blocksWrites && lock.relationKind.hasSuffix("table") {
                guard existingTables.contains(lock.relation), reported.insert(lock.relation).inserted else { continue }
                blockingStep = blockingStep ?? step
                let holds = [lock.heldMs] + secondUpHolds(of: lock, in: state, step: step)
                let judgement = BudgetJudgement(
                    key: "budgets.lock_hold", budgetMs: budgetMs, measuredMs: holds.min() ?? lock.heldMs, runs: holds.count,
                    scale: step.scale)
                let tableWork = work.filter { $0.table == lock.relation }
                let rowByRow = !tableWork.isEmpty && (rows[lock.relation] ?? 0) > 0
                let severity = judgement.severity(floor: rowByRow ? .warning : .info)
                let held = "\(lock.mode) on \(lock.relation), held \(judgement.figures)\(judgement.phrase)"
                let what = lock.blocksReads ? "every query on it waits" : "INSERT, UPDATE and DELETE on it wait"
                let evidence = blockedEvidence(step, relation: lock.relation)
                let statement = step.statements.first { $0.locks.contains { $0.relation == lock.relation && $0.mode == lock.mode } }
                    ?? step.statements.first
                func has(_ kind: ScaleModel.Work.Kind) -> Bool { tableWork.contains { $0.kind == kind } }
                // Everything the step does row by row on the table, in one phrase.
                let works = tableWork.map(\.what).joined(separator: " and ")
                var finding: Finding
                if has(.rewrite) {
                    finding = Finding(
                        rule: .lockTableRewrite, severity: severity,
                        message: "\(step.label) \(works) under \(held): \(what) until it finishes\(evidence)",
                        advice: "avoid the rewrite: add the column without a volatile default, change types in steps (new column, backfill in batches, swap), or schedule a maintenance window")
                } else if has(.indexBuild) {
                    finding = Finding(
                        rule: .lockIndexBuild, severity: severity,
                        message: "\(step.label) \(works) with \(held): \(what) for the whole build\(evidence)",
                        advice: "use CREATE INDEX CONCURRENTLY, alone in its own migration file (it cannot run inside migrate's implicit transaction)")
                } else if has(.validation) {
                    finding = Finding(
                        rule: .lockValidation, severity: severity,
                        message: "\(step.label) \(works) under \(held): \(what) until it is done\(evidence)",
                        advice: "add it NOT VALID in one migration, then ALTER TABLE … VALIDATE CONSTRAINT in the next (that takes only SHARE UPDATE EXCLUSIVE)")
                } else {
                    let wholeFile = scenario.mode == .wholeFile && step.statements.count > 1
                        ? " (migrate runs the file as one transaction, so the lock lasts until its last statement)" : ""
                    finding = Finding(
                        rule: lock.blocksReads ? .lockBlocksReadsAndWrites : .lockBlocksWrites, severity: severity,
                        message: "\(step.label) takes \(held)\(works.isEmpty ? "" : " while it does a \(works)"): \(what) that long\(wholeFile)\(evidence)",
                        advice: "keep the locking statement alone and short in its own file, and set lock_timeout so a blocked migration gives up instead of queueing traffic")
                }
                finding.step = step.kind
                finding.file = file
                finding.line = finding.rule == .lockIndexBuild
                    ? step.statements.first { $0.command == "CREATE INDEX" }?.line ?? statement?.line : statement?.line
                finding.judged = judgement.judged
                finding.relation = lock.relation
                findings.append(finding)
            }
            for wait in step.migrationWaits where wait.isFelt {
                let judgement = BudgetJudgement(key: "budgets.lock_hold", budgetMs: budgetMs, measuredMs: wait.waitMs, runs: 1, scale: nil)
                findings.append(Finding(
                    rule: .lockMigrationWaited, severity: min(judgement.severity(), .warning),
                    message: "\(step.label) waited \(Format.duration(wait.waitMs)) for \(wait.mode) on \(wait.relation)\(wait.heldBy.isEmpty ? "" : ", held by " + wait.heldBy.joined(separator: "; "))",
                    step: step.kind, file: file,
                    advice: "while a migration waits for a lock, every query that needs the table queues behind it: set lock_timeout (e.g. 2s) and retry"))
            }
        }
        if let step = blockingStep, !hasLockTimeout(scenario: scenario, migration: migration) {
            findings.append(Finding(
                rule: .lockNoTimeout, severity: .warning,
                message: "\(step.label) takes a lock that blocks the application, and neither the session nor the file sets lock_timeout: behind one long transaction, the migration and all traffic would wait without limit",
                step: step.kind, file: migration.file(step.direction)?.path,
                advice: "SET lock_timeout = '2s' at the top of the file (or in the migration session) and retry on failure"))
        }
        return findings
    }

    /// Tables whose blocked traffic a lock finding already reports, per step.
    static func relationsJudged(_ findings: [Finding]) -> Set<String> {
        Set(findings.compactMap { finding in
            guard let relation = finding.relation, let step = finding.step else { return nil }
            return step.label + "|" + relation
        })
    }

    /// The same lock's hold in the second up, which ran the same file on the same data.
    private static func secondUpHolds(of lock: ObservedLock, in state: MigrationRehearsal, step: StepReport) -> [Double] {
        guard step.kind == .up, let reup = state.entry.steps.first(where: { $0.kind == .secondUp && $0.status == .ok }) else { return [] }
        return reup.locks.filter { $0.granted && $0.relation == lock.relation && $0.mode == lock.mode }.map(\.heldMs).prefix(1).map { $0 }
    }

    /// "; 3 application queries were blocked by it here, the longest 219 ms".
    private static func blockedEvidence(_ step: StepReport, relation: String) -> String {
        let felt = step.blocked.filter { $0.isFelt && $0.relation == relation }
        guard let longest = felt.map(\.waitMs).max() else { return "" }
        return "; \(felt.count) application quer\(felt.count == 1 ? "y was" : "ies were") blocked by it here, the longest \(Format.duration(longest))"
    }

    static func hasLockTimeout(scenario: Scenario, migration: Migration) -> Bool {
        if scenario.sessionSetsLockTimeout { return true }
        return [migration.up, migration.down].compactMap { $0?.body.lowercased() }.contains { $0.contains("lock_timeout") }
    }
}
