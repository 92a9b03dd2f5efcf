import XCTest
@testable import Rehearsal

/// The sampler's fold of pg_locks rows, on canned samples: (pid, relation, relkind, mode,
/// granted, waitstart, blocking pids, server time).
final class StepObserverFoldTests: XCTestCase {
    private let migration: Int32 = 100

    private func row(_ pid: Int32, _ relation: String, _ mode: String, granted: Bool, waitStart: Double? = nil, blockers: String? = nil, at now: Double) -> [String?] {
        [String(pid), relation, granted || pid == migration ? "r" : "", mode, granted ? "t" : "f", waitStart.map { String($0) }, blockers, String(now)]
    }

    func testTheMigrationsLocksAreTimedFromFirstToLastSample() {
        var observation = StepObserver.Observation()
        let first = observation.fold([row(100, "public.t", "AccessExclusiveLock", granted: true, at: 10.0)], migration: migration)
        XCTAssertTrue(first.newLock)
        let second = observation.fold([row(100, "public.t", "AccessExclusiveLock", granted: true, at: 10.5)], migration: migration)
        XCTAssertFalse(second.newLock)
        let lock = observation.locks["public.t|AccessExclusiveLock"]
        XCTAssertEqual(lock?.firstSeen, 10.0)
        XCTAssertEqual(lock?.lastSeen, 10.5)
        XCTAssertEqual(observation.samples, 2)
    }

    func testAQueryTheMigrationBlocksIsDirectAndOneQueuedBehindItIsNot() throws {
        var observation = StepObserver.Observation()
        _ = observation.fold([
            row(100, "public.t", "AccessExclusiveLock", granted: true, at: 10.0),
            row(200, "public.t", "AccessShareLock", granted: false, waitStart: 9.9, blockers: "{100}", at: 10.0),
            row(300, "public.t", "RowExclusiveLock", granted: false, waitStart: 9.95, blockers: "{200}", at: 10.0),
        ], migration: migration)
        let direct = try XCTUnwrap(observation.blocked.values.first { $0.pid == 200 })
        XCTAssertTrue(direct.direct)
        XCTAssertEqual(direct.waitStart, 9.9, "pg_locks.waitstart, not the sample's time")
        let queued = try XCTUnwrap(observation.blocked.values.first { $0.pid == 300 })
        XCTAssertFalse(queued.direct)
    }

    func testAWaitThatHasNothingToDoWithTheMigrationIsLeftOut() {
        var observation = StepObserver.Observation()
        let news = observation.fold([
            row(100, "public.t", "RowExclusiveLock", granted: true, at: 10.0),
            row(400, "public.other", "AccessExclusiveLock", granted: false, waitStart: 9.0, blockers: "{500}", at: 10.0),
        ], migration: migration)
        XCTAssertTrue(news.anyWaiting)
        XCTAssertTrue(observation.blocked.isEmpty)
        XCTAssertTrue(observation.migrationWaits.isEmpty)
    }

    func testTheMigrationsOwnWaitIsRecordedOnceAndExtended() {
        var observation = StepObserver.Observation()
        let first = observation.fold([row(100, "public.t", "AccessExclusiveLock", granted: false, waitStart: 9.5, blockers: "{700}", at: 10.0)], migration: migration)
        XCTAssertEqual(first.freshWaits.count, 1)
        let again = observation.fold([row(100, "public.t", "AccessExclusiveLock", granted: false, waitStart: 9.5, blockers: "{700}", at: 10.2)], migration: migration)
        XCTAssertTrue(again.freshWaits.isEmpty)
        XCTAssertEqual(observation.migrationWaits.values.first?.lastSeen, 10.2)
        XCTAssertEqual(observation.migrationWaits.values.first?.blockers, [700])
    }
}
