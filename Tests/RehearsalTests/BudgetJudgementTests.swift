import XCTest
@testable import Rehearsal

final class BudgetJudgementTests: XCTestCase {
    private func judgement(_ measured: Double, runs: Int = 2, scale: StepScale? = nil) -> BudgetJudgement {
        BudgetJudgement(key: "budgets.lock_hold", budgetMs: 500, measuredMs: measured, runs: runs, scale: scale)
    }

    func testAFigureWithinTheNoiseOfTheBudgetIsAtItNeverOver() {
        XCTAssertEqual(judgement(300).standing, .within)
        XCTAssertEqual(judgement(340).standing, .atBudget, "over a 1.5th of the budget")
        XCTAssertEqual(judgement(740).standing, .atBudget, "a busy machine can make 500 ms look like 740")
        XCTAssertEqual(judgement(760).standing, .over)
        XCTAssertEqual(judgement(740).severity(), .warning)
        XCTAssertEqual(judgement(760).severity(), .error)
        XCTAssertEqual(judgement(10).severity(floor: .warning), .warning, "the structural floor stands")
        XCTAssertTrue(judgement(740).phrase.contains("within measurement noise"))
    }

    func testProductionsEstimateDecidesWhereTheStepGrowsWithTheTable() {
        var scale = StepScale(table: "public.clips", rows: 300_000)
        scale.productionRows = 40_000_000
        let judged = judgement(99, scale: scale)
        XCTAssertEqual(judged.productionMs ?? 0, 13_200, accuracy: 0.5)
        XCTAssertEqual(judged.standing, .over, "99 ms here, 13 s in production")
        XCTAssertEqual(judged.figures, "99 ms here (the faster of 2 runs); about 13.20 s on production's 40,000,000 rows of public.clips")
        XCTAssertEqual(judged.phrase, ", over the lock_hold budget of 500 ms in production")
        XCTAssertEqual(judged.judged, Finding.Judged(budget: "budgets.lock_hold", budgetMs: 500, measuredMs: 99, productionMs: judged.productionMs))
    }

    func testASmallerProductionLowersTheEstimate() {
        var scale = StepScale(table: "public.clips", rows: 300_000)
        scale.productionRows = 3_000
        XCTAssertEqual(judgement(900, runs: 1, scale: scale).standing, .within)
    }
}
