import Foundation
import XCTest
@testable import Rehearsal

final class RehearsalRunTests: XCTestCase {
    func testCleanMigrationPassesTheRoundTrip() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add_price.up.sql"] = "ALTER TABLE items ADD COLUMN price int NOT NULL DEFAULT 0;\nCREATE INDEX idx_items_price ON items (price);"
        migrations["2_add_price.down.sql"] = "DROP INDEX idx_items_price;\nALTER TABLE items DROP COLUMN price;"
        let report = try Fixture(test: self, migrations: migrations).run()
        XCTAssertEqual(report.startVersion, 1)
        XCTAssertEqual(report.migrations.map(\.version), [2])
        let migration = try XCTUnwrap(report.migrations.first)
        XCTAssertEqual(migration.steps.map(\.status), [.ok, .ok, .ok])
        XCTAssertEqual(migration.steps.map(\.direction), [.up, .down, .up])
        XCTAssertEqual(migration.steps.map(\.pass), [1, 1, 2])
        XCTAssertEqual(migration.steps.map { $0.trackingAfter }, [.init(version: 2, dirty: false), .init(version: 1, dirty: false), .init(version: 2, dirty: false)])
        XCTAssertEqual(migration.roundtrip.downRestoresSchema, true)
        XCTAssertEqual(migration.roundtrip.reupMatchesFirstUp, true)
        XCTAssertEqual(migration.steps[0].statements.map(\.line), [1, 2])
        XCTAssertEqual(report.endState, .init(version: 2, dirty: false))
        XCTAssertNotEqual(report.verdict, .fail)
    }

    func testDownThatForgetsAnObjectIsReportedObjectByObject() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add_index.up.sql"] = "CREATE INDEX idx_items_name ON items (name);\nALTER TABLE items ADD COLUMN flag boolean;"
        migrations["2_add_index.down.sql"] = "ALTER TABLE items DROP COLUMN flag;"
        let report = try Fixture(test: self, migrations: migrations).run()
        let migration = try XCTUnwrap(report.migrations.first)
        XCTAssertEqual(migration.roundtrip.downRestoresSchema, false)
        XCTAssertEqual(migration.roundtrip.differences.map(\.name), ["public.idx_items_name"])
        XCTAssertTrue(migration.roundtrip.differences[0].message.contains("index public.idx_items_name still present after down"))
        XCTAssertTrue(migration.findings.contains { $0.rule == .roundtripDownIncomplete && $0.severity == .error })
        XCTAssertEqual(report.verdict, .fail)
    }

    func testUpFailureLeavesTheVersionDirtyAndStopsLaterMigrations() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_broken.up.sql"] = "ALTER TABLE items ADD COLUMN a int;\nALTER TABLE nosuchtable ADD COLUMN b int;"
        migrations["2_broken.down.sql"] = "ALTER TABLE items DROP COLUMN a;"
        migrations["3_later.up.sql"] = "SELECT 1;"
        migrations["3_later.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations).run()
        XCTAssertEqual(report.migrations.map(\.status), [.failed, .notRun])
        let step = try XCTUnwrap(report.migrations[0].steps.first)
        XCTAssertEqual(step.status, .failed)
        XCTAssertEqual(step.error?.sqlState, "42P01")
        XCTAssertEqual(step.error?.line, 2)
        XCTAssertEqual(step.trackingAfter, .init(version: 2, dirty: true))
        XCTAssertEqual(report.endState, .init(version: 2, dirty: true))
        XCTAssertTrue(report.migrations[0].findings.contains { $0.rule == .migrateDirty })
        XCTAssertEqual(report.verdict, .fail)
    }

    func testFailedDownLeavesThePreviousVersionDirty() throws {
        let steps = try Fixture.steps(for: self, "2_index", up: "CREATE INDEX idx_items_name ON items (name);", down: "DROP INDEX idx_misspelled;")
        XCTAssertEqual(steps.map(\.status), [.ok, .failed])
        XCTAssertEqual(steps[1].trackingAfter, .init(version: 1, dirty: true), "migrate records the target of a down — the previous version — as dirty")
    }

    func testWholeFileModeRefusesConcurrentIndexBesideAnotherStatement() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_concurrent.up.sql"] = "CREATE INDEX CONCURRENTLY idx_items_name ON items (name);\nCOMMENT ON TABLE items IS 'x';"
        migrations["2_concurrent.down.sql"] = "DROP INDEX idx_items_name;"
        let report = try Fixture(test: self, migrations: migrations).run()
        let step = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertEqual(step.error?.sqlState, "25001")
        XCTAssertEqual(step.error?.line, 1)
        XCTAssertTrue(report.migrations[0].findings.contains { $0.rule == .stepFailed && ($0.advice ?? "").contains("its own migration file") })
    }

    func testMultiStatementModeRunsEachPieceOnItsOwn() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_concurrent.up.sql"] = "CREATE INDEX CONCURRENTLY idx_items_name ON items (name);\nCOMMENT ON TABLE items IS 'x';"
        migrations["2_concurrent.down.sql"] = "DROP INDEX idx_items_name;\nCOMMENT ON TABLE items IS NULL;"
        let report = try Fixture(test: self, migrations: migrations, extra: "mode: multi-statement").run()
        let migration = try XCTUnwrap(report.migrations.first)
        XCTAssertEqual(migration.steps.map(\.status), [.ok, .ok, .ok])
        XCTAssertEqual(migration.steps[0].statements.map(\.command), ["CREATE INDEX", "COMMENT"])
        XCTAssertEqual(migration.roundtrip.downRestoresSchema, true)
    }

    func testMultiStatementFailureLeavesEarlierPiecesApplied() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_partial.up.sql"] = "CREATE TABLE applied_first (a int);\nSELECT 1/0;"
        migrations["2_partial.down.sql"] = "DROP TABLE applied_first;"
        let fixture = try Fixture(test: self, migrations: migrations, extra: "mode: multi-statement")
        let server = try TestServer.shared()
        var options = RehearsalOptions()
        options.keepDatabase = true
        let runner = RehearsalRunner(scenario: try fixture.scenario(), server: server, options: options)
        let report = try runner.run()
        let database = try XCTUnwrap(runner.scratchDatabase)
        defer { try? ScratchDatabases(server: server).drop(database) }
        XCTAssertEqual(report.migrations.first?.steps.first?.error?.line, 2)
        let connection = try server.connect(database: database)
        XCTAssertEqual(try connection.scalar("SELECT to_regclass('public.applied_first')::text"), "applied_first", "the first piece committed on its own")
    }

    func testMissingDownFileIsASilentVersionMoveAndAWarning() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_no_down.up.sql"] = "CREATE TABLE extra (a int);"
        migrations["3_later.up.sql"] = "ALTER TABLE extra ADD COLUMN b int;"
        migrations["3_later.down.sql"] = "ALTER TABLE extra DROP COLUMN b;"
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s").run()
        let migration = try XCTUnwrap(report.migrations.first)
        XCTAssertEqual(migration.steps.map(\.kind), [.up], "irreversible by intent: only the up is rehearsed")
        XCTAssertNotNil(migration.roundtrip.skipped)
        XCTAssertNil(migration.roundtrip.downRestoresSchema)
        XCTAssertEqual(migration.findings.filter { $0.severity != .info }.map(\.rule), [.downMissing], "one warning, no cascade of round-trip errors")
        XCTAssertEqual(report.migrations.map(\.status), [.rehearsed, .rehearsed], "the next migration runs on production's state")
        XCTAssertEqual(report.migrations.map(\.verdict), [.warn, .pass])
        XCTAssertEqual(report.endState, .init(version: 3, dirty: false))
    }

    func testDirtySnapshotIsRefusedAsMigrateWould() throws {
        let dirty = Fixture.dump.replacingOccurrences(of: "1\tf\n\\.", with: "1\tt\n\\.")
        let fixture = try Fixture(test: self, dump: dirty, migrations: Fixture.baseMigrations)
        let (report, error) = try fixture.runStopped()
        XCTAssertEqual(error as? MigrationRunError, .dirty(version: 1, table: "_schema_migrations"))
        XCTAssertEqual(report.failureKind, .input)
        XCTAssertEqual(report.exitCode, 2)
    }

    func testRecordedVersionWithoutFileIsRefused() throws {
        let fixture = try Fixture(test: self, migrations: ["2_x.up.sql": "SELECT 1;"])
        let (report, error) = try fixture.runStopped()
        guard case .recordedVersionMissing(1, _)? = error as? MigrationRunError else { return XCTFail("\(error)") }
        XCTAssertEqual(report.exitCode, 2)
    }

    func testSessionSettingsLeakIntoLaterFilesAsOnOneSession() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_set.up.sql"] = "SET statement_timeout = '123s';"
        migrations["2_set.down.sql"] = "SELECT 1;"
        migrations["3_check.up.sql"] = "DO $$ BEGIN IF current_setting('statement_timeout') <> '123s' THEN RAISE EXCEPTION 'not one session'; END IF; END $$;"
        migrations["3_check.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s").run()
        XCTAssertEqual(report.migrations.map(\.status), [.rehearsed, .rehearsed], "\(report.migrations.flatMap(\.findings))")
    }

    func testStepTimeoutCancelsAHangingMigration() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_hang.up.sql"] = "SELECT pg_sleep(60);"
        migrations["2_hang.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations, extra: "step_timeout: 500ms").run()
        let step = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertTrue(step.timedOut)
        XCTAssertEqual(step.error?.sqlState, "57014")
        XCTAssertTrue(report.migrations[0].findings.contains { $0.rule == .stepTimeout })
    }

    func testStrongLockOnExistingTableIsMeasured() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_lock.up.sql"] = "LOCK TABLE items IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(0.3);"
        migrations["2_lock.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations).run()
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        let lock = try XCTUnwrap(up.locks.first { $0.relation == "public.items" && $0.mode == "AccessExclusiveLock" })
        XCTAssertGreaterThan(lock.heldMs, 150, "held for most of the 300 ms sleep")
        XCTAssertTrue(report.migrations[0].findings.contains { $0.rule == .lockBlocksReadsAndWrites })
    }

    func testExternalServerRestoreSkipsGrantsToMissingRoles() throws {
        let embedded = try TestServer.shared()
        let external = ExternalServer(target: embedded.connectionTarget)
        var migrations = Fixture.baseMigrations
        migrations["2_noop.up.sql"] = "SELECT 1;"
        migrations["2_noop.down.sql"] = "SELECT 1;"
        let dump = Fixture.dump
            .replacingOccurrences(of: "rehearse_test_missing_owner", with: "rehearse_ext_owner_\(getpid())")
            .replacingOccurrences(of: "rehearse_test_missing_reader", with: "rehearse_ext_reader_\(getpid())")
        let report = try Fixture(test: self, dump: dump, migrations: migrations).run(on: external)
        XCTAssertFalse(report.server.embedded)
        XCTAssertEqual(report.snapshot.restore?.skippedStatements.count, 2)
        XCTAssertEqual(report.snapshot.restore?.rowsCopied, 4)
        XCTAssertEqual(try ScratchDatabases(server: external).list().filter { $0.name.hasPrefix(ScratchDatabases.scratchPrefix) }.count, 0, "the scratch database was dropped")
    }

    func testSizeChangeIsWhatTheStepAddedOrRemovedNotMigratesBookkeeping() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_big.up.sql"] = "CREATE TABLE big AS SELECT g AS n FROM generate_series(1, 20000) AS g;"
        migrations["2_big.down.sql"] = "DROP TABLE big;"
        migrations["3_rename.up.sql"] = "ALTER TABLE big RENAME COLUMN n TO m;"
        migrations["3_rename.down.sql"] = "ALTER TABLE big RENAME COLUMN m TO n;"
        migrations["4_retype.up.sql"] = "ALTER TABLE big ALTER COLUMN m TYPE text USING 'row number ' || m;"
        migrations["4_retype.down.sql"] = "ALTER TABLE big ALTER COLUMN m TYPE integer USING substr(m, 12)::integer;"
        let report = try Fixture(test: self, migrations: migrations).run()
        let big = try XCTUnwrap(report.migrations.first { $0.version == 2 })
        let up = try XCTUnwrap(big.steps.first { $0.kind == .up }?.sizeChangeBytes)
        let down = try XCTUnwrap(big.steps.first { $0.kind == .down }?.sizeChangeBytes)
        XCTAssertGreaterThan(up, 500_000, "20,000 rows of one integer fill well over 500 kB")
        XCTAssertEqual(down, -up, "dropping the table gives back what creating it took")
        let rename = try XCTUnwrap(report.migrations.first { $0.version == 3 })
        XCTAssertEqual(rename.steps.map(\.sizeChangeBytes), [0, 0, 0], "a rename writes no data; migrate's tracking writes are not counted")
        // A step of catalog commands reads again only the relations whose catalog rows changed.
        let retype = try XCTUnwrap(report.migrations.first { $0.version == 4 }?.steps.first { $0.kind == .up })
        let rewrite = try XCTUnwrap(retype.rewrote.first { $0.relation == "public.big" }, "changing the type rewrites the table")
        XCTAssertGreaterThan(rewrite.bytesAfter, rewrite.bytesBefore, "text of 'row number …' takes more room than an integer")
        // Text needs a TOAST table, empty, and its index: an empty B-tree, one 8 kB page.
        XCTAssertEqual(
            retype.sizeChangeBytes, rewrite.bytesAfter - rewrite.bytesBefore + 8192,
            "the rewritten table and the new TOAST table's index are all that grew")
    }
}

final class LargeMigrationTests: XCTestCase {
    func testFiftyMegabyteFileRunsWholeAndHitsMigratesLimitInMultiStatementMode() throws {
        // A data-seeding migration: 50 MB, one statement per ~5 MB piece in multi-statement mode.
        let value = String(repeating: "x", count: 5 << 20)
        var body = ""
        for _ in 0..<10 { body += "INSERT INTO blobs VALUES ('\(value)');\n" }
        var migrations = Fixture.baseMigrations
        migrations["2_blobs.up.sql"] = "CREATE TABLE blobs (b text);\n" + body
        migrations["2_blobs.down.sql"] = "DROP TABLE blobs;"
        let whole = try Fixture(test: self, migrations: migrations).run()
        XCTAssertEqual(whole.migrations.first?.steps.first?.status, .ok)
        XCTAssertEqual(whole.migrations.first?.steps.first?.statements.count, 11)

        migrations["2_blobs.up.sql"] = "CREATE TABLE blobs (b text);\nINSERT INTO blobs VALUES ('\(String(repeating: "y", count: 11 << 20))');\n"
        let pieces = try Fixture(test: self, migrations: migrations, extra: "mode: multi-statement").run()
        let step = try XCTUnwrap(pieces.migrations.first?.steps.first)
        XCTAssertEqual(step.status, .failed)
        XCTAssertEqual(step.error?.line, 2, "the piece that is too large starts on line 2")
        XCTAssertTrue(step.error?.message.contains("x-multi-statement-max-size") == true, step.error?.message ?? "")
        XCTAssertEqual(step.trackingAfter, .init(version: 2, dirty: true), "migrate fails here and leaves the version dirty")
    }
}
