/// The JUnit cases of the rollback checks: whether each down brings the data back, and the
/// release rolled back and forward. Data not brought back is a warning, so its case passes
/// and says what is missing in its output, where CI shows it without failing the build.
extension JUnitReport {
    static func dataCase(_ migration: MigrationReport, classname: String, report: RehearsalReport) -> Case {
        let name = "down brings the data back"
        guard let data = migration.roundtrip.data else {
            return Case(name: name, classname: classname, outcome: .skipped(missingReason(migration, report: report, prefix: "not checked")))
        }
        if let skipped = data.skipped { return Case(name: name, classname: classname, outcome: .skipped("not checked: \(skipped)")) }
        return Case(name: name, classname: classname, outcome: .passed, output: data.losses.isEmpty ? nil : data.losses.map(\.message).joined(separator: "\n"))
    }

    /// The release rolled back and forward again; its findings fail the case they are about
    /// (the failing down or up), or one of their own.
    static func releaseSuite(_ rollback: ReleaseRollback, report: RehearsalReport) -> Suite {
        let classname = "rehearse.\(report.scenario.name).release"
        guard rollback.skipped == nil else {
            return Suite(name: "release rollback", cases: [Case(name: "release rolled back", classname: classname, outcome: .skipped(rollback.summary))])
        }
        let findings = report.findings.filter { $0.rule.category == .release }
        func of(_ rule: Rule) -> [Finding] { findings.filter { $0.rule == rule && $0.severity == .error } }
        func steps(_ releases: [ReleaseStep], suffix: String, failedBy rule: Rule) -> [Case] {
            let failedIndex = releases.firstIndex { $0.step.status == .failed }
            return releases.enumerated().map { index, release in
                let errors = index == failedIndex ? of(rule) : []
                return Case(
                    name: "\(release.version) \(release.name) \(suffix)", classname: classname, seconds: release.step.durationMs / 1000,
                    outcome: failing(stepOutcome(release.step), with: errors), file: errors.first?.file, line: errors.first?.line)
            }
        }
        var cases = steps(rollback.steps, suffix: "down", failedBy: .releaseRollbackFails)
        let incomplete = lines(findings.filter { $0.rule == .releaseRollbackIncomplete })
        cases.append(Case(
            name: "schema is the snapshot's again", classname: classname,
            outcome: rollback.schemaRestored == nil ? .skipped("not compared: the rollback did not reach the snapshot's version") : .passed,
            output: incomplete ?? (rollback.differences.isEmpty ? nil : rollback.differences.map(\.message).joined(separator: "\n"))))
        cases.append(Case(
            name: "data is the snapshot's again", classname: classname,
            outcome: rollback.dataRestored == nil ? .skipped("not compared (no copy replayed the release, or data_check is off)") : .passed,
            output: rollback.dataDifferences.isEmpty ? nil : rollback.dataDifferences.map(\.message).joined(separator: "\n")))
        cases += steps(rollback.rollForward, suffix: "up again", failedBy: .releaseRollForwardFails)
        // A failing step holds its finding; any other error is a case of its own.
        var placed: [Rule] = []
        if rollback.steps.contains(where: { $0.step.status == .failed }) { placed.append(.releaseRollbackFails) }
        if rollback.rollForward.contains(where: { $0.step.status == .failed }) { placed.append(.releaseRollForwardFails) }
        let unplaced = findings.filter { $0.severity == .error && !placed.contains($0.rule) }
        cases += ownCases(unplaced, classname: classname)
        return Suite(name: "release rollback", cases: cases)
    }
}
