import Foundation
import XCTest
@testable import Rehearsal

/// One embedded server for the whole test run (started on first use, stopped at exit);
/// every test gets its own scratch database.
enum TestServer {
    nonisolated(unsafe) private static var cluster: EmbeddedCluster?
    private static let lock = NSLock()

    static func shared() throws -> EmbeddedCluster {
        lock.lock()
        defer { lock.unlock() }
        if let cluster { return cluster }
        let started = try EmbeddedCluster()
        cluster = started
        atexit {
            TestServer.stop()
        }
        return started
    }

    static func stop() {
        cluster?.shutdown()
        cluster = nil
    }

    /// A fresh scratch database, dropped when the test ends.
    static func scratchDatabase(for test: XCTestCase) throws -> (server: EmbeddedCluster, name: String) {
        let server = try shared()
        let databases = ScratchDatabases(server: server)
        let name = ScratchDatabases.scratchName(scenario: "test")
        try databases.create(name, purpose: "integration test")
        test.addTeardownBlock {
            try? databases.drop(name)
        }
        return (server, name)
    }

    /// A temporary directory removed when the test ends.
    static func temporaryDirectory(for test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "rehearse-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock {
            try? FileManager.default.removeItem(atPath: path)
        }
        return path
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Processes whose command line mentions `text` (a data directory): servers left behind.
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").contains(text)
        }
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
