/// The go / no-go: fail on any error finding, a failed step, a migration not rehearsed, an
/// interrupt or a run that stopped; warn on warnings; pass otherwise. The headline names the
/// migration and its worst problem: a failing up outranks a dirty tracking table, which
/// outranks a round-trip failure, then budgets, locks and traffic (`Finding.rank`).
enum Verdicts {
    static func conclude(_ report: inout RehearsalReport) {
        for index in report.migrations.indices {
            let migration = report.migrations[index]
            switch migration.status {
            case .notRun: report.migrations[index].verdict = .notRun
            case .failed: report.migrations[index].verdict = .fail
            case .rehearsed: report.migrations[index].verdict = verdict(for: migration.findings)
            }
        }
        let all = report.findings + report.migrations.flatMap(\.findings)
        var overall = verdict(for: all)
        if report.interrupted || report.failure != nil || report.migrations.contains(where: { $0.verdict == .fail || $0.verdict == .notRun }) {
            overall = .fail
        }
        report.verdict = overall
        report.verdictReason = headline(report)
    }

    static func verdict(for findings: [Finding]) -> Verdict {
        if findings.contains(where: { $0.severity == .error }) { return .fail }
        if findings.contains(where: { $0.severity == .warning }) { return .warn }
        return .pass
    }

    /// One sentence: what a release manager must hear first.
    static func headline(_ report: RehearsalReport) -> String {
        let rehearsed = report.migrations.filter { $0.status != .notRun }.count
        let progress = "\(rehearsed) of \(report.migrations.count) pending migration(s) rehearsed"
        if report.interrupted {
            return "the rehearsal was interrupted; \(progress), so the report is partial"
        }
        if let failure = report.failure {
            return "the rehearsal stopped: \(failure)" + (report.migrations.isEmpty ? "" : " (\(progress))")
        }
        let located = report.findings.map { (migration: MigrationReport?.none, finding: $0) }
            + report.migrations.flatMap { migration in migration.findings.map { (migration: Optional(migration), finding: $0) } }
        func worst(_ severity: Finding.Severity) -> (migration: MigrationReport?, finding: Finding)? {
            // Stable: the lowest rank, then the earliest migration, then the order listed.
            located.filter { $0.finding.severity == severity }.enumerated()
                .min { ($0.element.finding.rank, $0.offset) < ($1.element.finding.rank, $1.offset) }?.element
        }
        func describe(_ item: (migration: MigrationReport?, finding: Finding)) -> String {
            guard let migration = item.migration else { return item.finding.message }
            return "migration \(migration.version) \(migration.name): \(item.finding.message)"
        }
        switch report.verdict {
        case .fail, .notRun:
            let errors = located.filter { $0.finding.severity == .error }
            let migrations = Set(errors.compactMap { $0.migration?.version }).count
            guard let first = worst(.error) else {
                let failed = report.migrations.first { $0.verdict == .fail }
                return failed.map { "migration \($0.version) \($0.name) failed" } ?? "a step failed"
            }
            let more = errors.count - 1
            return describe(first) + (more > 0 ? " — and \(more) more problem(s)\(migrations > 1 ? " in \(migrations) migrations" : "")" : "")
        case .warn:
            let warnings = located.filter { $0.finding.severity == .warning }.count
            return "\(progress), \(warnings) warning(s); first: " + (worst(.warning).map(describe) ?? "")
        case .pass:
            if report.migrations.isEmpty { return "nothing pending" }
            let irreversible = report.migrations.filter { $0.roundtrip.skipped != nil }.count
            let roundTrips = rehearsed - irreversible
            var text = "\(rehearsed) migration(s) rehearsed"
            if roundTrips > 0 { text += "; \(roundTrips) ran up, down and up again and the downs restore the schema" }
            if irreversible > 0 { text += "; \(irreversible) without a down (irreversible by intent) ran up" }
            return text + "; every budget holds"
        }
    }
}
