import Foundation

extension RehearsalReport {
    /// The report with its paths relative to `base` (the repository root that holds the
    /// migrations, else the working directory), so CI systems can annotate the migration's
    /// lines and the report reads the same on every machine: the path fields, and the paths
    /// quoted in messages. Paths outside `base` stay as they are.
    public func relativized(to base: String) -> RehearsalReport {
        let prefix = URL(fileURLWithPath: base).standardizedFileURL.path + "/"
        guard prefix != "//" else { return self }
        func path(_ value: String) -> String { value.hasPrefix("/") ? RepositoryPaths.relative(value, to: base) : value }
        func text(_ value: String) -> String { value.replacingOccurrences(of: prefix, with: "") }
        func fix(_ finding: Finding) -> Finding {
            var finding = finding
            finding.file = finding.file.map(path)
            finding.message = text(finding.message)
            finding.advice = finding.advice.map(text)
            return finding
        }
        var report = self
        report.scenario.file = path(scenario.file)
        report.scenario.migrations = path(scenario.migrations)
        report.snapshot.path = path(snapshot.path)
        report.failure = failure.map(text)
        report.verdictReason = text(verdictReason)
        report.findings = findings.map(fix)
        for index in report.migrations.indices {
            report.migrations[index].upFile = report.migrations[index].upFile.map(path)
            report.migrations[index].downFile = report.migrations[index].downFile.map(path)
            report.migrations[index].findings = report.migrations[index].findings.map(fix)
            report.migrations[index].notRunReason = report.migrations[index].notRunReason.map(text)
        }
        return report
    }
}
