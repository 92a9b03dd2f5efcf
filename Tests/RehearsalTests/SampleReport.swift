import Foundation
@testable import Rehearsal
@testable import PostgresClient

/// A hand-built report with everything the renderers have to show: a clean migration, one
/// that holds a ShareLock too long and whose down forgets an index, one whose name tries to
/// inject markup, one whose up fails (SQLSTATE 25001) and leaves the version dirty, and one
/// that never ran because of it.
enum SampleReport {
    static let hostileName = "<script>alert(1)</script> | x"
    static let directory = "scenarios/clipper/migrations"

    static let cleanVersion: UInt64 = 20240501000001
    static let lockingVersion: UInt64 = 20240501000002
    static let hostileVersion: UInt64 = 20240501000003
    static let failedVersion: UInt64 = 20240501000004
    static let notRunVersion: UInt64 = 20240501000005

    static func make() -> RehearsalReport {
        var budgets = Budgets()
        budgets.stepDuration = 0.1
        let scenario = RehearsalReport.ScenarioInfo(
            name: "clipper", file: "scenarios/clipper.yaml", migrations: directory,
            trackingTable: "_schema_migrations", mode: .wholeFile,
            session: ["statement_timeout": "0", "lock_timeout": "5s"], stepTimeoutSeconds: 60, budgets: budgets)
        let snapshot = RehearsalReport.SnapshotInfo(
            path: "snapshots/clipper.sql.zst",
            sha256: "3f5a9c0e7b2d4a6f8e1c3b5d7f9a0c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d0f2a",
            bytes: 48_213_544, restoreMs: 0, cloneMs: 412, fromCache: true)
        let server = RehearsalReport.ServerInfo(version: "16.4", embedded: true, name: "embedded server in .rehearse/cluster")
        var report = RehearsalReport(
            scenario: scenario, startedAt: "2024-05-02T02:00:00Z", finishedAt: "2024-05-02T02:00:09Z",
            snapshot: snapshot, server: server)
        report.startVersion = 20240401000000
        report.lockSampleIntervalMs = 10
        report.findings = [
            Finding(
                rule: .ignoredFile, severity: .warning,
                message: "notes.sql does not match golang-migrate's {version}_{name}.up|down.{ext} pattern: migrate ignores it silently and it never runs",
                file: "\(directory)/notes.sql", advice: "rename it (see `rehearse create`)"),
            Finding(
                rule: .belowRecorded, severity: .info,
                message: "12 migration(s) at or below the recorded version 20240401000000 are taken as applied"),
        ]
        var baseline = StepTraffic()
        baseline.queries = 400
        baseline.p50Ms = 1.1
        baseline.p99Ms = 4.8
        baseline.maxMs = 9
        report.traffic = TrafficSummary(
            connections: 4, ratePerSecond: 200, baselineSeconds: 2, queries: ["insert_clip", "select_clip"], baseline: baseline)
        report.migrations = [clean(), locking(), hostile(), failed(), notRun()]
        report.endState = .init(version: Int64(failedVersion), dirty: true)
        Verdicts.conclude(&report)
        return report
    }

    static func step(
        _ direction: MigrationDirection, _ pass: Int, _ milliseconds: Double, after version: UInt64, dirty: Bool = false,
        statements: [StatementReport] = [], locks: [ObservedLock] = []
    ) -> StepReport {
        var step = StepReport(direction: direction, pass: pass, status: .ok, durationMs: milliseconds)
        step.serverMs = milliseconds * 0.9
        step.statements = statements
        step.locks = locks
        step.trackingAfter = .init(version: Int64(version), dirty: dirty)
        return step
    }

    static func file(_ version: UInt64, _ name: String, _ direction: MigrationDirection) -> String {
        "\(directory)/\(version)_\(name).\(direction.rawValue).sql"
    }

    static func clean() -> MigrationReport {
        let name = "create_clips"
        var migration = MigrationReport(
            version: cleanVersion, name: name, upFile: file(cleanVersion, name, .up), downFile: file(cleanVersion, name, .down),
            status: .rehearsed)
        let created = ObservedLock(relation: "public.clips", relationKind: "table", mode: "AccessExclusiveLock", firstSeenMs: 0, lastSeenMs: 0, granted: true)
        migration.steps = [
            step(.up, 1, 12, after: cleanVersion, statements: [StatementReport(line: 1, command: "CREATE TABLE")], locks: [created]),
            step(.down, 1, 3, after: 20240401000000, statements: [StatementReport(line: 1, command: "DROP TABLE")]),
            step(.up, 2, 1, after: cleanVersion, statements: [StatementReport(line: 1, command: "CREATE TABLE")]),
        ]
        migration.roundtrip = .init(downRestoresSchema: true, reupMatchesFirstUp: true, data: DataRoundtrip(tables: ["public.users"]))
        return migration
    }

    static func locking() -> MigrationReport {
        let name = "index_clips_title"
        let up = file(lockingVersion, name, .up)
        let down = file(lockingVersion, name, .down)
        var migration = MigrationReport(version: lockingVersion, name: name, upFile: up, downFile: down, status: .rehearsed)
        let share = ObservedLock(relation: "public.clips", relationKind: "table", mode: "ShareLock", firstSeenMs: 10, lastSeenMs: 130, granted: true)
        let index = ObservedLock(relation: "public.clips_title_idx", relationKind: "index", mode: "AccessExclusiveLock", firstSeenMs: 120, lastSeenMs: 130, granted: true)
        let reShare = ObservedLock(relation: "public.clips", relationKind: "table", mode: "ShareLock", firstSeenMs: 5, lastSeenMs: 125, granted: true)
        let createIndex = [StatementReport(line: 1, command: "CREATE INDEX"), StatementReport(line: 3, command: "ALTER TABLE")]
        var first = step(.up, 1, 150, after: lockingVersion, statements: createIndex, locks: [share, index])
        var seen = StepTraffic()
        seen.queries = 30
        seen.blockedQueries = 1
        seen.maxBlockedMs = 110
        seen.totalBlockedMs = 110
        seen.p50Ms = 1.2
        seen.p99Ms = 112
        seen.maxMs = 115
        first.traffic = seen
        first.blocked = [
            BlockedEvent(query: "insert_clip", pid: 4242, relation: "public.clips", mode: "RowExclusiveLock", startMs: 20, waitMs: 110, direct: true),
        ]
        migration.steps = [
            first,
            step(.down, 1, 4, after: cleanVersion, statements: [StatementReport(line: 1, command: "ALTER TABLE")]),
            step(.up, 2, 140, after: lockingVersion, statements: createIndex, locks: [reShare]),
        ]
        let leftover = SchemaDifference(
            kind: "index", name: "public.clips_title_idx", change: .unexpected, expected: nil,
            actual: "CREATE INDEX clips_title_idx ON public.clips USING btree (title)", comparison: .down,
            message: "index public.clips_title_idx still present after down (the schema before up did not have it)")
        let changed = SchemaDifference(
            kind: "column", name: "public.clips.title", change: .changed, expected: "text", actual: "text NOT NULL", comparison: .down,
            message: "column public.clips.title differs after down: the schema before up `text`, now `text NOT NULL`")
        migration.roundtrip = .init(downRestoresSchema: false, reupMatchesFirstUp: true, differences: [leftover, changed])
        migration.findings = [
            Finding(
                rule: .stepDuration, severity: .error,
                message: "up took 140 ms here (the faster of 2 runs); about 14.00 s on production's 30,000,000 rows of public.clips, over the step_duration budget of 100 ms in production",
                step: .up, file: up, advice: "split the migration, batch data changes, or move them to a background job",
                judged: .init(budget: "budgets.step_duration", budgetMs: 100, measuredMs: 140, productionMs: 14_000)),
            Finding(
                rule: .lockIndexBuild, severity: .error,
                message: "up builds index public.clips_title_idx on public.clips with ShareLock on public.clips, held 120 ms here (the faster of 2 runs); about 12.00 s on production's 30,000,000 rows of public.clips, over the lock_hold budget of 500 ms in production: writes to the table wait for the whole build; 1 application query was blocked by it here, the longest 110 ms",
                step: .up, relation: "public.clips", file: up, line: 1,
                advice: "use CREATE INDEX CONCURRENTLY, alone in its own migration file (it cannot run inside migrate's implicit transaction)",
                judged: .init(budget: "budgets.lock_hold", budgetMs: 500, measuredMs: 120, productionMs: 12_000)),
            Finding(
                rule: .lockNoTimeout, severity: .warning,
                message: "up takes a lock that blocks the application, and neither the session nor the file sets lock_timeout: behind one long transaction, the migration and all traffic would wait without limit",
                step: .up, file: up, advice: "SET lock_timeout = '2s' at the top of the file (or in the migration session) and retry on failure"),
            Finding(
                rule: .roundtripDownIncomplete, severity: .error, message: leftover.message, file: down,
                advice: "make the down migration undo this (drop it)"),
            Finding(
                rule: .roundtripDownIncomplete, severity: .error, message: changed.message, file: down,
                advice: "make the down migration undo this (restore it as it was)"),
        ]
        return migration
    }

    static func hostile() -> MigrationReport {
        let up = "\(directory)/\(hostileVersion)_\(hostileName).up.sql"
        var migration = MigrationReport(version: hostileVersion, name: hostileName, upFile: up, downFile: nil, status: .rehearsed)
        let odd = ObservedLock(relation: "public.\"odd&<name>\"", relationKind: "table", mode: "RowExclusiveLock", firstSeenMs: 0, lastSeenMs: 10, granted: false)
        var first = step(.up, 1, 2, after: hostileVersion, statements: [StatementReport(line: 1, command: "INSERT", rows: 3)], locks: [odd])
        first.notices = [Notice(severity: "NOTICE", message: "relation \"clips\" already exists, skipping", sqlState: "42P07")]
        migration.steps = [first]
        migration.roundtrip = .init(skipped: "no down file: the migration is irreversible by intent, so only its up is rehearsed")
        migration.findings = [
            Finding(
                rule: .downMissing, severity: .warning,
                message: "no down file for <b>\"\(hostileName)\"</b> & 'friends'\u{7}: a rollback with migrate moves the version back without running any SQL",
                file: up, advice: "write the down file that reverses the up migration"),
        ]
        return migration
    }

    static func failed() -> MigrationReport {
        let name = "concurrent_index"
        let up = file(failedVersion, name, .up)
        var migration = MigrationReport(
            version: failedVersion, name: name, upFile: up, downFile: file(failedVersion, name, .down), status: .failed)
        var error = PostgresError(kind: .server, sqlState: "25001", message: "CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
        error.file = up
        error.line = 2
        var failedUp = StepReport(direction: .up, pass: 1, status: .failed, durationMs: 3)
        failedUp.error = error
        failedUp.statements = [StatementReport(line: 1, command: "SET")]
        failedUp.trackingAfter = .init(version: Int64(failedVersion), dirty: true)
        migration.steps = [failedUp]
        migration.findings = [
            Finding(
                rule: .stepFailed, severity: .error,
                message: "up failed: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)",
                file: up, line: 2,
                advice: "golang-migrate sends the whole file as one query, i.e. one implicit transaction: put the CONCURRENTLY statement alone in its own migration file"),
            Finding(
                rule: .migrateDirty, severity: .error,
                message: "migrate would leave _schema_migrations at \"Dirty database version \(failedVersion)\"; every later migrate command refuses until someone runs `migrate force`",
                advice: "fix the migration; in production, check the schema by hand, then `migrate force \(failedVersion)` or the version before it"),
        ]
        return migration
    }

    static func notRun() -> MigrationReport {
        let name = "backfill_clip_titles"
        return MigrationReport(
            version: notRunVersion, name: name, upFile: file(notRunVersion, name, .up), downFile: file(notRunVersion, name, .down),
            status: .notRun,
            notRunReason: "not rehearsed: migration \(failedVersion) (concurrent_index) failed its up, and migrate stops at the first failure")
    }
}
