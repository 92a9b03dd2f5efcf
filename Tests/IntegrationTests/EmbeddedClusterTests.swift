import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// These start their own servers in their own homes, apart from the shared test server.
final class EmbeddedClusterTests: XCTestCase {
    private func home() throws -> String {
        let base = getuid() == 0 ? "/var/tmp" : NSTemporaryDirectory()
        let path = base + "/rehearse-cluster-test-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testServerLeftRunningByAKilledRunIsStoppedAndReplaced() throws {
        let home = try home()
        let first = try EmbeddedCluster(home: home)
        let oldPid = try XCTUnwrap(first.postmasterPID)
        first.abandonForTesting()  // as if the process had been killed: server still up
        XCTAssertEqual(kill(oldPid, 0), 0, "the abandoned server is still running")

        let second = try EmbeddedCluster(home: home)
        defer { second.shutdown() }
        XCTAssertNotEqual(second.postmasterPID, oldPid)
        XCTAssertEqual(try second.connect(database: nil).scalar("SELECT 1"), "1")
        for _ in 0..<100 where kill(oldPid, 0) == 0 { usleep(20_000) }
        XCTAssertNotEqual(kill(oldPid, 0), 0, "the leftover server was stopped")
    }

    func testStalePidFileFromACrashIsRecovered() throws {
        let home = try home()
        let first = try EmbeddedCluster(home: home)
        let pid = try XCTUnwrap(first.postmasterPID)
        first.abandonForTesting()
        kill(pid, SIGKILL)
        for _ in 0..<250 where kill(pid, 0) == 0 { usleep(20_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: first.dataDirectory + "/postmaster.pid"), "a crash leaves the pid file")

        let second = try EmbeddedCluster(home: home)
        defer { second.shutdown() }
        XCTAssertEqual(try second.connect(database: nil).scalar("SELECT 1"), "1")
    }

    /// A server that cannot start is said with the end of its log, leaves no server, and a
    /// later run starts once the cause is gone.
    func testAServerThatCannotStartIsSaidWithItsLogAndLeavesNothingRunning() throws {
        let home = try home()
        let first = try EmbeddedCluster(home: home)
        let config = first.dataDirectory + "/postgresql.conf"
        first.shutdown()
        let original = try String(contentsOfFile: config, encoding: .utf8)
        try (original + "\nmax_locks_per_transaction = 'lots'\n").write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EmbeddedCluster(home: home)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("pg_ctl start failed"), text)
            XCTAssertTrue(text.contains("max_locks_per_transaction"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: first.dataDirectory + "/postmaster.pid"))
        try original.write(toFile: config, atomically: true, encoding: .utf8)
        let again = try EmbeddedCluster(home: home)
        defer { again.shutdown() }
        XCTAssertEqual(try again.connect(database: nil).scalar("SELECT 1"), "1")
    }

    func testShutdownStopsTheServerAndRemovesTheSocketDirectory() throws {
        let cluster = try EmbeddedCluster(home: try home())
        let pid = try XCTUnwrap(cluster.postmasterPID)
        let socket = try XCTUnwrap(cluster.socketDirectory)
        cluster.shutdown()
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(20_000) }
        XCTAssertNotEqual(kill(pid, 0), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket))
    }
}

final class TemplateCacheTests: XCTestCase {
    private func privateCluster() throws -> EmbeddedCluster {
        let base = getuid() == 0 ? "/var/tmp" : NSTemporaryDirectory()
        let home = base + "/rehearse-cache-test-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: home) }
        return try EmbeddedCluster(home: home)
    }

    func testTemplatesAreListedAndPrunedBySizeAndAge() throws {
        let cluster = try privateCluster()
        defer { cluster.shutdown() }
        var migrations = Fixture.baseMigrations
        migrations["2_noop.up.sql"] = "SELECT 1;"
        migrations["2_noop.down.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, migrations: migrations)
        _ = try fixture.run(on: cluster)
        let cache = TemplateCache(databases: ScratchDatabases(server: cluster))
        let entries = try cache.list()
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        XCTAssertEqual(entries.map(\.sha256), [snapshot.sha256])
        XCTAssertGreaterThan(entries[0].bytes, 0)
        XCTAssertNotNil(entries[0].lastUsed)

        XCTAssertEqual(try cache.prune(olderThan: 3600).count, 0, "used a moment ago")
        XCTAssertGreaterThan(entries[0].spareBytes, 0, "the run left a spare for the next one")
        XCTAssertEqual(try cache.prune(maxBytes: entries[0].bytes + entries[0].spareBytes).count, 0, "fits")
        XCTAssertEqual(try cache.prune(maxBytes: entries[0].bytes + entries[0].spareBytes - 1).map(\.sha256), [snapshot.sha256])
        XCTAssertTrue(try cache.list().isEmpty)
    }

    func testASpareCopyIsTakenByTheNextRunAndGoesWithItsTemplate() throws {
        let cluster = try privateCluster()
        defer { cluster.shutdown() }
        var migrations = Fixture.baseMigrations
        migrations["2_add_extra.up.sql"] = "ALTER TABLE items ADD COLUMN extra int;"
        migrations["2_add_extra.down.sql"] = "ALTER TABLE items DROP COLUMN extra;"
        let fixture = try Fixture(test: self, migrations: migrations)
        let databases = ScratchDatabases(server: cluster)
        let cache = TemplateCache(databases: databases)
        let template = TemplateCache.templateName(for: try Snapshot.open(fixture.directory + "/snapshot.sql.zst"))
        let spare = TemplateCache.spareName(of: template)
        let events = LockedBox<[String]>([])
        func runner(_ change: (inout RehearsalOptions) -> Void = { _ in }) throws -> RehearsalRunner {
            var options = RehearsalOptions()
            change(&options)
            events.value = []
            return RehearsalRunner(scenario: try fixture.scenario(), server: cluster, options: options) { event in
                switch event {
                case .copyingForReplay: events.withValue { $0.append("replay copy") }
                case .stepStarted: events.withValue { $0.append("step") }
                case .tracing: events.withValue { $0.append("replay") }
                default: break
                }
            }
        }

        let first = try runner()
        XCTAssertNotEqual(first.run().snapshot.fromSpare, true, "nothing to take yet")
        XCTAssertTrue(try databases.exists(spare), "the run leaves a spare once its report is out")
        XCTAssertThrowsError(try cluster.connect(database: spare), "a spare accepts no connections, so it cannot drift")
        XCTAssertGreaterThan(try cache.list().first?.spareBytes ?? 0, 0)

        let second = try runner { $0.keepDatabase = true }
        let report = second.run()
        XCTAssertEqual(report.snapshot.fromSpare, true)
        XCTAssertEqual(
            Array(events.value.prefix(2)), ["replay copy", "step"],
            "the replay's copy is made before the first migration runs, not after it wrote")
        XCTAssertEqual(events.value.last, "replay")
        XCTAssertTrue(try databases.exists(spare), "the next spare is made beside the replay, ready when the run returns")
        XCTAssertEqual(report.startVersion, 1, "the spare holds the snapshot, not the first run's migrated scratch database")
        XCTAssertEqual(report.migrations.map(\.status), [.rehearsed])
        let scratch = try XCTUnwrap(second.scratchDatabase)
        XCTAssertEqual(try cluster.connect(database: scratch).scalar("SELECT count(*) FROM items"), "3")
        try databases.drop(scratch)

        let withoutSpare = try runner { $0.keepSpare = false }
        XCTAssertEqual(withoutSpare.run().snapshot.fromSpare, true)
        XCTAssertFalse(try databases.exists(spare), "--no-spare makes none")

        let third = try runner()
        XCTAssertNotEqual(third.run().snapshot.fromSpare, true)
        let entry = try XCTUnwrap(try cache.list().first)
        XCTAssertEqual(try cache.prune(maxBytes: entry.bytes + entry.spareBytes).count, 0, "template and spare fit")
        XCTAssertEqual(try cache.prune(maxBytes: entry.bytes + entry.spareBytes - 1).count, 1)
        XCTAssertFalse(try databases.exists(spare), "pruned with its template")

        try runner().run()
        XCTAssertTrue(try databases.exists(spare))
        try databases.drop(template)
        XCTAssertEqual(try cache.prune().count, 0)
        XCTAssertFalse(try databases.exists(spare), "a spare whose template is gone is dropped")
    }
}

final class ServerDeathTests: XCTestCase {
    func testServerKilledMidStepGivesAPartialReportAndTheNextRunRecovers() throws {
        let base = getuid() == 0 ? "/var/tmp" : NSTemporaryDirectory()
        let home = base + "/rehearse-death-test-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: home) }
        var migrations = Fixture.baseMigrations
        migrations["2_hang.up.sql"] = "SELECT pg_sleep(30);"
        migrations["2_hang.down.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, migrations: migrations)

        let cluster = try EmbeddedCluster(home: home)
        let killed = LockedBox<Int32>(0)
        let runner = RehearsalRunner(scenario: try fixture.scenario(), server: cluster) { event in
            if case .stepStarted(2, _, .up, 1) = event {
                // The postmaster of this moment: restoring the snapshot restarted the server.
                let pid = cluster.postmasterPID ?? 0
                killed.value = pid
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { kill(pid, SIGKILL) }
            }
        }
        let partial = runner.run()
        XCTAssertNotNil(partial.failure, "the partial report says why it stopped")
        XCTAssertEqual(partial.failureKind, .server)
        XCTAssertEqual(partial.exitCode, 3)
        XCTAssertEqual(partial.verdict, .fail)
        XCTAssertEqual(partial.startVersion, 1)
        XCTAssertEqual(partial.migrations.map(\.status), [.notRun], "the migration in flight is in the report")
        XCTAssertEqual(partial.migrations.first?.notRunReason, "not rehearsed to the end: the rehearsal stopped during its up")
        cluster.shutdown()
        let pid = killed.value
        XCTAssertGreaterThan(pid, 0)
        for _ in 0..<250 where kill(pid, 0) == 0 { usleep(20_000) }
        // No backend of the dead server survives it.
        let survivors = TestServer.processes(mentioning: home)
        XCTAssertEqual(survivors, [])

        let again = try EmbeddedCluster(home: home)
        defer { again.shutdown() }
        var clean = Fixture.baseMigrations
        clean["2_ok.up.sql"] = "SELECT 1;"
        clean["2_ok.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: clean).run(on: again)
        XCTAssertEqual(report.migrations.first?.status, .rehearsed)
    }
}
