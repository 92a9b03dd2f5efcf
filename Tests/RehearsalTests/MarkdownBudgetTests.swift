import Foundation
import XCTest
@testable import Rehearsal

/// report.md at the size of a real release: fifty migrations stay under GitHub's 65,536
/// characters for a comment, with every warning and error shown and each rule's advice once.
final class MarkdownBudgetTests: XCTestCase {
    /// Fifty rehearsed migrations like the sample's locking one (statements, locks, traffic,
    /// a round-trip failure, budget errors, a warning and a note each), the last ten with a
    /// pile of findings.
    private func fiftyMigrations() -> RehearsalReport {
        var report = SampleReport.make()
        let template = SampleReport.locking()
        report.migrations = (0..<50).map { index in
            var migration = template
            migration.version = 20250101000000 + UInt64(index)
            migration.name = "change_number_\(index)_" + String(repeating: "x", count: index % 20)
            migration.findings.append(Finding(rule: .recovered, severity: .info, message: "a note \(index)"))
            if index >= 40 {
                migration.findings += (0..<20).map { Finding(rule: .trafficBlocked, severity: .warning, message: "blocked query \($0) on public.clips for \($0 * 10) ms during up", step: .up) }
            }
            return migration
        }
        Verdicts.conclude(&report)
        return report
    }

    func testFiftyMigrationsFitInAPullRequestCommentWithEveryProblemShown() {
        let report = fiftyMigrations()
        let text = MarkdownReport.render(report)
        XCTAssertLessThan(text.count, 65_536, "\(text.count) characters")
        let sections = text.components(separatedBy: "\n### ")
        for migration in report.migrations {
            XCTAssertTrue(text.contains("| \(migration.version) | \(migration.name) |"), "summary row of \(migration.version)")
            let problems = migration.findings.filter { $0.severity != .info }
            let section = try? XCTUnwrap(sections.first { $0.hasPrefix("\(migration.version) ") }, "\(migration.version) has its section")
            XCTAssertTrue(section?.contains("**\(problems[0].rule)**") == true, "\(migration.version): its worst problem is listed")
            let listed = section?.components(separatedBy: "\n- ").count ?? 1
            XCTAssertTrue(listed - 1 == problems.count || section?.contains("more warning(s) and error(s)") == true, "\(migration.version): listed, or the rest counted")
        }
        XCTAssertTrue(text.contains("Shortened to fit a pull-request comment"), "says it is shortened")
        XCTAssertFalse(text.contains("a note 3"), "notes are counted, not listed")
        let notes = (report.findings + report.migrations.flatMap(\.findings)).filter { $0.severity == .info && $0.accepted == nil }.count
        XCTAssertTrue(text.contains("\(notes) note(s)"))
        let advice = text.components(separatedBy: "## What to do").last ?? ""
        for rule in Set(report.migrations.flatMap(\.findings).filter { $0.severity != .info }.map(\.rule)) {
            XCTAssertEqual(advice.components(separatedBy: "[`\(rule)`](docs/rules/\(rule).md)").count - 1, 1, "\(rule)'s advice once, with its page")
        }
        XCTAssertTrue(text.contains("are in report.html and report.json, to keep this report within"), "the details that do not fit are named")
    }

    func testTheRulePageBaseCanBeSet() {
        XCTAssertEqual(MarkdownReport.ruleLink(.downEmpty, environment: ["REHEARSE_RULES_URL": "https://git.example.com/rehearse/docs/rules"]),
                       "https://git.example.com/rehearse/docs/rules/down.empty.md")
        XCTAssertEqual(MarkdownReport.ruleLink(.downEmpty, environment: [:]), "docs/rules/down.empty.md")
    }

    func testASmallReportKeepsAllItsDetailsAndWholeMessages() {
        let text = MarkdownReport.render(SampleReport.make())
        XCTAssertFalse(text.contains("to keep this report within"))
        XCTAssertFalse(text.contains("Shortened to fit"))
        for finding in SampleReport.make().migrations.flatMap(\.findings) where finding.severity != .info {
            XCTAssertTrue(text.contains(MarkdownReport.findingLine(finding)), "\(finding.rule)")
        }
        XCTAssertEqual(text.components(separatedBy: "<details>").count - 1, SampleReport.make().migrations.filter { $0.status != .notRun }.count)
    }
}
