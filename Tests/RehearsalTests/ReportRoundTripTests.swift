import Foundation
import XCTest
@testable import PostgresClient
@testable import Rehearsal

/// report.json is the contract and its decoding lists fields by hand: a report with every
/// field set must come back equal and encode to the same bytes, so `report` and `diff` can
/// never drop a field silently. `assertEveryFieldSet` fails when a field added to the model
/// is left out of `full`, so a new field cannot skip this test either.
final class ReportRoundTripTests: XCTestCase {
    static var full: RehearsalReport {
        var error = PostgresError(
            kind: .server, sqlState: SQLState.duplicateTable, message: "relation exists", detail: "d", hint: "h", position: 3, context: "c")
        error.file = "/m/1_a.up.sql"
        error.line = 1
        error.column = 3
        var traffic = StepTraffic()
        traffic.queries = 10
        traffic.errors = 1
        traffic.blockedQueries = 1
        traffic.maxBlockedMs = 2
        traffic.totalBlockedMs = 2
        traffic.p50Ms = 1
        traffic.p99Ms = 2
        traffic.maxMs = 3
        traffic.perQuery = [QueryStats(name: "q", count: 10, errors: 1, p50Ms: 1, p99Ms: 2, maxMs: 3, blocked: 1, blockedMs: 2, firstError: "e")]
        traffic.timeline = [LatencyPoint(atMs: 0, maxMs: 3, count: 10, errors: 1)]
        let rewrite = Rewrite(relation: "public.t", kind: "table", table: "public.t", bytesBefore: 1, bytesAfter: 2)
        var step = StepReport(direction: .up, pass: 1, status: .failed, durationMs: 5)
        step.serverMs = 4
        step.error = error
        step.timedOut = true
        step.interrupted = true
        step.observationGaps = ["the lock sampler stopped"]
        step.statements = [StatementReport(line: 1, command: "UPDATE", rows: 3, durationMs: 1, locks: [LockTaken(relation: "public.t", mode: "RowExclusiveLock", relationKind: "table")], rewrote: [rewrite])]
        step.locks = [ObservedLock(relation: "public.t", relationKind: "table", mode: "ShareLock", firstSeenMs: 0, lastSeenMs: 4, granted: true, heldMs: 4)]
        step.rewrote = [rewrite]
        step.migrationWaitMs = 1
        step.migrationWaits = [MigrationWait(relation: "public.t", mode: "ShareLock", startMs: 0, waitMs: 1, heldBy: ["pid 1"])]
        step.walBytes = 100
        step.sizeChangeBytes = -8
        step.traffic = traffic
        step.trafficAfter = traffic
        step.longTransactions = [HeldTransaction(name: "report", lockedAtMs: 0, endedAtMs: 5, error: "e")]
        step.blocked = [BlockedEvent(query: "q", pid: 7, relation: "public.t", mode: "RowExclusiveLock", startMs: 1, waitMs: 2, direct: true)]
        step.scale = StepScale(
            table: "public.t", rows: 3, rowsPerSecond: 600, work: "UPDATE of 3 rows of public.t", productionRows: 30, estimatedProductionMs: 50,
            assumption: "linear")
        step.traced = true
        step.traceNote = "traced"
        step.notices = [Notice(severity: "NOTICE", message: "n", sqlState: SQLState.duplicateTable)]
        step.trackingAfter = .init(version: 1, dirty: true)
        step.skipReason = "blank"
        var migration = MigrationReport(
            version: 1, name: "a", upFile: "/m/1_a.up.sql", downFile: "/m/1_a.down.sql", status: .failed,
            notRunReason: "not rehearsed", steps: [step],
            roundtrip: .init(
                downRestoresSchema: false, reupMatchesFirstUp: false,
                differences: [SchemaDifference(kind: "index", name: "public.i", change: .changed, expected: "a", actual: "b", comparison: .secondUp, message: "m")],
                skipped: "no down",
                data: DataRoundtrip(
                    tables: ["public.t"], samples: ["public.t": "1 row in 16"],
                    losses: [DataLoss(table: "public.t", column: "c", message: "down does not bring back public.t.c")], skipped: "x")),
            recovery: .init(reason: "its down failed", method: .rebuilt, replayedUps: 1, durationMs: 9, schemaMatchesFirstUp: true),
            verdict: .fail)
        migration.findings = [Finding(
            rule: .lockIndexBuild, severity: .error, message: "m", step: .up, relation: "public.t", file: "/m/1_a.up.sql", line: 1,
            advice: "a", judged: .init(budget: "budgets.lock_hold", budgetMs: 500, measuredMs: 99, productionMs: 9_900))]
        migration.findings[0].accepted = "small table, deployed at night"
        var report = RehearsalReport(
            scenario: .init(
                name: "s", file: "s.yaml", migrations: "m", trackingTable: "t", trackingTableFound: true, mode: .multiStatement, session: ["lock_timeout": "2s"],
                stepTimeoutSeconds: 60, budgets: Budgets()),
            startedAt: "2026-01-01T00:00:00Z",
            snapshot: .init(
                path: "s.sql.zst", sha256: "00", bytes: 1, format: .custom, identifyMs: 1, restoreMs: 2, cloneMs: 3, fromCache: true, fromSpare: true,
                restore: RestoreSummary(
                    statements: 1, rowsCopied: 2, uncompressedBytes: 3, durationMs: 4, createdRoles: ["r"], skippedStatements: ["GRANT"],
                    dumpedFromVersion: "15", pgDumpVersion: "15", dataMs: 1, postDataMs: 1, trustedForeignKeys: 1, workers: 2, finishMs: 1)),
            server: .init(version: "15", embedded: true, name: "e"))
        report.finishedAt = "2026-01-01T00:01:00Z"
        report.startVersion = 0
        report.endState = .init(version: 1, dirty: true)
        report.migrations = [migration]
        var runFinding = migration.findings[0]
        runFinding.rule = .ignoredFile
        report.findings = [runFinding]
        report.verdict = .fail
        report.verdictReason = "r"
        report.interrupted = true
        report.failure = "f"
        report.failureKind = .server
        report.lockSampleIntervalMs = 10
        report.lockSampleQuietIntervalMs = 25
        report.traffic = TrafficSummary(connections: 1, ratePerSecond: 10, baselineSeconds: 1, queries: ["q"], baseline: traffic)
        var rollback = ReleaseRollback(targetVersion: 0, skipped: "s")
        rollback.note = "n"
        rollback.steps = [ReleaseStep(version: 1, name: "a", step: step)]
        rollback.schemaRestored = false
        rollback.dataRestored = false
        rollback.differences = migration.roundtrip.differences
        rollback.dataDifferences = migration.roundtrip.data?.losses ?? []
        rollback.rollForward = rollback.steps
        report.releaseRollback = rollback
        return report
    }

    func testAReportWithEveryFieldSetComesBackEqualAndEncodesTheSame() throws {
        let report = Self.full
        assertEveryFieldSet(report, path: "report")
        let encoded = try JSONReport.encode(report)
        let decoded = try JSONReport.decode(encoded)
        XCTAssertEqual(decoded, report)
        XCTAssertEqual(String(decoding: try JSONReport.encode(decoded), as: UTF8.self), String(decoding: encoded, as: UTF8.self))
    }

    /// Fails on a nil optional or an empty collection anywhere in `value`.
    private func assertEveryFieldSet(_ value: Any, path: String) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first else { return XCTFail("\(path) is nil: set it in ReportRoundTripTests.full") }
            assertEveryFieldSet(wrapped.value, path: path)
        case .collection, .dictionary, .set:
            guard let first = mirror.children.first else { return XCTFail("\(path) is empty: set it in ReportRoundTripTests.full") }
            assertEveryFieldSet(first.value, path: path + "[0]")
        case .struct, .class:
            for child in mirror.children {
                assertEveryFieldSet(child.value, path: path + "." + (child.label ?? "?"))
            }
        default:
            break
        }
    }
}
