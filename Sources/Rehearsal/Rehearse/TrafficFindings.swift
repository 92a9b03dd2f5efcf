/// Findings from what the application traffic experienced during the steps.
enum TrafficFindings {
    static func make(_ entry: MigrationReport, migration: Migration, scenario: Scenario, baseline: StepTraffic?) -> [Finding] {
        var findings: [Finding] = []
        let budgetMs = scenario.budgets.trafficBlocked * 1000
        for step in entry.steps where step.blocked.contains(where: \.isFelt) {
            let label = FindingRules.stepLabel(step)
            let worst = step.blocked.max { $0.waitMs < $1.waitMs }!
            let queries = Set(step.blocked.map(\.query)).sorted().joined(separator: ", ")
            let over = worst.waitMs > budgetMs
            findings.append(Finding(
                rule: over ? "traffic.blocked-over-budget" : "traffic.blocked",
                severity: over ? .error : worst.waitMs > budgetMs / 10 ? .warning : .info,
                message: "during \(label), \(step.blocked.count) application quer\(step.blocked.count == 1 ? "y was" : "ies were") blocked (\(queries)); the longest waited \(Format.duration(worst.waitMs)) for \(worst.mode) on \(worst.relation)\(worst.direct ? "" : ", queued behind the migration's own lock request")\(over ? ", over the traffic_blocked budget of \(Format.duration(budgetMs))" : "")",
                file: (step.direction == .up ? migration.up : migration.down)?.path,
                advice: "shorten or split the locking statements, use CONCURRENTLY / NOT VALID forms, and set lock_timeout"))
        }
        // The deployed code runs against the new schema between up and down: errors there
        // mean the migration breaks the running application.
        let failedBefore = Set((baseline?.perQuery ?? []).filter { $0.errors > 0 }.map(\.name))
        var reported = Set<String>()
        for step in entry.steps where step.pass == 1 {
            let periods = [(step.traffic, "during \(FindingRules.stepLabel(step))"), (step.trafficAfter, "after up")]
            for (traffic, when) in periods {
                for query in traffic?.perQuery ?? [] where query.errors > 0 && !failedBefore.contains(query.name) {
                    guard reported.insert(query.name).inserted else { continue }
                    findings.append(Finding(
                        rule: "traffic.errors-after-up", severity: .error,
                        message: "application query \(query.name) failed \(query.errors) time(s) \(when): \(query.firstError ?? "error")",
                        file: migration.up?.path,
                        advice: "the migration is not compatible with the deployed code: deploy code that works with both schemas first (expand, deploy, then contract)"))
                }
            }
        }
        for step in entry.steps where step.pass == 1 {
            for statement in step.statements where ["UPDATE", "DELETE", "INSERT"].contains(statement.command) && (statement.rows ?? 0) >= 1000 {
                findings.append(Finding(
                    rule: "step.rows-touched", severity: .info,
                    message: "\(FindingRules.stepLabel(step)) \(statement.command) touched \(statement.rows ?? 0) rows\(statement.durationMs.map { " in \(Format.duration($0))" } ?? ""): its duration grows with the table's size in production",
                    file: (step.direction == .up ? migration.up : migration.down)?.path, line: statement.line,
                    advice: "backfill in batches outside the schema migration when production's table is much larger"))
            }
        }
        return findings
    }
}
