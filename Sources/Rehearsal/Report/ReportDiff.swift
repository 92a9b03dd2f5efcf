/// Compares two rehearsals of the same scenario (last night's and tonight's): per migration
/// and step, how durations, lock hold times and blocked traffic moved, and which findings
/// are new. A change counts as a regression when it is both `factor` times worse and at
/// least `minimumMs` worse, so noise on tiny steps is not flagged; an up's duration is the
/// faster of its two runs (up and second up), so one slow measurement is never a regression.
public struct ReportDiff: Sendable, Codable, Equatable {
    public struct StepChange: Sendable, Codable, Equatable {
        public var version: UInt64
        public var name: String
        public var step: String
        public var metric: String
        public var old: Double
        public var new: Double
        public var ratio: Double?
        public var regression: Bool
    }

    public var changes: [StepChange] = []
    public var newFindings: [String] = []
    public var resolvedFindings: [String] = []
    public var newMigrations: [UInt64] = []
    public var oldVerdict: Verdict
    public var newVerdict: Verdict

    public var regressions: [StepChange] { changes.filter(\.regression) }
    public var hasRegressions: Bool { !regressions.isEmpty || newVerdict > oldVerdict }

    public static func compare(old: RehearsalReport, new: RehearsalReport, factor: Double = 1.5, minimumMs: Double = 50) -> ReportDiff {
        var diff = ReportDiff(oldVerdict: old.verdict, newVerdict: new.verdict)
        let previous = Dictionary(old.migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        for migration in new.migrations {
            guard let before = previous[migration.version] else {
                diff.newMigrations.append(migration.version)
                continue
            }
            // The second up is the up's second measurement, not a step of its own.
            for step in migration.steps where !(step.direction == .up && step.pass == 2) {
                guard let earlier = before.steps.first(where: { $0.direction == step.direction && $0.pass == step.pass }) else { continue }
                let label = step.direction == .up ? "up (faster of 2 runs)" : step.label
                func add(_ metric: String, _ old: Double, _ new: Double) {
                    guard old > 0 || new > 0 else { return }
                    let ratio = old > 0 ? new / old : nil
                    let regression = new - old >= minimumMs && (ratio.map { $0 >= factor } ?? true)
                    diff.changes.append(StepChange(
                        version: migration.version, name: migration.name, step: label, metric: metric,
                        old: old, new: new, ratio: ratio, regression: regression))
                }
                add("duration", fastest(earlier, in: before), fastest(step, in: migration))
                add("longest lock held", strongestHold(earlier), strongestHold(step))
                add("longest traffic block", earlier.traffic?.maxBlockedMs ?? 0, step.traffic?.maxBlockedMs ?? 0)
                add("migration lock wait", earlier.migrationWaitMs, step.migrationWaitMs)
            }
        }
        let key = { (finding: Finding, version: UInt64?) in "\(version.map { "\($0) " } ?? "")\(finding.rule): \(finding.message)" }
        let oldKeys = Set(old.findings.map { key($0, nil) } + old.migrations.flatMap { m in m.findings.map { key($0, m.version) } })
        let newKeys = new.findings.map { key($0, nil) } + new.migrations.flatMap { m in m.findings.filter { $0.severity != .info }.map { key($0, m.version) } }
        let oldRules = Set(old.findings.map { "\($0.rule)" } + old.migrations.flatMap { m in m.findings.map { "\(m.version) \($0.rule)" } })
        // A finding is new when its rule did not fire for that migration before (messages
        // carry measured numbers that change run to run).
        diff.newFindings = newKeys.filter { text in
            let rule = text.split(separator: ":").first.map(String.init) ?? text
            return !oldRules.contains(rule) && !oldKeys.contains(text)
        }
        let newRules = Set(new.findings.map { "\($0.rule)" } + new.migrations.flatMap { m in m.findings.map { "\(m.version) \($0.rule)" } })
        diff.resolvedFindings = oldRules.filter { !newRules.contains($0) }.sorted()
        return diff
    }

    /// An up's duration as the faster of its two runs when both ran; any other step's own.
    static func fastest(_ step: StepReport, in migration: MigrationReport) -> Double {
        guard step.direction == .up, step.pass == 1,
            let second = migration.steps.first(where: { $0.direction == .up && $0.pass == 2 && $0.status == .ok }), step.status == .ok
        else { return step.durationMs }
        return min(step.durationMs, second.durationMs)
    }

    /// Why two reports cannot be compared, or nil when they can: another scenario, or another
    /// project's migrations (a version both have under different names, or no version in
    /// common). Migrations added since are what a nightly trend shows, not a reason.
    public static func incompatibility(old: RehearsalReport, new: RehearsalReport) -> String? {
        if old.scenario.name != new.scenario.name {
            return "the reports are of different scenarios (\(old.scenario.name) and \(new.scenario.name))"
        }
        let before = Dictionary(old.migrations.map { ($0.version, $0.name) }, uniquingKeysWith: { first, _ in first })
        if let renamed = new.migrations.first(where: { migration in before[migration.version].map { $0 != migration.name } ?? false }) {
            return "migration \(renamed.version) is \(before[renamed.version]!) in the first report and \(renamed.name) in the second: they rehearse different migration sets"
        }
        if !old.migrations.isEmpty, !new.migrations.isEmpty, !new.migrations.contains(where: { before[$0.version] != nil }) {
            return "the reports have no migration in common: they rehearse different migration sets"
        }
        return nil
    }

    static func strongestHold(_ step: StepReport) -> Double {
        step.locks.filter(\.blocksWrites).map(\.heldMs).max() ?? 0
    }

    /// The comparison as Markdown, regressions first.
    public func markdown(oldLabel: String, newLabel: String) -> String {
        var out: [String] = []
        out.append("# Rehearsal trend: \(MarkdownReport.escape(oldLabel)) → \(MarkdownReport.escape(newLabel))")
        out.append("")
        out.append("Verdict: \(oldVerdict.rawValue) → **\(newVerdict.rawValue)**. \(regressions.count) regression(s), \(newFindings.count) new finding(s).")
        out.append("")
        if !changes.isEmpty {
            out.append("| migration | step | metric | before | now | ratio | |")
            out.append("|---|---|---|---:|---:|---:|---|")
            for change in changes.sorted(by: { ($0.regression ? 0 : 1, $0.version) < ($1.regression ? 0 : 1, $1.version) }) {
                let ratio = change.ratio.map { String(format: "%.2f×", $0) } ?? "new"
                out.append("| \(change.version) \(MarkdownReport.escape(change.name)) | \(change.step) | \(change.metric) | \(Format.duration(change.old)) | \(Format.duration(change.new)) | \(ratio) | \(change.regression ? "⚠️ regression" : "") |")
            }
            out.append("")
        }
        if !newMigrations.isEmpty {
            out.append("New migrations since the previous run: \(newMigrations.map(String.init).joined(separator: ", ")).")
            out.append("")
        }
        if !newFindings.isEmpty {
            out.append("## New findings")
            out.append("")
            out += newFindings.map { "- \(MarkdownReport.escape($0))" }
            out.append("")
        }
        if !resolvedFindings.isEmpty {
            out.append("## No longer reported")
            out.append("")
            out += resolvedFindings.map { "- \(MarkdownReport.escape($0))" }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}

import Foundation
