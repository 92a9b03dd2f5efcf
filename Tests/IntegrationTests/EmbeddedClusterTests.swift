import Foundation
import XCTest
@testable import Rehearsal

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
