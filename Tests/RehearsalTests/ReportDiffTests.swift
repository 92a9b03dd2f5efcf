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

    private func slow(_ migration: inout MigrationReport, factor: Double, plus: Double, second: Bool) {
        for index in migration.steps.indices where migration.steps[index].direction == .up && (second || migration.steps[index].pass == 1) {
            migration.steps[index].durationMs = migration.steps[index].durationMs * factor + plus
        }
    }

    func testSlowerStepBeyondFactorAndMinimumIsARegression() throws {
        let old = try report()
        var new = old
        slow(&new.migrations[1], factor: 3, plus: 100, second: true)
        slow(&new.migrations[0], factor: 3, plus: 0, second: true)  // tiny step: below the minimum
        let diff = ReportDiff.compare(old: old, new: new)
        XCTAssertEqual(diff.regressions.map(\.version), [new.migrations[1].version])
        XCTAssertEqual(diff.regressions.first?.metric, "duration")
        XCTAssertEqual(diff.regressions.first?.step, "up (faster of 2 runs)")
        XCTAssertTrue(diff.hasRegressions)
        XCTAssertTrue(diff.markdown(oldLabel: "a", newLabel: "b").contains("regression"))
    }

    func testOneSlowMeasurementOfAnUpIsNoRegression() throws {
        var old = try report()
        let up = old.migrations[1].steps.firstIndex { $0.direction == .up && $0.pass == 1 }!
        let second = old.migrations[1].steps.firstIndex { $0.direction == .up && $0.pass == 2 }!
        old.migrations[1].steps[second].durationMs = old.migrations[1].steps[up].durationMs
        var new = old
        slow(&new.migrations[1], factor: 5, plus: 500, second: false)
        XCTAssertFalse(ReportDiff.compare(old: old, new: new).hasRegressions, "the second up ran as fast as before")
    }

    func testReportsOfAnotherScenarioOrMigrationSetAreRefused() throws {
        let old = try report()
        XCTAssertNil(ReportDiff.incompatibility(old: old, new: old))
        var added = old
        added.migrations.append(old.migrations[0])
        added.migrations[added.migrations.count - 1].version = 99
        XCTAssertNil(ReportDiff.incompatibility(old: old, new: added), "a migration added since is a trend, not another set")
        var other = old
        other.scenario.name = "billing"
        XCTAssertTrue(ReportDiff.incompatibility(old: old, new: other)?.contains("different scenarios") == true)
        var renamed = old
        renamed.migrations[0].name = "something_else"
        XCTAssertTrue(ReportDiff.incompatibility(old: old, new: renamed)?.contains("different migration sets") == true)
        var disjoint = old
        for index in disjoint.migrations.indices { disjoint.migrations[index].version += 1000 }
        XCTAssertTrue(ReportDiff.incompatibility(old: old, new: disjoint)?.contains("no migration in common") == true)
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
