import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// A failure only the rehearsal causes never hides the migrations after it; a migration
/// without a down is rehearsed up only; a failing first up ends the path as migrate does.
final class ProductionPathTests: XCTestCase {
    private let lockTimeout = "session:\n  lock_timeout: 2s"

    func testAFailedWholeFileDownIsForcedBackAndTheNextMigrationIsRehearsed() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_index.up.sql"] = "CREATE INDEX idx_items_name ON items (name);"
        migrations["2_index.down.sql"] = "DROP INDEX idx_misspelled;"
        migrations["3_next.up.sql"] = "ALTER TABLE items ADD COLUMN c int;"
        migrations["3_next.down.sql"] = "ALTER TABLE items DROP COLUMN c;"
        let report = try Fixture(test: self, migrations: migrations, extra: lockTimeout).run()
        XCTAssertEqual(report.migrations.map(\.status), [.failed, .rehearsed])
        let failed = report.migrations[0]
        XCTAssertEqual(failed.steps.map(\.kind), [.up, .down])
        XCTAssertEqual(failed.recovery?.method, .forced, "the down rolled back whole: only the tracking table was off")
        XCTAssertTrue(failed.findings.contains { $0.rule == .stepFailed && $0.step == .down && $0.severity == .error })
        XCTAssertTrue(failed.findings.contains { $0.rule == .recovered && $0.severity == .info })
        XCTAssertEqual(report.migrations[1].steps.map(\.status), [.ok, .ok, .ok])
        XCTAssertEqual(report.migrations[1].steps.first?.trackingAfter, .init(version: 3, dirty: false))
        XCTAssertEqual(report.migrations[1].roundtrip.downRestoresSchema, true)
        XCTAssertEqual(report.endState, .init(version: 3, dirty: false))
        XCTAssertEqual(report.verdict, .fail)
        XCTAssertTrue(report.verdictReason.hasPrefix("migration 2 index: "), report.verdictReason)
    }

    func testASecondUpThatFailsAfterAnIncompleteDownIsRebuiltFromTheSnapshot() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_extra.up.sql"] = "CREATE TABLE extra (a int);\nINSERT INTO extra VALUES (1), (2);"
        migrations["2_extra.down.sql"] = "SELECT 1;"
        migrations["3_next.up.sql"] = "ALTER TABLE extra ADD COLUMN b int;"
        migrations["3_next.down.sql"] = "ALTER TABLE extra DROP COLUMN b;"
        // Without the release rollback, whose roll forward would meet the table the down left.
        let fixture = try Fixture(test: self, migrations: migrations, extra: lockTimeout + "\nrelease_rollback: false")
        let server = try TestServer.shared()
        var options = RehearsalOptions()
        options.keepDatabase = true
        let runner = RehearsalRunner(scenario: try fixture.scenario(), server: server, options: options)
        let report = runner.run()
        let kept = try XCTUnwrap(runner.scratchDatabase)
        defer { try? ScratchDatabases(server: server).drop(kept) }

        XCTAssertEqual(report.migrations.map(\.status), [.failed, .rehearsed])
        let failed = report.migrations[0]
        XCTAssertEqual(failed.steps.map(\.status), [.ok, .ok, .failed])
        XCTAssertEqual(failed.steps.last?.error?.sqlState, SQLState.duplicateTable)
        let recovery = try XCTUnwrap(failed.recovery)
        XCTAssertEqual(recovery.method, .rebuilt)
        XCTAssertEqual(recovery.replayedUps, 1)
        XCTAssertTrue(recovery.schemaMatchesFirstUp)
        XCTAssertFalse(failed.findings.contains { $0.rule == .migrateDirty }, "the second up is the rehearsal's own step")
        XCTAssertTrue(failed.findings.contains { $0.rule == .roundtripDownIncomplete })
        XCTAssertEqual(report.migrations[1].steps.map(\.status), [.ok, .ok, .ok])
        XCTAssertEqual(report.migrations[1].roundtrip.downRestoresSchema, true)
        XCTAssertEqual(report.endState, .init(version: 3, dirty: false))

        XCTAssertTrue(kept.hasSuffix("_r1"), "the run moved to the rebuilt database: \(kept)")
        let connection = try server.connect(database: kept)
        XCTAssertEqual(try connection.scalar("SELECT count(*) FROM extra"), "2", "the rebuilt state holds the first up's rows once")
        XCTAssertEqual(try connection.scalar("SELECT version || ' ' || dirty FROM _schema_migrations"), "3 false")
        let left = try ScratchDatabases(server: server).list().map(\.name).filter { $0.hasPrefix(kept.replacingOccurrences(of: "_r1", with: "")) }
        XCTAssertEqual(left, [kept], "the database the run left behind is dropped")
    }

    func testASecondUpThatBuildsAnotherSchemaIsRebuilt() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_unnamed.up.sql"] = "CREATE INDEX ON items (name);"
        migrations["2_unnamed.down.sql"] = "SELECT 1;"
        migrations["3_next.up.sql"] = "CREATE INDEX items_note_idx ON items (note);"
        migrations["3_next.down.sql"] = "DROP INDEX items_note_idx;"
        let report = try Fixture(test: self, migrations: migrations, extra: lockTimeout).run()
        let first = report.migrations[0]
        XCTAssertEqual(first.roundtrip.reupMatchesFirstUp, false)
        XCTAssertEqual(first.recovery?.method, .rebuilt)
        XCTAssertEqual(first.recovery?.schemaMatchesFirstUp, true)
        XCTAssertEqual(report.migrations[1].roundtrip.downRestoresSchema, true, "migration 3 starts from one index, as production has")
        XCTAssertTrue(report.migrations[1].roundtrip.differences.isEmpty, "\(report.migrations[1].roundtrip.differences)")
    }

    func testAMultiStatementDownThatFailsPartWayIsRebuilt() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_pair.up.sql"] = "CREATE TABLE pair (a int);\nCREATE INDEX pair_a ON pair (a);"
        migrations["2_pair.down.sql"] = "DROP INDEX pair_a;\nDROP TABLE no_such_table;"
        migrations["3_next.up.sql"] = "ALTER TABLE pair ADD COLUMN b int;"
        migrations["3_next.down.sql"] = "ALTER TABLE pair DROP COLUMN b;"
        let report = try Fixture(test: self, migrations: migrations, extra: "mode: multi-statement\n" + lockTimeout).run()
        XCTAssertEqual(report.migrations[0].recovery?.method, .rebuilt, "the first piece committed, so the schema is off")
        XCTAssertEqual(report.migrations[0].recovery?.schemaMatchesFirstUp, true)
        XCTAssertEqual(report.migrations[1].status, .rehearsed)
        XCTAssertEqual(report.migrations[1].roundtrip.downRestoresSchema, true)
    }

    func testAnUpOnlyProjectGetsEveryUpRehearsed() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_a.up.sql"] = "CREATE TABLE a (id int);"
        migrations["3_b.up.sql"] = "CREATE TABLE b (id int);"
        migrations["4_c.up.sql"] = "-- deliberately irreversible\nCREATE TABLE c (id int);"
        migrations["4_c.down.sql"] = "-- nothing to undo"
        let report = try Fixture(test: self, migrations: migrations, extra: lockTimeout).run()
        XCTAssertEqual(report.migrations.map(\.status), [.rehearsed, .rehearsed, .rehearsed])
        XCTAssertEqual(report.migrations.map { $0.steps.map(\.kind) }, [[.up], [.up], [.up]])
        XCTAssertEqual(
            report.migrations.map { $0.findings.filter { $0.severity != .info }.map(\.rule) },
            [[.downMissing], [.downMissing], [.downEmpty]])
        XCTAssertEqual(report.endState, .init(version: 4, dirty: false))
        XCTAssertEqual(report.verdict, .warn)
        XCTAssertEqual(report.exitCode, 0)
        XCTAssertTrue(report.releaseRollback?.skipped?.contains("irreversible by intent") ?? false, report.releaseRollback?.summary ?? "")
    }

    func testAFailingFirstUpEndsThePathAndLaterMigrationsSayWhy() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_broken.up.sql"] = "ALTER TABLE nosuchtable ADD COLUMN b int;"
        migrations["2_broken.down.sql"] = "SELECT 1;"
        migrations["3_later.up.sql"] = "SELECT 1;"
        migrations["3_later.down.sql"] = "SELECT 1;"
        migrations["4_last.up.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations).run()
        XCTAssertEqual(report.migrations.map(\.status), [.failed, .notRun, .notRun])
        XCTAssertEqual(report.migrations.map(\.verdict), [.fail, .notRun, .notRun], "not run is never pass")
        for later in report.migrations.dropFirst() {
            XCTAssertEqual(later.notRunReason, "not rehearsed: migration 2 (broken) failed its up, and migrate stops at the first failure")
            XCTAssertTrue(later.findings.isEmpty)
        }
        let json = String(decoding: try JSONReport.encode(report), as: UTF8.self)
        XCTAssertEqual(json.components(separatedBy: "\"verdict\" : \"not-run\"").count - 1, 2, "JSON says not-run for both")
        XCTAssertTrue(report.verdictReason.hasPrefix("migration 2 broken: up failed: relation \"nosuchtable\" does not exist"), report.verdictReason)
    }
}
