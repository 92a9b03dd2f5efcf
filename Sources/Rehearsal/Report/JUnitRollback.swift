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

    static func releaseSuite(_ rollback: ReleaseRollback, report: RehearsalReport) -> Suite {
        let classname = "rehearse.\(report.scenario.name).release"
        guard rollback.skipped == nil else {
            return Suite(name: "release rollback", cases: [Case(name: "release rolled back", classname: classname, outcome: .skipped(rollback.summary))])
        }
        var cases = rollback.steps.map { release in
            Case(name: "\(release.version) \(release.name) down", classname: classname, seconds: release.step.durationMs / 1000, outcome: stepOutcome(release.step))
        }
        cases.append(Case(
            name: "schema is the snapshot's again", classname: classname,
            outcome: rollback.schemaRestored == nil ? .skipped("not compared: the rollback did not reach the snapshot's version") : .passed,
            output: rollback.differences.isEmpty ? nil : rollback.differences.map(\.message).joined(separator: "\n")))
        cases.append(Case(
            name: "data is the snapshot's again", classname: classname,
            outcome: rollback.dataRestored == nil ? .skipped("not compared (no copy replayed the release, or data_check is off)") : .passed,
            output: rollback.dataDifferences.isEmpty ? nil : rollback.dataDifferences.map(\.message).joined(separator: "\n")))
        cases += rollback.rollForward.map { release in
            Case(name: "\(release.version) \(release.name) up again", classname: classname, seconds: release.step.durationMs / 1000, outcome: stepOutcome(release.step))
        }
        return Suite(name: "release rollback", cases: cases)
    }
}
