import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// Faults the nightly run must survive cleanly: a full disk, a wrong password, a lock that
/// never comes.
final class FaultTests: XCTestCase {
    func testDiskFullWhileRestoringFailsClearlyAndLeavesNoTemplate() throws {
        let server = try TestServer.shared()
        let mountPoint = try TestServer.temporaryDirectory(for: self)
        guard getuid() == 0, (try? Fixture.shell("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint])) == 0 else {
            throw XCTSkip("needs root and tmpfs mounts to simulate a full disk")
        }
        addTeardownBlock { _ = try? Fixture.shell("/bin/umount", ["-l", mountPoint]) }
        _ = try Fixture.shell("/bin/chown", ["postgres:", mountPoint])
        let admin = try server.connect(database: nil)
        let space = "rehearse_full_\(getpid())"
        try admin.execute("CREATE TABLESPACE \(space) LOCATION '\(mountPoint)'")
        defer { _ = admin.runScript("DROP TABLESPACE IF EXISTS \(space)") }

        // ~20 MB of rows into a 16 MB disk (the empty database takes ~8 MB); the WAL stays on the real disk, so the server lives.
        let rows = (1...200_000).map { "\($0)\t\(String(repeating: "x", count: 90))\t\\N" }.joined(separator: "\n")
        let dump = Fixture.dump.replacingOccurrences(of: "1\tone\t\\N\n2\ttwo;\tx\n3\tthree\t$$", with: rows)
        let fixture = try Fixture(test: self, dump: dump, migrations: [:])
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        let cache = TemplateCache(databases: ScratchDatabases(server: server))
        XCTAssertThrowsError(try cache.template(for: snapshot) { database in
            try admin.execute("ALTER DATABASE \(Identifier.quote(database)) SET TABLESPACE \(space)")
            let restorer = SnapshotRestorer(snapshot: snapshot, createMissingRoles: true, serverMajorVersion: 15)
            return try restorer.restore(into: try server.connect(database: database))
        }) { error in
            guard case .statementFailed(_, _, let postgres)? = error as? SnapshotError else { return XCTFail("\(error)") }
            XCTAssertEqual(postgres.sqlState, "53100", "\(postgres)")
            XCTAssertTrue("\(error)".contains("No space left on device"), "\(error)")
        }
        let left = try ScratchDatabases(server: server).list().map(\.name).filter { $0.hasPrefix(TemplateCache.templateName(for: snapshot)) }
        XCTAssertEqual(left, [], "no half template is left in the cache")
        XCTAssertEqual(try admin.scalar("SELECT 1"), "1", "the server carries on")
    }

    func testWrongPasswordIsOneLineWithoutThePassword() throws {
        let server = try TestServer.shared()
        let admin = try server.connect(database: nil)
        let role = "rehearse_pw_\(getpid())"
        try admin.execute("CREATE ROLE \(role) LOGIN PASSWORD 'right-one'")
        let hba = server.dataDirectory + "/pg_hba.conf"
        let original = try String(contentsOfFile: hba, encoding: .utf8)
        try ("local all \(role) scram-sha-256\n" + original).write(toFile: hba, atomically: false, encoding: .utf8)
        try admin.execute("SELECT pg_reload_conf()")
        defer {
            try? original.write(toFile: hba, atomically: false, encoding: .utf8)
            _ = admin.runScript("SELECT pg_reload_conf(); DROP ROLE IF EXISTS \(role)")
        }
        let socket = try XCTUnwrap(server.socketDirectory)
        let url = "postgresql://\(role):wrong-one@/postgres?host=\(socket)"
        XCTAssertThrowsError(try Connection(url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("password authentication failed"), text)
            XCTAssertFalse(text.contains("wrong-one"), text)
            XCTAssertFalse(text.contains("\n"), "one line: \(text)")
        }
    }

    func testMigrationWaitingForeverOnALockIsCancelledByTheStepTimeout() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add.up.sql"] = "ALTER TABLE items ADD COLUMN z int;"
        migrations["2_add.down.sql"] = "ALTER TABLE items DROP COLUMN z;"
        let extra = """
            step_timeout: 700ms
            traffic:
              baseline: 100ms
              long_transactions:
                - name: stuck_report
                  sql: SELECT count(*) FROM items
                  hold: 3s
            """
        let report = try Fixture(test: self, migrations: migrations, extra: extra).run()
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertTrue(up.timedOut)
        XCTAssertEqual(up.error?.sqlState, "57014")
        XCTAssertEqual(up.migrationWaits.first?.relation, "public.items", "the report says what it was waiting for")
        XCTAssertTrue(report.migrations[0].findings.contains { $0.rule == .stepTimeout })
    }
}
