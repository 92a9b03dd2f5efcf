import XCTest
@testable import Rehearsal

final class LockFindingsTests: XCTestCase {
    typealias S = RehearsalStates

    private func indexBuild(upHold: Double, reupHold: Double) -> MigrationRehearsal {
        var up = S.step(.up, upHold, locks: [("public.clips", "ShareLock", upHold)])
        up.statements = [StatementReport(line: 2, command: "CREATE INDEX")]
        up.blocked = [S.blocked("count_view", on: "public.clips", upHold - 5)]
        var reup = S.step(.secondUp, reupHold, locks: [("public.clips", "ShareLock", reupHold)])
        reup.statements = up.statements
        return S.state(steps: [up, S.step(.down, 5), reup], afterUp: S.indexed)
    }

    func testAnIndexBuildOverTheBudgetInProductionIsAnErrorEvenWhenItIsQuickHere() throws {
        let findings = S.findings(indexBuild(upHold: 120, reupHold: 99), scenario: try S.scenario("session:\n  lock_timeout: 2s"))
        let finding = try XCTUnwrap(findings.first { $0.rule == .lockIndexBuild })
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(finding.line, 2)
        XCTAssertEqual(finding.relation, "public.clips")
        XCTAssertEqual(finding.judged?.measuredMs, 99, "the faster of the two ups")
        XCTAssertEqual(finding.judged?.productionMs ?? 0, 13_200, accuracy: 1)
        XCTAssertTrue(finding.message.contains("1 application query was blocked by it here"), finding.message)
        XCTAssertFalse(findings.contains { $0.rule.category == .traffic && $0.step == .up }, "its blocked traffic is not a second finding")
    }

    func testAnIndexBuildIsAWarningWhereProductionIsUnknown() throws {
        var state = indexBuild(upHold: 120, reupHold: 99)
        ScaleModel.annotate(&state, rows: S.rows, production: [:])
        let findings = FindingRules.migrationFindings(state, scenario: try S.scenario("session:\n  lock_timeout: 2s"), rows: S.rows, baseline: nil)
        XCTAssertEqual(findings.first { $0.rule == .lockIndexBuild }?.severity, .warning, "work through every row under a blocking lock")
    }

    func testABriefCatalogLockIsANoteAndWithoutLockTimeoutAWarning() throws {
        let state = S.state(steps: [S.step(.up, 4, locks: [("public.users", "AccessExclusiveLock", 3)]), S.step(.down, 3), S.step(.secondUp, 4)])
        let findings = S.findings(state, scenario: try S.scenario())
        XCTAssertEqual(findings.first { $0.rule == .lockBlocksReadsAndWrites }?.severity, .info)
        XCTAssertEqual(findings.first { $0.rule == .lockNoTimeout }?.severity, .warning)
        XCTAssertFalse(S.findings(state, scenario: try S.scenario("session:\n  lock_timeout: 2s")).contains { $0.rule == .lockNoTimeout })
    }

    func testLocksOnTablesTheMigrationCreatedConcernNobody() throws {
        let state = S.state(steps: [S.step(.up, 4, locks: [("public.created_now", "AccessExclusiveLock", 3)])])
        XCTAssertTrue(S.findings(state, scenario: try S.scenario()).filter { $0.rule.category == .lock }.isEmpty)
    }
}
