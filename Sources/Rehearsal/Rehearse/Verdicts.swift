/// The go / no-go: fail on any error finding, warn on warnings, pass otherwise.
enum Verdicts {
    static func conclude(_ report: inout RehearsalReport) {
        for index in report.migrations.indices {
            report.migrations[index].verdict = verdict(for: report.migrations[index].findings)
            if report.migrations[index].status == .failed { report.migrations[index].verdict = .fail }
        }
        let all = report.findings + report.migrations.flatMap(\.findings)
        var overall = verdict(for: all)
        if report.migrations.contains(where: { $0.status == .failed }) || report.interrupted { overall = .fail }
        report.verdict = overall
        let errors = all.filter { $0.severity == .error }
        let warnings = all.filter { $0.severity == .warning }
        let rehearsed = report.migrations.filter { $0.status == .rehearsed }.count
        switch overall {
        case .fail:
            let first = report.failure.map { "the rehearsal stopped: \($0)" }
                ?? (report.interrupted ? "the rehearsal was interrupted" : (errors.first?.message ?? "a step failed"))
            report.verdictReason = "\(errors.count) problem(s); first: \(first)"
        case .warn:
            report.verdictReason = "\(rehearsed) migration(s) rehearsed, \(warnings.count) warning(s); first: \(warnings.first?.message ?? "")"
        case .pass:
            report.verdictReason = report.migrations.isEmpty
                ? "nothing pending"
                : "\(rehearsed) migration(s) ran up, down and up again; the down migrations restore the schema and every budget holds"
        }
    }

    static func verdict(for findings: [Finding]) -> Verdict {
        if findings.contains(where: { $0.severity == .error }) { return .fail }
        if findings.contains(where: { $0.severity == .warning }) { return .warn }
        return .pass
    }
}
