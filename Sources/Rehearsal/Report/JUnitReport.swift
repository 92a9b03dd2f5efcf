import Foundation

/// Renders the report as JUnit XML, the format CI test tabs already read (GitHub actions such
/// as dorny/test-reporter and mikepenz/action-junit-report, GitLab's `junit` artifacts): a
/// suite "plan" for the run as a whole, one suite per migration with a case per step and per
/// round-trip check, and a "release rollback" suite. Each error finding fails exactly one
/// case: the step or check it is about, else a case of its own named by its rule. Warnings
/// and notes go to the output of the case they are about, else of a "findings" case that
/// never fails. Cases carry the migration's file and line. Case names stay the same from run
/// to run, so CI can track them over nights.
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
        /// The migration file and line the case is about, for CI systems that link them.
        var file: String?
        var line: Int?

        func xml() -> [String] {
            var start = "    <testcase name=\"\(JUnitReport.attribute(name))\" classname=\"\(JUnitReport.attribute(classname))\" time=\"\(JUnitReport.time(seconds))\""
            if let file { start += " file=\"\(JUnitReport.attribute(file))\"" }
            if let line { start += " line=\"\(line)\"" }
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
        // The release rollback's findings belong to its own suite.
        let findings = report.findings.filter { $0.rule.category != .release }
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
        let errors = findings.filter { $0.severity == .error }
        return Suite(
            name: "plan", properties: properties,
            cases: [Case(name: "rehearsal completed", classname: classname, outcome: completed)]
                + ownCases(errors, classname: classname)
                + [notesCase(findings.filter { $0.severity != .error }, classname: classname)])
    }

    /// Where a finding of a migration shows: the case an error fails (exactly one), or the
    /// case whose output a warning or note joins.
    enum Place: Equatable {
        case step(StepKind)
        case downRestoresSchema
        case secondUpMatches
        case dataBack
        /// A case of its own, named by the rule.
        case own
        case findings
    }

    static func place(of finding: Finding) -> Place {
        switch finding.rule {
        case .roundtripDownIncomplete: return .downRestoresSchema
        case .roundtripReupDiffers: return .secondUpMatches
        case .roundtripLosesData: return .dataBack
        case .stepFailed, .stepTimeout, .migrateDirty, .runInterrupted: return .step(finding.step ?? .up)
        default:
            if finding.severity == .error { return .own }
            return finding.step.map { .step($0) } ?? .findings
        }
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
        func at(_ place: Place) -> (errors: [Finding], notes: [Finding]) {
            let here = migration.findings.filter { self.place(of: $0) == place }
            return (here.filter { $0.severity == .error }, here.filter { $0.severity != .error })
        }
        func file(_ kind: StepKind) -> String? { kind == .down ? migration.downFile : migration.upFile }

        var cases: [Case] = []
        for kind in StepKind.allCases {
            let (errors, notes) = at(.step(kind))
            let outcome: Case.Outcome
            var seconds = 0.0
            if let step = migration.steps.first(where: { $0.kind == kind }) {
                outcome = stepOutcome(step)
                seconds = step.durationMs / 1000
            } else {
                outcome = .skipped(missingReason(migration, report: report, prefix: "not run"))
            }
            cases.append(Case(
                name: kind.label, classname: classname, seconds: seconds, outcome: failing(outcome, with: errors),
                output: lines(notes), file: file(kind), line: (errors + notes).compactMap(\.line).first))
        }

        let roundtrip = migration.roundtrip
        let checks: [(place: Place, name: String, result: Bool?, differences: [SchemaDifference], file: String?)] = [
            (.downRestoresSchema, "down restores schema", roundtrip.downRestoresSchema, roundtrip.differences.filter { $0.comparison == .down }, migration.downFile),
            (.secondUpMatches, "second up matches first up", roundtrip.reupMatchesFirstUp, roundtrip.differences.filter { $0.comparison != .down }, migration.upFile),
        ]
        for check in checks {
            let (errors, notes) = at(check.place)
            let checked: Case.Outcome = check.result == nil ? .skipped(missingReason(migration, report: report, prefix: "not checked")) : .passed
            let differences = check.differences.map { $0.message.isEmpty ? "\($0.change.rawValue) \($0.kind) \($0.name)" : $0.message }
            cases.append(Case(
                name: check.name, classname: classname, outcome: failing(checked, with: errors, details: differences),
                output: lines(notes), file: check.file, line: (errors + notes).compactMap(\.line).first))
        }
        let (dataErrors, dataNotes) = at(.dataBack)
        var data = dataCase(migration, classname: classname, report: report)
        data.outcome = failing(data.outcome, with: dataErrors)
        data.output = lines(dataNotes) ?? data.output
        data.file = migration.downFile
        cases.append(data)

        // Named by rule, not message: measured figures in a name would make a new test every night.
        cases += ownCases(at(.own).errors, classname: classname)
        cases.append(notesCase(at(.findings).notes, classname: classname))
        return Suite(name: name, properties: properties, cases: cases)
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

    /// A failing case for each error finding that has no case of its own elsewhere, named by
    /// its rule (numbered when a rule fires more than once), with the finding's file and line.
    static func ownCases(_ errors: [Finding], classname: String) -> [Case] {
        errors.enumerated().map { index, finding in
            let rule = finding.rule.rawValue
            let repeats = errors.filter { $0.rule == finding.rule }.count
            let ordinal = repeats > 1 ? " #\(errors[...index].filter { $0.rule == finding.rule }.count)" : ""
            return Case(
                name: rule + ordinal, classname: classname,
                outcome: .failed(message: finding.message, type: rule, details: findingLine(finding)),
                file: finding.file, line: finding.line)
        }
    }

    /// The "findings" case: it never fails (every error fails a case of its own); the warnings
    /// and notes no other case holds go to its output. GitLab's test report and Jenkins show a
    /// case's output whether it passed or failed; reporters that list only failed cases do not.
    static func notesCase(_ notes: [Finding], classname: String) -> Case {
        Case(name: "findings", classname: classname, outcome: .passed, output: lines(notes))
    }

    /// `outcome`, failed by `errors` when there are some: their lines join the details.
    static func failing(_ outcome: Case.Outcome, with errors: [Finding], details extra: [String] = []) -> Case.Outcome {
        guard let first = errors.first else { return outcome }
        let findings = errors.map(findingLine)
        if case let .failed(message, type, details) = outcome {
            return .failed(message: message, type: type, details: ([details] + extra + findings).filter { !$0.isEmpty }.joined(separator: "\n"))
        }
        return .failed(message: first.message, type: first.rule.rawValue, details: (extra + findings).joined(separator: "\n"))
    }

    static func lines(_ findings: [Finding]) -> String? {
        findings.isEmpty ? nil : findings.map(findingLine).joined(separator: "\n")
    }

    static func findingLine(_ finding: Finding) -> String {
        var line = "\(finding.severity.rawValue) \(finding.rule.rawValue)"
        if let file = finding.file { line += " \(file)\(finding.line.map { ":\($0)" } ?? "")" }
        line += ": \(finding.message)"
        if let advice = finding.advice { line += " (\(advice))" }
        if let accepted = finding.accepted { line += " [accepted: \(accepted)]" }
        line += " — see \(MarkdownReport.ruleLink(finding.rule))"
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
