@testable import Rehearsal

/// Canned per-migration states for the rule tests: what the runner would have measured.
enum RehearsalStates {
    typealias Key = SchemaFingerprint.Key

    static let rows: [String: Int64] = ["public.clips": 300_000, "public.users": 20_000]
    static let production: [String: Int64] = ["public.clips": 40_000_000]

    static func scenario(_ extra: String = "") throws -> Scenario {
        try Scenario.parse("name: s\nsnapshot: s.sql.zst\nmigrations: m\n\(extra)", file: "/tmp/s.yaml")
    }

    static func migration(up: String? = "SELECT 1;", down: String? = "SELECT 1;") -> Migration {
        Migration(
            version: 7, identifier: "change",
            up: up.map { MigrationFile(path: "/m/7_change.up.sql", fileName: "7_change.up.sql", body: $0) },
            down: down.map { MigrationFile(path: "/m/7_change.down.sql", fileName: "7_change.down.sql", body: $0) })
    }

    static var schema: SchemaFingerprint {
        SchemaFingerprint(objects: [Key(kind: "table", name: "public.clips"): "table", Key(kind: "table", name: "public.users"): "table"])
    }

    /// The schema with an index on public.clips.
    static var indexed: SchemaFingerprint {
        var fingerprint = schema
        let index = Key(kind: "index", name: "public.idx_clips_created_at")
        fingerprint.objects[index] = "CREATE INDEX idx_clips_created_at ON public.clips USING btree (created_at)"
        fingerprint.parents[index] = "public.clips"
        return fingerprint
    }

    static func step(_ kind: StepKind, _ milliseconds: Double, locks: [(String, String, Double)] = [], status: StepReport.Status = .ok) -> StepReport {
        let direction: MigrationDirection = kind == .down ? .down : .up
        var step = StepReport(direction: direction, pass: kind == .secondUp ? 2 : 1, status: status, durationMs: milliseconds)
        step.locks = locks.map {
            ObservedLock(relation: $0.0, relationKind: "table", mode: $0.1, firstSeenMs: 0, lastSeenMs: $0.2, granted: true, heldMs: $0.2)
        }
        return step
    }

    static func blocked(_ query: String, on relation: String, _ milliseconds: Double, direct: Bool = true) -> BlockedEvent {
        BlockedEvent(query: query, pid: 4242, relation: relation, mode: "RowExclusiveLock", startMs: 5, waitMs: milliseconds, direct: direct)
    }

    /// A rehearsed migration with the given steps and schemas around them.
    static func state(
        _ migration: Migration = migration(), steps: [StepReport], before: SchemaFingerprint = schema,
        afterUp: SchemaFingerprint = schema, afterDown: SchemaFingerprint? = nil, afterReup: SchemaFingerprint? = nil
    ) -> MigrationRehearsal {
        var state = MigrationRehearsal(migration, in: MigrationDirectory(path: "/m", migrations: [migration], ignoredFiles: []))
        state.entry.status = steps.contains { $0.status == .failed } ? .failed : .rehearsed
        state.entry.steps = steps
        state.before = before
        state.afterUp = afterUp
        state.afterDown = afterDown ?? before
        state.afterReup = afterReup ?? afterUp
        return state
    }

    /// Scales the steps as the runner does, then makes the findings.
    static func findings(_ state: MigrationRehearsal, scenario: Scenario, production: [String: Int64] = production) -> [Finding] {
        var state = state
        ScaleModel.annotate(&state, rows: rows, production: production)
        return FindingRules.migrationFindings(state, scenario: scenario, rows: rows, baseline: nil)
    }
}
