import XCTest
@testable import Rehearsal

/// The summary's "strongest lock" is the one the findings judge: traced locks count, and a
/// lock on a table outranks any lock on an index.
final class StrongestLockTests: XCTestCase {
    private func migration(sampled: [ObservedLock], traced: [LockTaken]) -> MigrationReport {
        var migration = MigrationReport(version: 3, name: "x", upFile: nil, downFile: nil, status: .rehearsed)
        var up = StepReport(direction: .up, pass: 1, status: .ok, durationMs: 20)
        up.locks = sampled
        up.traced = true
        up.statements = [StatementReport(line: 1, command: "ALTER TABLE", locks: traced)]
        migration.steps = [up]
        return migration
    }

    func testATracedTableLockTooShortToSampleIsNamed() throws {
        let lock = try XCTUnwrap(StrongestLock(migration(sampled: [], traced: [LockTaken(relation: "public.clips", mode: "ShareRowExclusiveLock", relationKind: "table")])))
        XCTAssertEqual(lock.text(sampleIntervalMs: 10), "ShareRowExclusiveLock on public.clips (traced, shorter than a sample)")
    }

    func testATableLockOutranksAStrongerLockOnAnIndex() throws {
        let sampled = [
            ObservedLock(relation: "public.clips_pkey", relationKind: "index", mode: "AccessExclusiveLock", firstSeenMs: 0, lastSeenMs: 30, granted: true),
            ObservedLock(relation: "public.clips", relationKind: "table", mode: "ShareLock", firstSeenMs: 0, lastSeenMs: 165, granted: true),
        ]
        let lock = try XCTUnwrap(StrongestLock(migration(sampled: sampled, traced: [])))
        XCTAssertEqual(lock.text(sampleIntervalMs: 10), "ShareLock on public.clips (165 ms)")
        let traced = try XCTUnwrap(StrongestLock(migration(sampled: sampled, traced: [LockTaken(relation: "public.clips", mode: "AccessExclusiveLock", relationKind: "table")])))
        XCTAssertEqual(traced.mode, "AccessExclusiveLock", "the trace saw a stronger lock on the table than the sampler")
        XCTAssertNil(StrongestLock(migration(sampled: [], traced: [])))
    }
}
