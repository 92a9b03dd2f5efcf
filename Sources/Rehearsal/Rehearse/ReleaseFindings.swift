/// Findings from the rollback of the whole release: a down or an up that fails there, what
/// the rollback does not restore of the snapshot's schema and data, and application queries
/// that fail while the release goes back and forth (the deployed code must work on both
/// schemas).
enum ReleaseFindings {
    static func make(_ rollback: ReleaseRollback, states: [MigrationRehearsal], baseline: StepTraffic?) -> [Finding] {
        var findings: [Finding] = []
        let files = Dictionary(uniqueKeysWithValues: states.map { ($0.migration.version, $0.migration) })
        let target = rollback.targetVersion.map(String.init) ?? "no version"
        for (steps, rule, what) in [(rollback.steps, Rule.releaseRollbackFails, "rolling the release back"), (rollback.rollForward, .releaseRollForwardFails, "rolling the release forward again")] {
            for release in steps where release.step.status == .failed {
                let error = release.step.error
                let dirty = release.step.trackingAfter.map { $0.dirty ? "; migrate stops there, leaving \"Dirty database version \($0.version)\"" : "" } ?? ""
                findings.append(Finding(
                    rule: rule, severity: .error,
                    message: "\(what), migration \(release.version) (\(release.name)) \(release.step.label) failed: \(error?.message ?? "error")\(error?.sqlState.map { " (SQLSTATE \($0))" } ?? "")\(dirty)",
                    step: release.step.kind, file: error?.file ?? files[release.version]?.file(release.step.direction)?.path, line: error?.line,
                    advice: "make every down of the release run after the ups that follow it: `migrate goto \(target)` runs them newest first"))
            }
        }
        if rollback.schemaRestored == false {
            let first = rollback.differences.prefix(3).map(\.message).joined(separator: "; ")
            findings.append(Finding(
                rule: .releaseRollbackIncomplete, severity: .warning,
                message: "after rolling the release back to \(target), \(rollback.differences.count) object(s) differ from the snapshot's schema: \(first)\(rollback.differences.count > 3 ? "; …" : "")",
                advice: "a migration without a working down cannot be rolled back by migrate: say so in the release notes, or write the down"))
        }
        for loss in rollback.dataDifferences {
            findings.append(Finding(
                rule: .releaseRollbackIncomplete, severity: .warning, message: loss.message, relation: loss.table,
                advice: "keep the data a migration removes (a backup table, a soft delete) until the release is safe, or make the migration irreversible on purpose"))
        }
        // Failures against the new schema are traffic.errors-after-up already; here, those
        // while the release goes back and against the snapshot's schema again.
        let failedBefore = Set((baseline?.perQuery ?? []).filter { $0.errors > 0 }.map(\.name))
        var reported = Set<String>()
        for release in rollback.steps {
            for (traffic, when) in [(release.step.traffic, "during migration \(release.version)'s down"), (release.step.trafficAfter, "after the rollback")] {
                for query in traffic?.perQuery ?? [] where query.errors > 0 && !failedBefore.contains(query.name) {
                    guard reported.insert(query.name).inserted else { continue }
                    findings.append(Finding(
                        rule: .releaseTrafficErrors, severity: .error,
                        message: "application query \(query.name) failed \(query.errors) time(s) \(when), rolling the release back: \(query.firstError ?? "error")",
                        step: .down,
                        advice: "the deployed code must keep working when the release is rolled back: each down must give back what the code before the release uses"))
                }
            }
        }
        return findings
    }
}
