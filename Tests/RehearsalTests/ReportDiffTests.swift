import Foundation
import XCTest
@testable import Rehearsal

final class ReportDiffTests: XCTestCase {
    private func report() throws -> RehearsalReport {
        let url = GoldenReportTests.folder.appendingPathComponent("report.json")
        return try JSONReport.decode(Data(contentsOf: url))
    }

    func testSameReportHasNoRegressions() throws {
        let base = try report()
        let diff = ReportDiff.compare(old: base, new: base)
        XCTAssertFalse(diff.hasRegressions)
        XCTAssertTrue(diff.newFindings.isEmpty)
        XCTAssertTrue(diff.changes.allSatisfy { $0.ratio == 1 })
    }

    func testSlowerStepBeyondFactorAndMinimumIsARegression() throws {
        let old = try report()
        var new = old
        new.migrations[1].steps[0].durationMs = old.migrations[1].steps[0].durationMs * 3 + 100
        new.migrations[0].steps[0].durationMs = old.migrations[0].steps[0].durationMs * 3  // tiny step: below the minimum
        let diff = ReportDiff.compare(old: old, new: new)
        XCTAssertEqual(diff.regressions.map(\.version), [new.migrations[1].version])
        XCTAssertEqual(diff.regressions.first?.metric, "duration")
        XCTAssertTrue(diff.hasRegressions)
        XCTAssertTrue(diff.markdown(oldLabel: "a", newLabel: "b").contains("regression"))
    }

    func testNewRuleAndWorseVerdictAreFlagged() throws {
        var old = try report()
        let new = try report()
        old.verdict = .warn
        old.migrations[2].findings.removeAll { $0.rule == .roundtripDownIncomplete }
        let diff = ReportDiff.compare(old: old, new: new)
        XCTAssertTrue(diff.newFindings.contains { $0.contains("roundtrip.down-incomplete") }, "\(diff.newFindings)")
        XCTAssertTrue(diff.hasRegressions, "fail is worse than warn")
    }
}
