import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class FindingRulesTests: XCTestCase {
    typealias S = RehearsalStates

    func testAMissingDownIsOneWarningAndNoRoundTripCascade() throws {
        var state = S.state(S.migration(down: nil), steps: [S.step(.up, 5)])
        state.entry.roundtrip.skipped = state.roundtripSkipReason
        let findings = S.findings(state, scenario: try S.scenario())
        XCTAssertEqual(findings.map(\.rule), [.downMissing])
        XCTAssertEqual(findings.first?.severity, .warning)
    }

    func testACommentOnlyDownIsIrreversibleByIntentToo() {
        let state = S.state(S.migration(down: "-- cannot be undone"), steps: [S.step(.up, 5)])
        XCTAssertNil(state.downToRehearse)
        XCTAssertTrue(state.roundtripSkipReason?.contains("only comments") ?? false)
    }

    func testStepDurationIsJudgedOnTheFasterUp() throws {
        let scenario = try S.scenario("budgets:\n  step_duration: 1s")
        let noisy = S.state(steps: [S.step(.up, 1_600), S.step(.down, 5), S.step(.secondUp, 600)])
        XCTAssertFalse(S.findings(noisy, scenario: scenario).contains { $0.rule == .stepDuration }, "600 ms is within a 1 s budget")
        let slow = S.state(steps: [S.step(.up, 1_700), S.step(.down, 5), S.step(.secondUp, 1_600)])
        let finding = try XCTUnwrap(S.findings(slow, scenario: scenario).first { $0.rule == .stepDuration })
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(finding.judged?.measuredMs, 1_600)
        XCTAssertEqual(finding.step, .up)
    }

    func testTheSecondUpsTimingsAndBlockedTrafficAreNeverAboveInfo() throws {
        var reup = S.step(.secondUp, 50)
        reup.blocked = [S.blocked("write", on: "public.clips", 5_000)]
        let state = S.state(steps: [S.step(.up, 50), S.step(.down, 5), reup])
        let secondUp = S.findings(state, scenario: try S.scenario()).filter { $0.step == .secondUp }
        XCTAssertFalse(secondUp.isEmpty)
        XCTAssertTrue(secondUp.allSatisfy { $0.severity == .info }, "\(secondUp.map(\.message))")
    }

    func testAFailedSecondUpIsARoundTripFailureWithoutADirtyFinding() throws {
        var failed = S.step(.secondUp, 3, status: .failed)
        failed.error = PostgresError(kind: .server, sqlState: SQLState.duplicateTable, message: "relation \"t\" already exists")
        failed.trackingAfter = .init(version: 7, dirty: true)
        let findings = S.findings(S.state(steps: [S.step(.up, 5), S.step(.down, 5), failed]), scenario: try S.scenario())
        let step = try XCTUnwrap(findings.first { $0.rule == .stepFailed })
        XCTAssertEqual(step.rank, Rule.roundtripDownIncomplete.rank)
        XCTAssertFalse(findings.contains { $0.rule == .migrateDirty })
    }

    func testAFailedUpIsFirstAndItsDirtyTableSecond() throws {
        var failed = S.step(.up, 3, status: .failed)
        failed.error = PostgresError(kind: .server, sqlState: SQLState.undefinedTable, message: "relation \"x\" does not exist")
        failed.trackingAfter = .init(version: 7, dirty: true)
        var state = S.state(steps: [failed])
        state.entry.findings = []
        let findings = S.findings(state, scenario: try S.scenario())
        XCTAssertEqual(findings.prefix(2).map(\.rule), [.stepFailed, .migrateDirty])
    }

    func testAnObservationGapIsAnError() throws {
        var up = S.step(.up, 50)
        up.observationGaps = ["the lock sampler stopped (connection lost): locks are unknown, not absent"]
        let finding = try XCTUnwrap(S.findings(S.state(steps: [up, S.step(.down, 5), S.step(.secondUp, 50)]), scenario: try S.scenario()).first)
        XCTAssertEqual(finding.rule, .observeIncomplete)
        XCTAssertEqual(finding.severity, .error)
    }

    func testAByteOrderMarkIsNamedInTheFailure() throws {
        var failed = S.step(.up, 1, status: .failed)
        failed.error = PostgresError(kind: .server, sqlState: SQLState.syntaxError, message: "syntax error at or near \"\u{FEFF}CREATE\"")
        let state = S.state(S.migration(up: "\u{FEFF}CREATE TABLE t (a int);"), steps: [failed])
        let finding = try XCTUnwrap(S.findings(state, scenario: try S.scenario()).first { $0.rule == .stepFailed })
        XCTAssertTrue(finding.message.contains("byte-order mark"))
        XCTAssertTrue(finding.advice?.contains("without a byte-order mark") ?? false)
    }

    func testFindingsAreListedWorstFirst() {
        let findings = [
            Finding(rule: .rowsTouched, severity: .info, message: "a"),
            Finding(rule: .lockIndexBuild, severity: .error, message: "b"),
            Finding(rule: .downMissing, severity: .warning, message: "c"),
            Finding(rule: .roundtripDownIncomplete, severity: .error, message: "d"),
            Finding(rule: .stepFailed, severity: .error, message: "e", step: .up),
        ]
        XCTAssertEqual(Finding.worstFirst(findings).map(\.message), ["e", "d", "b", "c", "a"])
    }

    func testEveryRuleHasAUniqueIdASummaryAndARank() {
        XCTAssertEqual(Set(Rule.allCases.map(\.rawValue)).count, Rule.allCases.count)
        for rule in Rule.allCases {
            XCTAssertFalse(rule.summary.isEmpty, rule.rawValue)
            XCTAssertEqual("\(rule)", rule.rawValue, "interpolation writes the id")
        }
    }
}
