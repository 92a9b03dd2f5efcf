import XCTest
@testable import Rehearsal

final class ScaleModelTests: XCTestCase {
    private func step(durationMs: Double, locks: [(String, String)]) -> StepReport {
        var step = StepReport(direction: .up, pass: 1, status: .ok, durationMs: durationMs)
        step.locks = locks.map { ObservedLock(relation: $0.0, relationKind: "table", mode: $0.1, firstSeenMs: 0, lastSeenMs: durationMs, granted: true) }
        return step
    }

    func testStepIsMeasuredAgainstTheLargestTableItTouched() throws {
        let rows: [String: Int64] = ["public.clips": 300_000, "public.users": 20_000]
        let scale = try XCTUnwrap(ScaleModel.scale(
            of: step(durationMs: 150, locks: [("public.users", "AccessShareLock"), ("public.clips", "ShareLock")]),
            rows: rows, production: ["public.clips": 30_000_000]))
        XCTAssertEqual(scale.table, "public.clips")
        XCTAssertEqual(scale.rows, 300_000)
        XCTAssertEqual(scale.rowsPerSecond ?? 0, 2_000_000, accuracy: 1)
        XCTAssertEqual(scale.estimatedProductionMs ?? 0, 15_000, accuracy: 0.001, "100 times the rows, 100 times the time")
        XCTAssertEqual(scale.productionRows, 30_000_000)
        XCTAssertNotNil(scale.assumption)
    }

    func testWithoutProductionRowsThereIsNoEstimate() throws {
        let scale = try XCTUnwrap(ScaleModel.scale(of: step(durationMs: 12, locks: [("public.t", "ShareLock")]), rows: ["public.t": 5], production: [:]))
        XCTAssertNil(scale.estimatedProductionMs)
    }

    func testStepOnNewTablesOnlyHasNoScale() {
        XCTAssertNil(ScaleModel.scale(of: step(durationMs: 12, locks: [("public.created_now", "AccessExclusiveLock")]), rows: ["public.t": 5], production: [:]))
    }

    func testScenarioReadsProductionRowsQualifyingBareNames() throws {
        let scenario = try Scenario.parse(
            "name: s\nsnapshot: s.sql.zst\nmigrations: m\nproduction_rows:\n  clips: 40_000_000\n  audit.events: 12\n", file: "/tmp/s.yaml")
        XCTAssertEqual(scenario.productionRows, ["public.clips": 40_000_000, "audit.events": 12])
        XCTAssertThrowsError(try Scenario.parse("name: s\nsnapshot: s\nmigrations: m\nproduction_rows:\n  clips: many\n", file: "/tmp/s.yaml")) { error in
            XCTAssertEqual((error as? ScenarioError)?.key, "production_rows.clips")
        }
    }
}
