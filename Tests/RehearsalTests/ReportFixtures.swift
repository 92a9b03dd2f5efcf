@testable import Rehearsal
@testable import PostgresClient

/// A small, hand-built report shared by the JSON and Markdown report tests: one migration
/// rehearsed with a round-trip problem, one that failed (with a hostile name), one not run.
enum ReportFixtures {
    static let hostileName = "evil | name <script>alert(1)</script>"

    static var rehearsed: MigrationReport {
        MigrationReport(
            version: 20_240_101_120_000, name: "create_users",
            upFile: "/tmp/x/db/migrations/20240101120000_create_users.up.sql",
            downFile: "/tmp/x/db/migrations/20240101120000_create_users.down.sql",
            status: .rehearsed,
            steps: [
                StepReport(
                    direction: .up, pass: 1, status: .ok, durationMs: 12, serverMs: 11.5,
                    statements: [StatementReport(line: 1, command: "CREATE TABLE", rows: nil)],
                    locks: [
                        ObservedLock(
                            relation: "public.t", relationKind: "table", mode: "RowExclusiveLock",
                            firstSeenMs: 0, lastSeenMs: 5, granted: true, heldMs: 5),
                        ObservedLock(
                            relation: "public.users", relationKind: "table", mode: "AccessExclusiveLock",
                            firstSeenMs: 0, lastSeenMs: 40, granted: true, heldMs: 40),
                    ],
                    notices: [Notice(severity: "NOTICE", message: "relation exists, skipping", sqlState: "42P07")],
                    trackingAfter: TrackingTable.State(version: 20_240_101_120_000, dirty: false)),
                StepReport(direction: .down, pass: 1, status: .ok, durationMs: 3),
                StepReport(direction: .up, pass: 2, status: .ok, durationMs: 11),
            ],
            roundtrip: MigrationReport.Roundtrip(
                downRestoresSchema: false, reupMatchesFirstUp: true,
                differences: [
                    SchemaDifference(
                        kind: "index", name: "public.idx_users_email", change: .unexpected,
                        expected: nil, actual: "CREATE INDEX idx_users_email ON public.users (email)", comparison: .down,
                        message: "index public.idx_users_email still present after down"),
                ]),
            findings: [
                Finding(
                    rule: .roundtripDownIncomplete, severity: .error, message: "down left an index behind",
                    file: "/tmp/x/db/migrations/20240101120000_create_users.down.sql", line: 3,
                    advice: "drop the index in the down file"),
            ],
            verdict: .fail)
    }

    static var failed: MigrationReport {
        MigrationReport(
            version: 20_240_102_000_000, name: hostileName,
            upFile: "/tmp/x/db/migrations/20240102000000_evil.up.sql", downFile: nil,
            status: .failed,
            steps: [
                StepReport(
                    direction: .up, pass: 1, status: .failed, durationMs: 5,
                    error: PostgresError(kind: .server, sqlState: "42P07", message: "relation \"users\" already exists")),
            ],
            verdict: .fail)
    }

    static var notRun: MigrationReport {
        MigrationReport(
            version: 20_240_103_000_000, name: "later", status: .notRun,
            notRunReason: "not rehearsed: migration 20240102000000 failed its up, and migrate stops at the first failure",
            verdict: .notRun)
    }

    static var report: RehearsalReport {
        RehearsalReport(
            scenario: RehearsalReport.ScenarioInfo(
                name: "orders", file: "/tmp/x/s.yaml", migrations: "/tmp/x/db/migrations",
                trackingTable: "schema_migrations", mode: .wholeFile, session: ["lock_timeout": "5s"],
                stepTimeoutSeconds: 600, budgets: Budgets()),
            startedAt: "2024-01-01T12:00:00Z",
            finishedAt: "2024-01-01T12:01:00Z",
            snapshot: RehearsalReport.SnapshotInfo(
                path: "/tmp/snap.sql.zst", sha256: "0123456789abcdef0123456789abcdef", bytes: 12_345,
                restoreMs: 1500, cloneMs: 0, fromCache: false,
                restore: RestoreSummary(
                    statements: 10, rowsCopied: 100, uncompressedBytes: 50_000, durationMs: 1500,
                    createdRoles: ["app_owner"], skippedStatements: [], dumpedFromVersion: "15.4",
                    pgDumpVersion: "16.2", trustedForeignKeys: 3)),
            server: RehearsalReport.ServerInfo(version: "16.2", embedded: true, name: "embedded"),
            startVersion: 20_231_231_000_000,
            endState: TrackingTable.State(version: 20_240_102_000_000, dirty: true),
            migrations: [rehearsed, failed, notRun],
            findings: [
                Finding(rule: .ignoredFile, severity: .warning, message: "notes.sql is never run", file: "/tmp/x/db/migrations/notes.sql"),
            ],
            verdict: .fail,
            verdictReason: "a step failed")
    }
}
