import Foundation

/// Renders the report as JUnit XML, the format CI test tabs already read (GitHub actions such
/// as dorny/test-reporter and mikepenz/action-junit-report, GitLab's `junit` artifacts): a
/// suite "plan" for the run as a whole, then one suite per migration with a case per step, per
/// round-trip check and per exceeded budget, and a "findings" case that fails on any error
/// finding. Case names stay the same from run to run, so CI can track them over nights.
public enum JUnitReport {
    public static func render(_ report: RehearsalReport) -> String {
        let suites = [planSuite(report)] + report.migrations.map { suite(for: $0, report: report) }
            + (report.releaseRollback.map { [releaseSuite($0, report: report)] } ?? [])
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let failures = suites.reduce(0) { $0 + $1.failures }
        let skipped = suites.reduce(0) { $0 + $1.skipped }
        let seconds = suites.reduce(0.0) { $0 + $1.seconds }
        var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        out.append("<testsuites name=\"\(attribute("rehearse: \(report.scenario.name)"))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(time(seconds))\">")
        for suite in suites {
            out += suite.xml()
        }
        out.append("</testsuites>")
        return out.joined(separator: "\n") + "\n"
    }

    struct Suite {
        var name: String
        var properties: [(name: String, value: String)] = []
        var cases: [Case]

        var failures: Int { cases.filter { if case .failed = $0.outcome { return true } else { return false } }.count }
        var skipped: Int { cases.filter { if case .skipped = $0.outcome { return true } else { return false } }.count }
        var seconds: Double { cases.reduce(0.0) { $0 + $1.seconds } }

        func xml() -> [String] {
            var out = ["  <testsuite name=\"\(JUnitReport.attribute(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(JUnitReport.time(seconds))\">"]
            if !properties.isEmpty {
                out.append("    <properties>")
                for property in properties {
                    out.append("      <property name=\"\(JUnitReport.attribute(property.name))\" value=\"\(JUnitReport.attribute(property.value))\"/>")
                }
                out.append("    </properties>")
            }
            for testCase in cases {
                out += testCase.xml()
            }
            out.append("  </testsuite>")
            return out
        }
    }

    struct Case {
        enum Outcome {
            case passed
            case failed(message: String, type: String, details: String)
            case skipped(String)
        }

        var name: String
        var classname: String
        var seconds: Double = 0
        var outcome: Outcome
        /// What a person may want to read although the case passed (warnings).
        var output: String?

        func xml() -> [String] {
            let start = "    <testcase name=\"\(JUnitReport.attribute(name))\" classname=\"\(JUnitReport.attribute(classname))\" time=\"\(JUnitReport.time(seconds))\""
            var body: [String] = []
            switch outcome {
            case .passed:
                break
            case let .failed(message, type, details):
                body.append("      <failure message=\"\(JUnitReport.attribute(message))\" type=\"\(JUnitReport.attribute(type))\">\(JUnitReport.text(details))</failure>")
            case let .skipped(message):
                body.append("      <skipped message=\"\(JUnitReport.attribute(message))\"/>")
            }
            if let output, !output.isEmpty {
                body.append("      <system-out>\(JUnitReport.text(output))</system-out>")
            }
            if body.isEmpty { return [start + "/>"] }
            return [start + ">"] + body + ["    </testcase>"]
        }
    }

    // MARK: - Suites

    static func planSuite(_ report: RehearsalReport) -> Suite {
        let classname = "rehearse.\(report.scenario.name).plan"
        let completed: Case.Outcome = report.interrupted
            ? .failed(
                message: "the rehearsal was interrupted; later migrations were not rehearsed",
                type: "interrupted", details: report.verdictReason)
            : .passed
        var properties: [(name: String, value: String)] = [
            ("verdict", report.verdict.rawValue),
            ("verdict.reason", report.verdictReason),
            ("scenario.file", report.scenario.file),
            ("scenario.mode", report.scenario.mode.rawValue),
            ("snapshot.path", report.snapshot.path),
            ("snapshot.sha256", report.snapshot.sha256),
            ("server.version", report.server.version),
            ("tracking.start", report.startVersion.map(String.init) ?? "none"),
            ("tracking.end", report.endState?.display ?? "none"),
            ("started", report.startedAt),
            ("rehearse.version", report.tool.version),
        ]
        if let finished = report.finishedAt { properties.append(("finished", finished)) }
        return Suite(name: "plan", properties: properties, cases: [
            Case(name: "rehearsal completed", classname: classname, outcome: completed),
            findingsCase(report.findings, classname: classname),
        ])
    }

    static func suite(for migration: MigrationReport, report: RehearsalReport) -> Suite {
        let classname = "rehearse.\(report.scenario.name).\(migration.version)_\(migration.name)"
        let name = "\(migration.version) \(migration.name)"
        let properties = [(name: "verdict", value: migration.verdict.rawValue)]
        if migration.status == .notRun {
            let reason = migration.notRunReason ?? "not rehearsed"
            let names = StepKind.allCases.map(\.label) + ["down restores schema", "second up matches first up", "down brings the data back", "findings"]
            return Suite(name: name, properties: properties, cases: names.map { Case(name: $0, classname: classname, outcome: .skipped(reason)) })
        }

        var cases: [Case] = []
        for kind in StepKind.allCases {
            guard let step = migration.steps.first(where: { $0.kind == kind }) else {
                cases.append(Case(name: kind.label, classname: classname, outcome: .skipped(missingReason(migration, report: report, prefix: "not run"))))
                continue
            }
            cases.append(Case(name: kind.label, classname: classname, seconds: step.durationMs / 1000, outcome: stepOutcome(step)))
        }

        let roundtrip = migration.roundtrip
        let afterDown = roundtrip.differences.filter { $0.comparison == .down }
        let afterReup = roundtrip.differences.filter { $0.comparison != .down }
        cases.append(Case(
            name: "down restores schema", classname: classname,
            outcome: checkOutcome(roundtrip.downRestoresSchema, afterDown, what: "down did not restore the schema", migration: migration, report: report)))
        cases.append(Case(
            name: "second up matches first up", classname: classname,
            outcome: checkOutcome(roundtrip.reupMatchesFirstUp, afterReup, what: "the second up built a different schema", migration: migration, report: report)))
        cases.append(dataCase(migration, classname: classname, report: report))

        // Named by rule, not message: measured figures in a name would make a new test every night.
        let budgets = migration.findings.filter { $0.severity == .error && isBudget($0) }
        for (index, finding) in budgets.enumerated() {
            let rule = finding.rule.rawValue
            let base = finding.rule.category == .budget ? rule : "budget: \(rule)"
            let sameRule = budgets.filter { $0.rule == finding.rule }
            let ordinal = sameRule.count > 1 ? " #\(budgets[...index].filter { $0.rule == finding.rule }.count)" : ""
            cases.append(Case(
                name: base + ordinal, classname: classname,
                outcome: .failed(message: finding.message, type: rule, details: findingLine(finding))))
        }
        cases.append(findingsCase(migration.findings, classname: classname))
        return Suite(name: name, properties: properties, cases: cases)
    }

    /// A finding that judged a measured figure against one of the scenario's budgets.
    static func isBudget(_ finding: Finding) -> Bool {
        finding.judged != nil
    }

    // MARK: - Cases

    static func stepOutcome(_ step: StepReport) -> Case.Outcome {
        switch step.status {
        case .ok:
            return .passed
        case .skipped:
            return .skipped(step.skipReason ?? "skipped")
        case .failed where step.interrupted:
            return .skipped("interrupted during \(step.label): the result is partial")
        case .failed:
            let label = step.label
            var details: [String] = []
            if let error = step.error {
                details.append(error.description)
                if let context = error.context, !context.isEmpty { details.append("Context: \(context)") }
            }
            if step.timedOut { details.append("\(label) was cancelled by the scenario's step timeout") }
            if let state = step.trackingAfter { details.append("tracking table after \(label): \(state.display)") }
            return .failed(
                message: step.error?.description ?? "\(label) failed",
                type: step.error?.sqlState ?? "step",
                details: details.joined(separator: "\n"))
        }
    }

    static func checkOutcome(
        _ result: Bool?, _ differences: [SchemaDifference], what: String, migration: MigrationReport, report: RehearsalReport
    ) -> Case.Outcome {
        switch result {
        case true?:
            return .passed
        case false?:
            let lines = differences.map { $0.message.isEmpty ? "\($0.change.rawValue) \($0.kind) \($0.name)" : $0.message }
            return .failed(
                message: "\(what): \(differences.count) difference(s)\(lines.first.map { "; first: \($0)" } ?? "")",
                type: "roundtrip", details: lines.joined(separator: "\n"))
        case nil:
            return .skipped(missingReason(migration, report: report, prefix: "not checked"))
        }
    }

    /// A failed "findings" case lists every error finding; warnings and notes go to its output,
    /// where CI shows them without failing the build.
    static func findingsCase(_ findings: [Finding], classname: String) -> Case {
        let errors = findings.filter { $0.severity == .error }
        let others = findings.filter { $0.severity != .error }
        let output = others.isEmpty ? nil : others.map(findingLine).joined(separator: "\n")
        guard let first = errors.first else {
            return Case(name: "findings", classname: classname, outcome: .passed, output: output)
        }
        return Case(
            name: "findings", classname: classname,
            outcome: .failed(
                message: "\(errors.count) error finding(s); first: \(first.message)", type: "findings",
                details: errors.map(findingLine).joined(separator: "\n")),
            output: output)
    }

    static func findingLine(_ finding: Finding) -> String {
        var line = "\(finding.severity.rawValue) \(finding.rule.rawValue)"
        if let file = finding.file { line += " \(file)\(finding.line.map { ":\($0)" } ?? "")" }
        line += ": \(finding.message)"
        if let advice = finding.advice { line += " (\(advice))" }
        if let accepted = finding.accepted { line += " [accepted: \(accepted)]" }
        return line
    }

    /// Why a step or check of a rehearsed migration is absent: a step before it failed, or
    /// the run was interrupted.
    static func missingReason(_ migration: MigrationReport, report: RehearsalReport, prefix: String) -> String {
        if let skipped = migration.roundtrip.skipped { return "\(prefix): \(skipped)" }
        if let failed = migration.steps.first(where: { $0.status == .failed }) {
            if failed.interrupted { return "\(prefix): the rehearsal was interrupted" }
            return "\(prefix): \(failed.label) failed"
        }
        if report.interrupted { return "\(prefix): the rehearsal was interrupted" }
        return prefix
    }

    // MARK: - XML

    static func time(_ seconds: Double) -> String {
        String(format: "%.3f", seconds.isFinite ? max(seconds, 0) : 0)
    }

    /// Element content: markup characters escaped, CR kept as a reference (parsers turn a raw
    /// one into LF), characters XML 1.0 forbids dropped.
    static func text(_ value: String) -> String {
        escape(value, inAttribute: false)
    }

    /// Attribute values: as `text`, and line breaks and tabs as references, because parsers
    /// turn raw ones into spaces.
    static func attribute(_ value: String) -> String {
        escape(value, inAttribute: true)
    }

    static func escape(_ value: String, inAttribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case "\n": out += inAttribute ? "&#10;" : "\n"
            case "\t": out += inAttribute ? "&#9;" : "\t"
            default:
                if isAllowedInXML(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// XML 1.0's Char production: tab, LF, CR, and everything from U+0020 except U+FFFE and
    /// U+FFFF (Swift scalars are never surrogates).
    static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xFFFD: return true
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}
