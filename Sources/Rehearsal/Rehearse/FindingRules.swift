/// Turns what a rehearsal observed into findings, each with a rule id, a severity, the file
/// and line when there is one, and the safe alternative.
enum FindingRules {
    /// What migrate does silently with this directory and recorded version.
    static func planFindings(_ plan: MigrationPlan, directory: MigrationDirectory) -> [Finding] {
        var findings: [Finding] = []
        for name in plan.ignoredFiles {
            findings.append(Finding(
                rule: "migrate.ignored-file", severity: .warning,
                message: "\(name) does not match golang-migrate's {version}_{name}.up|down.{ext} pattern: migrate ignores it silently and it never runs",
                file: directory.path + "/" + name,
                advice: "rename it to e.g. 000007_\(name.replacingOccurrences(of: ".sql", with: "")).up.sql (see `rehearse create`)"))
        }
        if let recorded = plan.recorded, !plan.belowRecorded.isEmpty {
            findings.append(Finding(
                rule: "migrate.below-recorded", severity: .info,
                message: "\(plan.belowRecorded.count) migration(s) at or below the recorded version \(recorded.version) are taken as applied; migrate never runs a file below the recorded version, so one added there late would never run"))
        }
        if plan.pending.isEmpty {
            findings.append(Finding(rule: "plan.nothing-pending", severity: .info, message: "no pending migrations: the snapshot is already at the newest version in the directory"))
        }
        return findings
    }

    static func migrationFindings(
        _ entry: MigrationReport, migration: Migration, before: SchemaFingerprint, afterUp: SchemaFingerprint?,
        scenario: Scenario, baseline: StepTraffic?
    ) -> [Finding] {
        var findings: [Finding] = []
        let budget = scenario.budgets
        if migration.down == nil {
            findings.append(Finding(
                rule: "down.missing", severity: .warning,
                message: "no down file: a rollback with migrate moves the version back without running any SQL",
                file: migration.up?.path, advice: "write \(migration.identifier).down.sql that reverses the up migration"))
        } else if let down = migration.down, down.isBlank || down.isCommentOnly {
            findings.append(Finding(
                rule: "down.empty", severity: .warning,
                message: "the down file is \(down.isBlank ? "empty" : "only comments"): rolling back changes nothing",
                file: down.path, advice: "make the down migration reverse the up, or document why it cannot"))
        }
        for step in entry.steps {
            let label = stepLabel(step)
            if step.interrupted {
                findings.append(Finding(
                    rule: "run.interrupted", severity: .error,
                    message: "the rehearsal was interrupted during \(label); this migration's results are partial",
                    advice: "run the rehearsal again to completion"))
                continue
            }
            if step.status == .failed, let error = step.error {
                findings.append(Finding(
                    rule: step.timedOut ? "step.timeout" : "step.failed", severity: .error,
                    message: "\(label) failed: \(error.message)\(error.sqlState.map { " (SQLSTATE \($0))" } ?? "")",
                    file: error.file, line: error.line, advice: advice(for: error, mode: scenario.mode)))
                if let state = step.trackingAfter, state.dirty {
                    findings.append(Finding(
                        rule: "migrate.dirty", severity: .error,
                        message: "migrate would leave \(scenario.trackingTable) at \"Dirty database version \(state.version)\"; every later migrate command refuses until someone runs `migrate force`",
                        advice: "fix the migration; in production, check the schema by hand, then `migrate force \(state.version)` or the version before it"))
                }
            }
            if step.durationMs > budget.stepDuration * 1000 {
                findings.append(Finding(
                    rule: "budget.step-duration", severity: .error,
                    message: "\(label) took \(Format.duration(step.durationMs)), over the budget of \(Format.duration(budget.stepDuration * 1000))",
                    file: (step.direction == .up ? migration.up : migration.down)?.path,
                    advice: "split the migration, batch data changes, or move them to a background job"))
            }
        }
        if let up = entry.steps.first(where: { $0.direction == .up && $0.pass == 1 && $0.status == .ok }),
            let down = entry.steps.first(where: { $0.direction == .down && $0.status == .ok }),
            up.durationMs >= 100, down.durationMs > up.durationMs * budget.downSlowerFactor
        {
            findings.append(Finding(
                rule: "down.slower", severity: .warning,
                message: "down took \(Format.duration(down.durationMs)), \(Int(down.durationMs / up.durationMs))× the up (\(Format.duration(up.durationMs))): a rollback under pressure will be slow",
                file: migration.down?.path))
        }
        findings += LockFindings.make(entry, migration: migration, before: before, afterUp: afterUp, scenario: scenario)
        findings += TrafficFindings.make(entry, migration: migration, scenario: scenario, baseline: baseline)
        for difference in entry.roundtrip.differences {
            let afterDown = difference.message.contains("after down")
            findings.append(Finding(
                rule: afterDown ? "roundtrip.down-incomplete" : "roundtrip.reup-differs", severity: .error,
                message: difference.message,
                file: afterDown ? migration.down?.path : migration.up?.path,
                advice: afterDown
                    ? "make the down migration undo this (\(difference.change == .unexpected ? "drop it" : "restore it as it was"))"
                    : "make the up migration idempotent with respect to its down: the second up must build the same schema"))
        }
        return findings
    }

    static func advice(for error: PostgresError, mode: ExecutionMode) -> String? {
        switch error.sqlState {
        case "25001":
            return mode == .wholeFile
                ? "golang-migrate sends the whole file as one query, i.e. one implicit transaction: put the CONCURRENTLY statement alone in its own migration file"
                : "this statement cannot run inside a transaction block; remove the surrounding BEGIN/COMMIT"
        case "55P03":
            return "the migration gave up waiting for a lock (lock_timeout): retry when traffic is low, or make the locking statement shorter"
        case "57014":
            return "the statement was cancelled by a timeout: make the step faster or raise the timeout deliberately"
        case "42P07", "42701", "42710":
            return "the object already exists: make the down migration remove it, or guard the up with IF NOT EXISTS"
        case "42P01", "42703", "42704":
            return "the object does not exist at this point: check the order of statements and what the previous down left behind"
        default:
            return nil
        }
    }

    static func stepLabel(_ step: StepReport) -> String {
        step.direction == .down ? "down" : (step.pass == 1 ? "up" : "second up")
    }
}
