import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// Where the real golang-migrate v4.19.1 was observed to behave in a way the rehearsal must
/// reproduce: the tracking table's schema is fixed when the session opens, every tracking
/// write is a read-write transaction, the quoted table form names a schema, and a
/// byte-order mark is sent as it is.
final class MigrateFidelityTests: XCTestCase {
    /// The fixture dump with the tracking table in schema `app`.
    private static let appDump = Fixture.dump
        .replacingOccurrences(of: "CREATE TABLE public._schema_migrations", with: "CREATE SCHEMA app;\nCREATE TABLE app._schema_migrations")
        .replacingOccurrences(of: "public._schema_migrations", with: "app._schema_migrations")

    private var appMigrations: [String: String] {
        var migrations = Fixture.baseMigrations
        migrations["2_widgets.up.sql"] = "CREATE TABLE app.widgets (id int);"
        migrations["2_widgets.down.sql"] = "DROP TABLE app.widgets;"
        migrations["3_broken.up.sql"] = "SELECT no_such_column FROM app.widgets;"
        migrations["3_broken.down.sql"] = "SELECT 1;"
        return migrations
    }

    private func assertTrackedInApp(_ report: RehearsalReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(report.failure, file: file, line: line)
        XCTAssertEqual(report.startVersion, 1, file: file, line: line)
        XCTAssertEqual(
            report.migrations.first?.steps.map(\.trackingAfter),
            [.init(version: 2, dirty: false), .init(version: 1, dirty: false), .init(version: 2, dirty: false)], file: file, line: line)
        XCTAssertEqual(report.migrations.last?.steps.first?.trackingAfter, .init(version: 3, dirty: true), file: file, line: line)
        XCTAssertEqual(report.endState, .init(version: 3, dirty: true), file: file, line: line)
        let dirty = report.migrations.last?.findings.first { $0.rule == .migrateDirty }
        XCTAssertTrue(dirty?.message.contains("\"Dirty database version 3\"") ?? false, "\(String(describing: dirty))", file: file, line: line)
    }

    func testATrackingTableReachedThroughTheSessionSearchPathIsReadBackEverywhere() throws {
        let fixture = try Fixture(test: self, dump: Self.appDump, migrations: appMigrations, extra: "session:\n  search_path: app\n  lock_timeout: 2s")
        assertTrackedInApp(try fixture.run())
    }

    func testTheQuotedFormNamesTheSchemaAndTheTable() throws {
        let fixture = try Fixture(test: self, dump: Self.appDump, migrations: appMigrations, extra: "")
        try TestServer.write(
            try String(contentsOfFile: fixture.scenarioPath, encoding: .utf8)
                .replacingOccurrences(of: "tracking_table: _schema_migrations", with: "tracking_table: '\"app\".\"_schema_migrations\"'"),
            to: fixture.scenarioPath)
        XCTAssertEqual(try fixture.scenario().tracking, TrackingTable(name: "_schema_migrations", schema: "app"))
        assertTrackedInApp(try fixture.run())
    }

    func testAMigrationThatEmptiesTheSearchPathNeitherMovesTheTrackingNorHidesItFromLaterFiles() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_dumpish.up.sql"] = "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.t2 (a int);"
        migrations["2_dumpish.down.sql"] = "DROP TABLE public.t2;"
        migrations["3_after.up.sql"] = """
            DO $$ BEGIN IF current_setting('search_path') <> '' THEN RAISE EXCEPTION 'the setting did not carry over'; END IF; END $$;
            CREATE TABLE public.t3 (a int);
            """
        migrations["3_after.down.sql"] = "DROP TABLE public.t3;"
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s").run()
        XCTAssertEqual(report.migrations.map(\.status), [.rehearsed, .rehearsed], "\(report.migrations.flatMap(\.findings).map(\.message))")
        XCTAssertEqual(report.migrations[0].steps.map(\.trackingAfter), [.init(version: 2, dirty: false), .init(version: 1, dirty: false), .init(version: 2, dirty: false)])
        XCTAssertEqual(report.endState, .init(version: 3, dirty: false))
    }

    func testAReadOnlySessionStillRecordsVersionsAndLaterWritesFailAsUnderMigrate() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_read_only.up.sql"] = "SET default_transaction_read_only = on;"
        migrations["2_read_only.down.sql"] = "SELECT 1;"
        migrations["3_write.up.sql"] = "CREATE TABLE t3 (a int);"
        migrations["3_write.down.sql"] = "DROP TABLE t3;"
        let report = try Fixture(test: self, migrations: migrations).run()
        XCTAssertEqual(report.migrations[0].steps.map(\.status), [.ok, .ok, .ok])
        XCTAssertEqual(report.migrations[0].steps.last?.trackingAfter, .init(version: 2, dirty: false), "tracking writes are BEGIN READ WRITE")
        let write = try XCTUnwrap(report.migrations[1].steps.first)
        XCTAssertEqual(write.error?.sqlState, "25006", "read_only_sql_transaction, as migrate's next file meets it")
        XCTAssertEqual(report.endState, .init(version: 3, dirty: true))
    }

    func testAByteOrderMarkIsSentAsItIsAndTheFindingNamesIt() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_bom.up.sql"] = "\u{FEFF}CREATE TABLE bom (a int);"
        migrations["2_bom.down.sql"] = "DROP TABLE bom;"
        let report = try Fixture(test: self, migrations: migrations).run()
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertEqual(up.error?.sqlState, SQLState.syntaxError)
        XCTAssertTrue(up.error?.message.contains("\u{FEFF}CREATE") ?? false, up.error?.message ?? "")
        let finding = try XCTUnwrap(report.migrations.first?.findings.first { $0.rule == .stepFailed })
        XCTAssertTrue(finding.message.contains("byte-order mark"), finding.message)
        XCTAssertTrue(finding.advice?.contains("without a byte-order mark") ?? false)
        XCTAssertEqual(report.endState, .init(version: 2, dirty: true))
    }
}

/// A step whose observers fail is an error that says what was lost, never "no locks".
final class ObservationGapTests: XCTestCase {
    func testADeadLockSamplerIsAnIncompleteObservationNotTheAbsenceOfLocks() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_kill_sampler.up.sql"] = """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'rehearse-observer' AND datname = current_database();
            SELECT pg_sleep(0.3);
            """
        migrations["2_kill_sampler.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations).run()
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertTrue(up.observationGaps.contains { $0.contains("lock sampler stopped") }, "\(up.observationGaps)")
        let finding = try XCTUnwrap(report.migrations.first?.findings.first { $0.rule == .observeIncomplete && $0.step == .up })
        XCTAssertEqual(finding.severity, .error)
        XCTAssertTrue(finding.message.contains("unknown, not absent"), finding.message)
        XCTAssertEqual(report.verdict, .fail)
    }

    func testALostTrafficConnectionIsAnIncompleteObservation() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_kill_traffic.up.sql"] = """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'rehearse-traffic' AND datname = current_database();
            SELECT pg_sleep(0.4);
            """
        migrations["2_kill_traffic.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations, extra: TrafficTests.traffic).run()
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertTrue(up.observationGaps.contains { $0.hasPrefix("traffic connection") }, "\(up.observationGaps)")
        XCTAssertTrue(report.migrations.first?.findings.contains { $0.rule == .observeIncomplete && $0.step == .up } ?? false)
    }
}
