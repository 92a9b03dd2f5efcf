import XCTest
@testable import Rehearsal

final class VerdictsTests: XCTestCase {
    private func report(_ migrations: [MigrationReport]) -> RehearsalReport {
        var report = RehearsalReport(
            scenario: .init(name: "s", file: "s.yaml", migrations: "m", trackingTable: "t", mode: .wholeFile, session: [:], budgets: Budgets()),
            startedAt: "", snapshot: .init(path: "s", sha256: "", bytes: 0, restoreMs: 0, cloneMs: 0, fromCache: false),
            server: .init(version: "15", embedded: true, name: "e"))
        report.migrations = migrations
        Verdicts.conclude(&report)
        return report
    }

    private func migration(_ version: UInt64, status: MigrationReport.Status = .rehearsed, _ findings: [Finding]) -> MigrationReport {
        MigrationReport(version: version, name: "m\(version)", status: status, findings: findings)
    }

    func testTheHeadlineNamesTheMigrationWithTheWorstProblemNotTheFirst() {
        let concluded = report([
            migration(3, [Finding(rule: .lockIndexBuild, severity: .error, message: "index build blocks writes")]),
            migration(4, [Finding(rule: .roundtripDownIncomplete, severity: .error, message: "function left after down")]),
            migration(5, status: .failed, [
                Finding(rule: .migrateDirty, severity: .error, message: "dirty"),
                Finding(rule: .stepFailed, severity: .error, message: "up failed: boom", step: .up),
            ]),
        ])
        XCTAssertEqual(concluded.verdict, .fail)
        XCTAssertEqual(concluded.verdictReason, "migration 5 m5: up failed: boom — and 3 more problem(s) in 3 migrations")
    }

    func testADirtyTableOutranksARoundTripFailureWhichOutranksALock() {
        let dirty = report([
            migration(3, [Finding(rule: .lockTableRewrite, severity: .error, message: "rewrite")]),
            migration(4, [Finding(rule: .roundtripDownIncomplete, severity: .error, message: "left")]),
            migration(5, status: .failed, [Finding(rule: .migrateDirty, severity: .error, message: "dirty", step: .down)]),
        ])
        XCTAssertTrue(dirty.verdictReason.hasPrefix("migration 5 m5: dirty"), dirty.verdictReason)
        let roundtrip = report([
            migration(3, [Finding(rule: .lockTableRewrite, severity: .error, message: "rewrite")]),
            migration(4, [Finding(rule: .roundtripDownIncomplete, severity: .error, message: "left")]),
        ])
        XCTAssertTrue(roundtrip.verdictReason.hasPrefix("migration 4 m4: left"), roundtrip.verdictReason)
    }

    func testNotRunIsNeverPass() {
        let concluded = report([
            migration(3, status: .failed, [Finding(rule: .stepFailed, severity: .error, message: "up failed", step: .up)]),
            migration(4, status: .notRun, []),
        ])
        XCTAssertEqual(concluded.migrations.map(\.verdict), [.fail, .notRun])
        XCTAssertEqual(concluded.verdict, .fail)
    }

    func testWarningsAndPassSayWhatWasRehearsed() {
        var irreversible = migration(3, [Finding(rule: .downMissing, severity: .warning, message: "no down file")])
        irreversible.roundtrip.skipped = "no down file"
        XCTAssertEqual(report([irreversible]).verdictReason, "1 of 1 pending migration(s) rehearsed, 1 warning(s); first: migration 3 m3: no down file")
        irreversible.findings = []
        XCTAssertEqual(
            report([irreversible, migration(4, [])]).verdictReason,
            "2 migration(s) rehearsed; 1 ran up, down and up again and the downs restore the schema; 1 without a down (irreversible by intent) ran up; every budget holds")
    }

    func testExitCodesFollowTheReport() {
        var concluded = report([migration(3, [])])
        XCTAssertEqual(concluded.exitCode, 0)
        concluded.failure = "not a dump"
        concluded.failureKind = .input
        XCTAssertEqual(concluded.exitCode, 2)
        concluded.failureKind = .server
        XCTAssertEqual(concluded.exitCode, 3)
        concluded.failureKind = nil
        concluded.failure = nil
        concluded.interrupted = true
        Verdicts.conclude(&concluded)
        XCTAssertEqual(concluded.exitCode, 3)
        XCTAssertTrue(concluded.verdictReason.hasPrefix("the rehearsal was interrupted"))
    }
}
