import XCTest
@testable import Rehearsal

final class TrafficFindingsTests: XCTestCase {
    typealias S = RehearsalStates

    func testTrafficQueuedBehindTheMigrationsRequestIsJudgedOnTheFasterUp() throws {
        var up = S.step(.up, 900)
        up.blocked = [S.blocked("read", on: "public.clips", 800, direct: false)]
        var reup = S.step(.secondUp, 900)
        reup.traffic = StepTraffic()
        reup.blocked = [S.blocked("read", on: "public.clips", 700, direct: false)]
        let findings = S.findings(S.state(steps: [up, S.step(.down, 5), reup]), scenario: try S.scenario())
        let finding = try XCTUnwrap(findings.first { $0.step == .up && $0.rule.category == .traffic })
        XCTAssertEqual(finding.rule, .trafficBlockedOverBudget)
        XCTAssertEqual(finding.judged?.measuredMs, 700)
        XCTAssertTrue(finding.message.contains("queued behind the migration's own lock request"))
    }

    func testQueriesFailingAgainstTheNewSchemaAreAnError() throws {
        var up = S.step(.up, 10)
        var traffic = StepTraffic()
        traffic.perQuery = [QueryStats(name: "page", count: 10, errors: 3, p50Ms: 1, p99Ms: 2, maxMs: 2, blocked: 0, blockedMs: 0, firstError: "column \"title\" does not exist")]
        up.trafficAfter = traffic
        let findings = S.findings(S.state(steps: [up, S.step(.down, 5), S.step(.secondUp, 10)]), scenario: try S.scenario())
        XCTAssertEqual(findings.first { $0.rule == .trafficErrorsAfterUp }?.severity, .error)
    }
}
