import PostgresClient

/// Turns what a rehearsal observed into findings, each with its rule, a severity, the file
/// and line when there is one, and the safe alternative. Severity rests on evidence that
/// does not move with the machine's load: structural facts (which step failed, what the
/// round trip left, which lock on which table during which work) and durations judged with
/// `BudgetJudgement`. The second up is a round-trip check, never judged as production.
enum FindingRules {
    /// What migrate does silently with this directory and recorded version.
    static func planFindings(_ plan: MigrationPlan, directory: MigrationDirectory) -> [Finding] {
        var findings: [Finding] = []
        for name in plan.ignoredFiles {
            findings.append(Finding(
                rule: .ignoredFile, severity: .warning,
                message: "\(name) does not match golang-migrate's {version}_{name}.up|down.{ext} pattern: migrate ignores it silently and it never runs",
                file: directory.path + "/" + name,
                advice: "rename it to e.g. 000007_\(name.replacingOccurrences(of: ".sql", with: "")).up.sql (see `rehearse create`)"))
        }
        if let recorded = plan.recorded, !plan.belowRecorded.isEmpty {
            findings.append(Finding(
                rule: .belowRecorded, severity: .info,
                message: "\(plan.belowRecorded.count) migration(s) at or below the recorded version \(recorded.version) are taken as applied; migrate never runs a file below the recorded version, so one added there late would never run"))
        }
        if plan.pending.isEmpty {
            findings.append(Finding(rule: .nothingPending, severity: .info, message: "no pending migrations: the snapshot is already at the newest version in the directory"))
        }
        return findings
    }

    /// Every finding of one rehearsed migration, worst first.
    static func migrationFindings(
        _ state: MigrationRehearsal, scenario: Scenario, rows: [String: Int64], baseline: StepTraffic?
    ) -> [Finding] {
        guard state.entry.status != .notRun else { return [] }
        var findings = rollbackFileFindings(state.migration, mode: scenario.mode)
        for step in state.entry.steps {
            findings += stepFindings(step, state: state, scenario: scenario)
        }
        findings += durationFindings(state, scenario: scenario)
        findings += recoveryFindings(state)
        let locks = LockFindings.make(state, scenario: scenario, rows: rows)
        findings += locks
        findings += TrafficFindings.make(state, scenario: scenario, baseline: baseline, explained: LockFindings.relationsJudged(locks))
        findings += roundtripFindings(state)
        return Finding.worstFirst(accepting(findings, risks: state.migration.acceptedRisks))
    }

    /// Findings with the migration's accepted risks applied: an accepted rule's findings
    /// become notes that carry the reason; an accept that matches nothing, names no rule or
    /// gives no reason, or tries to accept a failure, is a warning of its own.
    static func accepting(_ findings: [Finding], risks: [AcceptedRisk]) -> [Finding] {
        var findings = findings
        for risk in risks {
            func problem(_ rule: Rule, _ text: String) {
                findings.append(Finding(rule: rule, severity: .warning, message: "\(risk.file.split(separator: "/").last ?? ""):\(risk.line): \(text)", file: risk.file, line: risk.line))
            }
            guard let rule = Rule(rawValue: risk.rule) else {
                problem(.acceptInvalid, "rehearse:accept names \(risk.rule.isEmpty ? "no rule" : "\"\(risk.rule)\", which is no rule rehearse knows"); write -- rehearse:accept RULE REASON with a rule id from the report")
                continue
            }
            guard rule.acceptable else {
                problem(.acceptInvalid, "\(rule) cannot be accepted: a failing step, a dirty tracking table or missing evidence is never a risk to take")
                continue
            }
            guard !risk.reason.isEmpty else {
                problem(.acceptInvalid, "rehearse:accept \(rule) gives no reason; write why the risk is acceptable after the rule id")
                continue
            }
            let matching = findings.indices.filter { findings[$0].rule == rule && findings[$0].accepted == nil }
            guard !matching.isEmpty else {
                problem(.acceptStale, "rehearse:accept \(rule) matches no finding of this migration; remove it, or check the rule id")
                continue
            }
            for index in matching {
                findings[index].severity = .info
                findings[index].accepted = risk.reason
            }
        }
        return findings
    }

    /// A missing or do-nothing down, said once: the round trip is then not rehearsed.
    static func rollbackFileFindings(_ migration: Migration, mode: ExecutionMode) -> [Finding] {
        guard let down = migration.down else {
            return [Finding(
                rule: .downMissing, severity: .warning,
                message: "no down file: a rollback with migrate moves the version back without running any SQL; only the up was rehearsed",
                step: .down, file: migration.up?.path,
                advice: "write \(migration.identifier).down.sql that reverses the up migration, or keep it irreversible on purpose")]
        }
        guard down.isNoOp(in: mode) else { return [] }
        return [Finding(
            rule: .downEmpty, severity: .warning,
            message: "the down file is \(down.isBlank ? "empty" : "only comments"): rolling back changes nothing; only the up was rehearsed",
            step: .down, file: down.path, advice: "make the down migration reverse the up, or document why it cannot")]
    }

    /// A step that failed, was interrupted, or was not fully observed.
    static func stepFindings(_ step: StepReport, state: MigrationRehearsal, scenario: Scenario) -> [Finding] {
        let file = state.migration.file(step.direction)
        if step.interrupted {
            return [Finding(
                rule: .runInterrupted, severity: .error,
                message: "the rehearsal was interrupted during \(step.label); this migration's results are partial",
                step: step.kind, advice: "run the rehearsal again to completion")]
        }
        var findings: [Finding] = []
        if step.status == .failed, let error = step.error {
            var message = "\(step.label) failed: \(error.message)\(error.sqlState.map { " (SQLSTATE \($0))" } ?? "")"
            if file?.startsWithByteOrderMark == true {
                message += "; the file starts with a UTF-8 byte-order mark, which migrate sends to the server as it is"
            }
            findings.append(Finding(
                rule: step.timedOut ? .stepTimeout : .stepFailed, severity: .error, message: message, step: step.kind,
                file: error.file ?? file?.path, line: error.line, advice: advice(for: error, file: file, mode: scenario.mode)))
            // A rollback can leave production dirty; the second up is the rehearsal's own.
            if step.kind != .secondUp, let state = step.trackingAfter, state.dirty {
                findings.append(Finding(
                    rule: .migrateDirty, severity: .error,
                    message: "migrate would leave \(scenario.trackingTable) at \"Dirty database version \(state.version)\"; every later migrate command refuses until someone runs `migrate force`",
                    step: step.kind,
                    advice: "fix the migration; in production, check the schema by hand, then `migrate force \(state.version)` or the version before it"))
            }
        }
        for gap in step.observationGaps {
            findings.append(Finding(
                rule: .observeIncomplete, severity: .error,
                message: "during \(step.label), \(gap)", step: step.kind, file: file?.path,
                advice: "run the rehearsal again; if it recurs, check the server log for what ended the connection"))
        }
        return findings
    }

    /// Each up and down against `step_duration`: the up on the faster of its two runs, with
    /// production's estimate where the step grows with a table.
    static func durationFindings(_ state: MigrationRehearsal, scenario: Scenario) -> [Finding] {
        var findings: [Finding] = []
        let steps = state.entry.steps
        for kind in [StepKind.up, .down] {
            guard let step = steps.first(where: { $0.kind == kind && $0.status == .ok }) else { continue }
            let runs = steps.filter { $0.direction == step.direction && $0.status == .ok }
            let judgement = BudgetJudgement(
                key: "budgets.step_duration", budgetMs: scenario.budgets.stepDuration * 1000,
                measuredMs: runs.map(\.durationMs).min() ?? step.durationMs, runs: runs.count, scale: step.scale)
            guard judgement.standing != .within else { continue }
            findings.append(Finding(
                rule: .stepDuration, severity: judgement.severity(),
                message: "\(step.label) took \(judgement.figures)\(judgement.phrase)",
                step: kind, file: state.migration.file(step.direction)?.path,
                advice: "split the migration, batch data changes, or move them to a background job",
                judged: judgement.judged))
        }
        if let up = steps.filter({ $0.direction == .up && $0.status == .ok }).map(\.durationMs).min(),
            let down = steps.first(where: { $0.kind == .down && $0.status == .ok }),
            down.durationMs >= 1000, down.durationMs > up * scenario.budgets.downSlowerFactor * BudgetJudgement.noiseFactor
        {
            findings.append(Finding(
                rule: .downSlower, severity: .warning,
                message: "down took \(Format.duration(down.durationMs)), \(Int(down.durationMs / max(up, 0.001)))× the up (\(Format.duration(up))): a rollback under pressure will be slow",
                step: .down, file: state.migration.down?.path))
        }
        return findings
    }

    /// How the run went back onto production's path, or why it could not.
    static func recoveryFindings(_ state: MigrationRehearsal) -> [Finding] {
        if let failure = state.recoveryFailure {
            return [Finding(
                rule: .recoveryFailed, severity: .error, message: failure,
                advice: "make the ups deterministic (the same result on every run from the same data)")]
        }
        guard let recovery = state.entry.recovery else { return [] }
        return [Finding(rule: .recovered, severity: .info, message: recovery.summary)]
    }

    static func roundtripFindings(_ state: MigrationRehearsal) -> [Finding] {
        let data = (state.entry.roundtrip.data?.losses ?? []).map { loss in
            Finding(
                rule: .roundtripLosesData, severity: .warning, message: loss.message, step: .down, relation: loss.table,
                file: state.migration.down?.path,
                advice: "make the down put the data back (keep what the up removes, e.g. in a backup table), or accept it in the file: -- rehearse:accept roundtrip.down-loses-data REASON")
        }
        return data + state.entry.roundtrip.differences.map { difference in
            let afterDown = difference.comparison == .down
            return Finding(
                rule: afterDown ? .roundtripDownIncomplete : .roundtripReupDiffers, severity: .error,
                message: difference.message, step: afterDown ? .down : .secondUp,
                file: afterDown ? state.migration.down?.path : state.migration.up?.path,
                advice: afterDown
                    ? "make the down migration undo this (\(difference.change == .unexpected ? "drop it" : "restore it as it was"))"
                    : "make the up migration idempotent with respect to its down: the second up must build the same schema")
        }
    }

    static func advice(for error: PostgresError, file: MigrationFile?, mode: ExecutionMode) -> String? {
        if file?.startsWithByteOrderMark == true {
            return "save the file as UTF-8 without a byte-order mark (the server reads the mark as part of the first word)"
        }
        if mode == .multiStatement, error.sqlState == SQLState.syntaxError, let file {
            let hazards = SplitHazard.find(in: file.body)
            if !hazards.isEmpty { return SplitHazard.advice(hazards, file: file.fileName) }
        }
        switch error.sqlState {
        case SQLState.activeSQLTransaction:
            return mode == .wholeFile
                ? "golang-migrate sends the whole file as one query, i.e. one implicit transaction: put the CONCURRENTLY statement alone in its own migration file"
                : "this statement cannot run inside a transaction block; remove the surrounding BEGIN/COMMIT"
        case SQLState.lockNotAvailable:
            return "the migration gave up waiting for a lock (lock_timeout): retry when traffic is low, or make the locking statement shorter"
        case SQLState.queryCanceled:
            return "the statement was cancelled by a timeout: make the step faster or raise the timeout deliberately"
        case SQLState.duplicateTable, SQLState.duplicateColumn, SQLState.duplicateObject:
            return "the object already exists: make the down migration remove it, or guard the up with IF NOT EXISTS"
        case SQLState.undefinedTable, SQLState.undefinedColumn, SQLState.undefinedObject:
            return "the object does not exist at this point: check the order of statements and what the previous down left behind"
        default:
            return nil
        }
    }
}
