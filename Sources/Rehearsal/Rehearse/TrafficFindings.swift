/// Findings from what the application traffic experienced during the steps.
///
/// Queries blocked on a table where the step held a lock the lock findings judge are that
/// finding's evidence and are reported with it; the rest (queued behind the migration's own
/// waiting lock request, or blocked on a relation no lock finding covers) are judged here
/// against `traffic_blocked`, on the faster of the up's two runs. Blocks during the second
/// up are reported as notes: it is a round-trip check, not production.
enum TrafficFindings {
    static func make(_ state: MigrationRehearsal, scenario: Scenario, baseline: StepTraffic?, explained: Set<String>) -> [Finding] {
        var findings: [Finding] = []
        let migration = state.migration
        let budgetMs = scenario.budgets.trafficBlocked * 1000
        for step in state.entry.steps {
            let unexplained = step.blocked.filter { $0.isFelt && !explained.contains(step.label + "|" + $0.relation) }
            guard let worst = unexplained.max(by: { $0.waitMs < $1.waitMs }) else { continue }
            let queries = Set(unexplained.map(\.query)).sorted().joined(separator: ", ")
            let count = "\(unexplained.count) application quer\(unexplained.count == 1 ? "y was" : "ies were") blocked (\(queries))"
            let cause = "\(worst.mode) on \(worst.relation)\(worst.direct ? "" : ", queued behind the migration's own lock request")"
            let file = migration.file(step.direction)?.path
            guard step.kind != .secondUp else {
                findings.append(Finding(
                    rule: .trafficBlocked, severity: .info,
                    message: "during the second up (a round-trip check, not production), \(count); the longest waited \(Format.duration(worst.waitMs)) for \(cause)",
                    step: step.kind, file: file))
                continue
            }
            var waits = [worst.waitMs]
            if step.kind == .up, let reup = state.entry.steps.first(where: { $0.kind == .secondUp && $0.status == .ok }), reup.traffic != nil {
                waits.append(reup.blocked.filter { $0.isFelt && $0.relation == worst.relation }.map(\.waitMs).max() ?? 0)
            }
            let judgement = BudgetJudgement(
                key: "budgets.traffic_blocked", budgetMs: budgetMs, measuredMs: waits.min() ?? worst.waitMs, runs: waits.count, scale: nil)
            findings.append(Finding(
                rule: judgement.standing == .over ? .trafficBlockedOverBudget : .trafficBlocked, severity: judgement.severity(),
                message: "during \(step.label), \(count); the longest waited \(judgement.figures) for \(cause)\(judgement.phrase)",
                step: step.kind, file: file,
                advice: "shorten or split the locking statements, use CONCURRENTLY / NOT VALID forms, and set lock_timeout",
                judged: judgement.judged))
        }
        findings += errorsAgainstNewSchema(state, baseline: baseline)
        findings += rowsTouched(state)
        return findings
    }

    /// The deployed code runs against the new schema between up and down: errors there mean
    /// the migration breaks the running application.
    static func errorsAgainstNewSchema(_ state: MigrationRehearsal, baseline: StepTraffic?) -> [Finding] {
        var findings: [Finding] = []
        let failedBefore = Set((baseline?.perQuery ?? []).filter { $0.errors > 0 }.map(\.name))
        var reported = Set<String>()
        for step in state.entry.steps where step.pass == 1 {
            for (traffic, when) in [(step.traffic, "during \(step.label)"), (step.trafficAfter, "after up")] {
                for query in traffic?.perQuery ?? [] where query.errors > 0 && !failedBefore.contains(query.name) {
                    guard reported.insert(query.name).inserted else { continue }
                    findings.append(Finding(
                        rule: .trafficErrorsAfterUp, severity: .error,
                        message: "application query \(query.name) failed \(query.errors) time(s) \(when): \(query.firstError ?? "error")",
                        step: step.kind, file: state.migration.up?.path,
                        advice: "the migration is not compatible with the deployed code: deploy code that works with both schemas first (expand, deploy, then contract)"))
                }
            }
        }
        return findings
    }

    /// Data changes whose time grows with the table: worth knowing, judged by the budgets.
    static func rowsTouched(_ state: MigrationRehearsal) -> [Finding] {
        var findings: [Finding] = []
        for step in state.entry.steps where step.pass == 1 {
            for statement in step.statements where ["UPDATE", "DELETE", "INSERT"].contains(statement.command) && (statement.rows ?? 0) >= 1000 {
                findings.append(Finding(
                    rule: .rowsTouched, severity: .info,
                    message: "\(step.label) \(statement.command) touched \(Format.count(statement.rows ?? 0)) rows\(statement.durationMs.map { " in \(Format.duration($0))" } ?? ""): its duration grows with the table's size in production",
                    step: step.kind, file: state.migration.file(step.direction)?.path, line: statement.line,
                    advice: "backfill in batches outside the schema migration when production's table is much larger"))
            }
        }
        return findings
    }
}
