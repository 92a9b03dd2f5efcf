import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// On a server rehearse did not start, it creates, writes and drops only its own databases.
final class ExternalServerSafetyTests: XCTestCase {
    private func fixture() throws -> Fixture {
        var migrations = Fixture.baseMigrations
        migrations["2_add.up.sql"] = "ALTER TABLE items ADD COLUMN extra int;"
        migrations["2_add.down.sql"] = "ALTER TABLE items DROP COLUMN extra;"
        return try Fixture(test: self, migrations: migrations)
    }

    func testTheDatabaseInTheURLIsNeverMigratedOrDropped() throws {
        let embedded = try TestServer.shared()
        let admin = try embedded.connect(database: nil)
        let foreign = "app_production_\(getpid())"
        try admin.execute("CREATE DATABASE \(foreign)")
        defer { _ = admin.runScript("DROP DATABASE IF EXISTS \(foreign) WITH (FORCE)") }
        let app = try embedded.connect(database: foreign)
        try app.execute("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'keep');")
        try app.execute("CREATE TABLE _schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO _schema_migrations VALUES (1, false);")
        let before = try SchemaFingerprint.read(on: app)

        let target = embedded.connectionTarget.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(foreign)")
        let report = try fixture().run(on: ExternalServer(target: target))
        XCTAssertEqual(report.migrations.first?.status, .rehearsed, "the rehearsal ran, on its own scratch database")

        XCTAssertEqual(try SchemaFingerprint.read(on: app).differences(to: before), [], "no migration touched the URL's database")
        XCTAssertEqual(try app.scalar("SELECT version || ',' || dirty FROM _schema_migrations"), "1,false")
        XCTAssertEqual(try app.scalar("SELECT name FROM items WHERE id = 1"), "keep")
        XCTAssertThrowsError(try ScratchDatabases(server: ExternalServer(target: target)).drop(foreign))
    }

    func testTwoRehearsalsAtOnceOnOneServerBothComplete() throws {
        let embedded = try TestServer.shared()
        let target = embedded.connectionTarget
        let first = try fixture(), second = try fixture()
        let results = LockedBox<[String]>([])
        let scenarios = (first: try first.scenario(), second: try second.scenario())
        let group = DispatchGroup()
        for index in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                let scenario = index == 0 ? scenarios.first : scenarios.second
                let report = RehearsalRunner(scenario: scenario, server: ExternalServer(target: target)).run()
                results.withValue { $0.append(report.failure.map { "error: \($0)" } ?? report.migrations.first?.status.rawValue ?? "none") }
            }.start()
        }
        group.wait()
        XCTAssertEqual(results.value, ["rehearsed", "rehearsed"])
        let left = try ScratchDatabases(server: embedded).list().filter { $0.name.hasPrefix(ScratchDatabases.scratchPrefix) }
        XCTAssertEqual(left.map(\.name), [], "both dropped their scratch databases")
    }

    func testRoleWithoutCreatedbGetsAClearError() throws {
        let embedded = try TestServer.shared()
        let admin = try embedded.connect(database: nil)
        let role = "rehearse_nocreatedb_\(getpid())"
        try admin.execute("CREATE ROLE \(role) LOGIN NOCREATEDB")
        defer { _ = admin.runScript("DROP ROLE IF EXISTS \(role)") }
        let target = embedded.connectionTarget.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
        let (report, error) = try fixture().runStopped(on: ExternalServer(target: target))
        guard case .missingPrivilege(_, let privilege)? = error as? ClusterError else { return XCTFail("\(error)") }
        XCTAssertTrue(privilege.contains("CREATEDB"))
        XCTAssertEqual(report.exitCode, 2)
    }
}
