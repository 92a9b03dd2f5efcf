import Foundation
import XCTest
@testable import Rehearsal

/// A rollback brings the data back, not only the schema; the whole release rolls back and
/// forward; accepted risks are written where the migration is.
final class DataRoundtripTests: XCTestCase {
    private let session = "session:\n  lock_timeout: 2s"

    private func data(_ up: String, _ down: String, extra: String = "", dump: String = Fixture.dump) throws -> (MigrationReport, RehearsalReport) {
        var migrations = Fixture.baseMigrations
        migrations["2_change.up.sql"] = up
        migrations["2_change.down.sql"] = down
        let report = try Fixture(test: self, dump: dump, migrations: migrations, extra: session + "\n" + extra).run()
        return (try XCTUnwrap(report.migrations.first), report)
    }

    /// `up` and `down` on a table of 200 rows, over a row budget of 50: read on a sample.
    private func sampled(_ up: String, _ down: String) throws -> RehearsalReport {
        let rows = (1...200).map { "\($0)\titem \($0)\t\\N" }.joined(separator: "\n")
        let dump = Fixture.dump.replacingOccurrences(of: "1\tone\t\\N\n2\ttwo;\tx\n3\tthree\t$$", with: rows)
        var migrations = Fixture.baseMigrations
        migrations["2_change.up.sql"] = up
        migrations["2_change.down.sql"] = down
        return try Fixture(test: self, dump: dump, migrations: migrations, extra: session + "\ndata_check_rows: 50").run()
    }

    private func losses(_ migration: MigrationReport) -> [String] {
        migration.findings.filter { $0.rule == .roundtripLosesData }.map(\.message)
    }

    func testADroppedColumnReAddedEmptyIsNotBack() throws {
        let (migration, _) = try data("ALTER TABLE items DROP COLUMN name;", "ALTER TABLE items ADD COLUMN name text;")
        XCTAssertEqual(migration.roundtrip.downRestoresSchema, true, "the schema comes back")
        XCTAssertEqual(migration.roundtrip.data?.tables, ["public.items"])
        XCTAssertEqual(losses(migration), ["down does not bring back public.items.name: 3 non-null values before up, none after down"])
        XCTAssertEqual(migration.findings.first { $0.rule == .roundtripLosesData }?.severity, .warning)
    }

    func testRowsDeletedByTheUpWithANoOpDownAreNotBack() throws {
        let (migration, _) = try data("DELETE FROM items WHERE id > 1;", "SELECT 1;")
        XCTAssertEqual(losses(migration).first, "down does not bring back all rows of public.items: 3 before up, 1 after down")
    }

    func testRewrittenValuesWithANoOpDownAreNotBack() throws {
        let (migration, _) = try data("UPDATE items SET name = upper(name);", "SELECT 1;")
        XCTAssertEqual(losses(migration), ["down does not bring back the values of public.items.name: 3 non-null values before up and after down, with other contents"])
    }

    func testATypeChangeAndItsExactInverseLoseNothing() throws {
        let (migration, _) = try data("ALTER TABLE items ALTER COLUMN id TYPE bigint;", "ALTER TABLE items ALTER COLUMN id TYPE integer;")
        XCTAssertEqual(migration.roundtrip.data?.restoresData, true, migration.roundtrip.data?.summary ?? "")
    }

    func testADroppedTableRecreatedEmptyIsNotBack() throws {
        let (migration, _) = try data("DROP TABLE items;", "CREATE TABLE items (id integer NOT NULL, name text, note text DEFAULT 'a;b');\nALTER TABLE ONLY items ADD CONSTRAINT items_pkey PRIMARY KEY (id);")
        XCTAssertTrue(losses(migration).contains("down does not bring back all rows of public.items: 3 before up, 0 after down"), "\(losses(migration))")
    }

    func testAColumnOrTableTheDownLeavesGoneIsALossNotAStoppedRun() throws {
        let (column, report) = try data("ALTER TABLE items DROP COLUMN name;", "SELECT 1;")
        XCTAssertNil(report.failure, "a column the down does not bring back is a finding, not a read that fails")
        XCTAssertEqual(column.roundtrip.downRestoresSchema, false)
        XCTAssertEqual(losses(column), ["down does not bring back public.items.name: 3 non-null values before up, the column is gone after down"])
        let (table, tableReport) = try data("DROP TABLE items;", "SELECT 1;")
        XCTAssertNil(tableReport.failure)
        XCTAssertEqual(losses(table), ["down does not bring back public.items: 3 rows before up, the table is gone after down"])
    }

    func testASampleWhoseKeyIsGoneCannotBeCompared() throws {
        let report = try sampled("ALTER TABLE items DROP COLUMN id;", "SELECT 1;")
        XCTAssertNil(report.failure)
        let migration = try XCTUnwrap(report.migrations.first)
        XCTAssertEqual(losses(migration), ["down does not bring back public.items as it was before up: id, which chooses its sample, is gone, so the same rows cannot be read again after down (on a sample: \(migration.roundtrip.data?.samples["public.items"] ?? "?"))"])
    }

    /// A role is the server's: the one a migration makes must not stop the replay (which
    /// makes it again) and hide the later migrations' data, nor outlive the run.
    func testARoleAMigrationMakesHidesNoLaterLossAndGoesWithTheRun() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_role.up.sql"] = "CREATE ROLE rehearse_test_made_role NOLOGIN;"
        migrations["2_role.down.sql"] = "DROP ROLE rehearse_test_made_role;"
        migrations["3_drop.up.sql"] = "ALTER TABLE items DROP COLUMN name;"
        migrations["3_drop.down.sql"] = "ALTER TABLE items ADD COLUMN name text;"
        let fixture = try Fixture(test: self, migrations: migrations, extra: session)
        for run in 1...2 {
            let report = try fixture.run()
            XCTAssertEqual(report.migrations.map(\.status), [.rehearsed, .rehearsed], "run \(run)")
            XCTAssertEqual(report.migrations.first?.steps.first?.traced, true, "run \(run): \(report.migrations.first?.steps.first?.traceNote ?? "")")
            XCTAssertEqual(losses(report.migrations[1]), ["down does not bring back public.items.name: 3 non-null values before up, none after down"], "run \(run)")
            let server = try TestServer.shared()
            XCTAssertEqual(try server.connect(database: nil).scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'rehearse_test_made_role'"), "0", "run \(run)")
        }
    }

    func testDataOnlyTheUpCreatedIsNotALoss() throws {
        let (migration, _) = try data(
            "ALTER TABLE items ADD COLUMN score int DEFAULT 1;\nINSERT INTO items (id, name) VALUES (10, 'new');",
            "DELETE FROM items WHERE id = 10;\nALTER TABLE items DROP COLUMN score;")
        XCTAssertEqual(migration.roundtrip.data?.restoresData, true, migration.roundtrip.data?.summary ?? "")
    }

    func testATableOverTheRowBudgetIsCheckedOnAStatedSample() throws {
        let report = try sampled("ALTER TABLE items DROP COLUMN name;", "ALTER TABLE items ADD COLUMN name text;")
        let data = try XCTUnwrap(report.migrations.first?.roundtrip.data)
        let sample = try XCTUnwrap(data.samples["public.items"])
        XCTAssertTrue(sample.hasPrefix("256 ranges of 1 values of id, spread from 1 to 200"), sample)
        let loss = try XCTUnwrap(data.losses.first?.message)
        XCTAssertTrue(loss.contains("non-null values before up, none after down (on a sample: 256 ranges"), loss)
    }

    /// Each migration's data before its up is read ahead, beside the previous migration's
    /// down: it is the data that up left once committed (not what was there while it ran),
    /// read once that down, which holds the table meanwhile, is rolled back.
    func testTheDataBeforeAnUpIsWhatThePreviousUpLeftEvenWhileItsDownHoldsTheTable() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_mark.up.sql"] = "UPDATE items SET name = name || '!';\nSELECT pg_sleep(0.3);"
        migrations["2_mark.down.sql"] = "LOCK TABLE items IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(0.3);\nUPDATE items SET name = rtrim(name, '!');"
        migrations["3_shout.up.sql"] = "UPDATE items SET name = upper(name);"
        migrations["3_shout.down.sql"] = "UPDATE items SET name = lower(name);"
        migrations["4_forget.up.sql"] = "UPDATE items SET name = NULL WHERE id = 1;"
        migrations["4_forget.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations, extra: session).run()
        XCTAssertNil(report.failure)
        XCTAssertEqual(report.migrations.map { $0.roundtrip.data?.tables ?? [] }, Array(repeating: ["public.items"], count: 3))
        XCTAssertEqual(report.migrations.prefix(2).map { $0.roundtrip.data?.restoresData }, [true, true], report.migrations.map { $0.roundtrip.data?.summary ?? "" }.joined(separator: "; "))
        XCTAssertEqual(losses(report.migrations[2]), ["down does not bring back public.items.name: 3 non-null values before up, 2 after down"])
    }

    /// Values are hashed in fixed text forms: a down that changes the session's time zone
    /// (as a migration's SET would) does not make its timestamps look lost.
    func testADownThatSetsTheTimeZoneLosesNoTimestamps() throws {
        let dump = Fixture.dump
            .replacingOccurrences(of: "note text DEFAULT 'a;b'\n", with: "note text DEFAULT 'a;b',\n    seen timestamp with time zone DEFAULT '2026-01-01 12:00+00'\n")
        let (migration, report) = try data(
            "UPDATE items SET name = name;", "SET TimeZone = 'Asia/Tokyo';\nSET DateStyle = 'German';\nUPDATE items SET name = name;",
            dump: dump)
        XCTAssertNil(report.failure)
        XCTAssertEqual(migration.roundtrip.data?.tables, ["public.items"])
        XCTAssertEqual(migration.roundtrip.data?.restoresData, true, migration.roundtrip.data?.summary ?? "")
    }

    /// Both reads of a comparison run with the scenario's session settings: under a role that
    /// row-level security shows one row of three, before up and after down alike.
    func testTheReadsOfAComparisonSeeTheRowsTheSessionsRoleSees() throws {
        try TestServer.shared().connect(database: nil).execute("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rehearse_test_rls_reader') THEN
                    CREATE ROLE rehearse_test_rls_reader NOLOGIN;
                END IF;
            END $$
            """)
        let grants = """
            GRANT SELECT, UPDATE ON TABLE public.items TO rehearse_test_rls_reader;
            GRANT SELECT, INSERT, TRUNCATE ON TABLE public._schema_migrations TO rehearse_test_rls_reader;
            ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;
            CREATE POLICY only_the_first ON public.items USING (id = 1);

            \\unrestrict k3y
            """
        let dump = Fixture.dump.replacingOccurrences(of: "\\unrestrict k3y", with: grants)
        var migrations = Fixture.baseMigrations
        migrations["2_shout.up.sql"] = "UPDATE items SET name = upper(name);"
        migrations["2_shout.down.sql"] = "UPDATE items SET name = lower(name);"
        let report = try Fixture(test: self, dump: dump, migrations: migrations, extra: "session:\n  role: rehearse_test_rls_reader").run()
        XCTAssertNil(report.failure)
        let data = try XCTUnwrap(report.migrations.first?.roundtrip.data)
        XCTAssertEqual(data.tables, ["public.items"])
        XCTAssertEqual(data.restoresData, true, data.summary)
    }

    /// A read sets what it reads under and puts the session's own settings back.
    func testAReadLeavesTheSessionsSettingsAsTheyWere() throws {
        let connection = try TestServer.shared().connect(database: nil)
        try connection.execute("CREATE TEMP TABLE seen (at timestamptz, span interval); INSERT INTO seen VALUES ('2026-01-01 12:00+00', '1 day 2 hours')")
        let plans = try DataFingerprint.plans(for: ["pg_temp.seen"], sampleAbove: 1000, on: connection)
        try connection.execute("SET TimeZone = 'Asia/Tokyo'; SET IntervalStyle = 'iso_8601'; SET jit = on")
        let tokyo = try DataFingerprint.read(plans, on: connection)
        XCTAssertEqual(try connection.query("SELECT current_setting('TimeZone'), current_setting('IntervalStyle'), current_setting('jit')").rows.first, ["Asia/Tokyo", "iso_8601", "on"])
        try connection.execute("SET TimeZone = 'America/New_York'; SET IntervalStyle = 'sql_standard'")
        XCTAssertEqual(try DataFingerprint.read(plans, on: connection), tokyo)
        XCTAssertEqual(tokyo.tables["pg_temp.seen"]?.columns.count, 2)
    }

    func testDataCheckOffChecksNothing() throws {
        let (migration, _) = try data("ALTER TABLE items DROP COLUMN name;", "ALTER TABLE items ADD COLUMN name text;", extra: "data_check: off")
        XCTAssertNil(migration.roundtrip.data)
    }
}

final class ReleaseRollbackTests: XCTestCase {
    func testTheReleaseRollsBackToTheSnapshotsVersionAndForwardAgain() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_a.up.sql"] = "CREATE TABLE a (id int);"
        migrations["2_a.down.sql"] = "DROP TABLE a;"
        migrations["3_b.up.sql"] = "ALTER TABLE items ADD COLUMN b int;"
        migrations["3_b.down.sql"] = "ALTER TABLE items DROP COLUMN b;"
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s").run()
        let rollback = try XCTUnwrap(report.releaseRollback)
        XCTAssertEqual(rollback.targetVersion, 1)
        XCTAssertEqual(rollback.steps.map(\.version), [3, 2], "newest first")
        XCTAssertEqual(rollback.steps.last?.step.trackingAfter, .init(version: 1, dirty: false))
        XCTAssertEqual(rollback.schemaRestored, true)
        XCTAssertEqual(rollback.dataRestored, true)
        XCTAssertEqual(rollback.rollForward.map(\.version), [2, 3])
        XCTAssertEqual(rollback.rollForward.last?.step.trackingAfter, .init(version: 3, dirty: false), "rolled forward to the end")
        XCTAssertFalse(report.findings.contains { $0.rule.category == .release }, "\(report.findings.map(\.message))")
    }

    func testADownThatFailsOnlyInTheReleasesOrderIsAFinding() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_a.up.sql"] = "CREATE TABLE a (id int);"
        migrations["2_a.down.sql"] = "DROP TABLE a;"
        migrations["3_view.up.sql"] = "CREATE VIEW v AS SELECT id FROM a;"
        migrations["3_view.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s").run()
        let rollback = try XCTUnwrap(report.releaseRollback)
        XCTAssertEqual(rollback.steps.map(\.step.status), [.ok, .failed], "migration 3's down forgets the view; 2's DROP TABLE meets it")
        let finding = try XCTUnwrap(report.findings.first { $0.rule == .releaseRollbackFails })
        XCTAssertEqual(finding.severity, .error)
        XCTAssertTrue(finding.file?.hasSuffix("2_a.down.sql") ?? false)
        XCTAssertTrue(finding.message.contains("Dirty database version 1"), finding.message)
        XCTAssertNil(rollback.schemaRestored, "migrate stops at the failing down")
        XCTAssertEqual(report.verdict, .fail)
    }

    func testDataTheReleaseDoesNotBringBackIsSaid() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_drop.up.sql"] = "ALTER TABLE items DROP COLUMN note;"
        migrations["2_drop.down.sql"] = "ALTER TABLE items ADD COLUMN note text DEFAULT 'a;b';"
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s").run()
        let rollback = try XCTUnwrap(report.releaseRollback)
        XCTAssertEqual(rollback.schemaRestored, true)
        XCTAssertEqual(rollback.dataRestored, false)
        XCTAssertEqual(rollback.dataDifferences.map(\.message), ["the release rollback does not bring back the values of public.items.note: 2 non-null values in the snapshot, 3 after it, with other contents"])
        XCTAssertTrue(report.findings.contains { $0.rule == .releaseRollbackIncomplete && $0.severity == .warning })
    }

    func testAReleaseThatStopsAtAFailingUpRollsBackFromTheVersionBeforeIt() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_a.up.sql"] = "CREATE TABLE a (id int);"
        migrations["2_a.down.sql"] = "DROP TABLE a;"
        migrations["3_broken.up.sql"] = "CREATE TABLE b (id int);\nSELECT no_such_column FROM a;"
        migrations["3_broken.down.sql"] = "DROP TABLE b;"
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s").run()
        let rollback = try XCTUnwrap(report.releaseRollback)
        XCTAssertTrue(rollback.note?.contains("from `migrate force 2`") ?? false, rollback.summary)
        XCTAssertEqual(rollback.steps.map(\.version), [2])
        XCTAssertEqual(rollback.schemaRestored, true)
        XCTAssertEqual(report.endState, .init(version: 3, dirty: true), "the report ends where `migrate up` leaves production")
    }

    func testReleaseRollbackOffSkipsIt() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_a.up.sql"] = "CREATE TABLE a (id int);"
        migrations["2_a.down.sql"] = "DROP TABLE a;"
        XCTAssertNil(try Fixture(test: self, migrations: migrations, extra: "release_rollback: false").run().releaseRollback)
    }
}

final class AcceptedRiskTests: XCTestCase {
    func testAnAcceptedRiskIsANoteWithItsReasonAndAStaleOneIsAWarning() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_drop.up.sql"] = "ALTER TABLE items DROP COLUMN name;"
        migrations["2_drop.down.sql"] = """
            -- rehearse:accept roundtrip.down-loses-data names were copied to the archive before the release
            -- rehearse:accept lock.table-rewrite there is no rewrite here
            -- rehearse:accept step.failed nothing fails
            ALTER TABLE items ADD COLUMN name text;
            """
        let report = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s\nrelease_rollback: false").run()
        let findings = try XCTUnwrap(report.migrations.first?.findings)
        let accepted = try XCTUnwrap(findings.first { $0.rule == .roundtripLosesData })
        XCTAssertEqual(accepted.severity, .info)
        XCTAssertEqual(accepted.accepted, "names were copied to the archive before the release")
        let stale = try XCTUnwrap(findings.first { $0.rule == .acceptStale })
        XCTAssertEqual(stale.line, 2)
        XCTAssertTrue(stale.message.contains("lock.table-rewrite"))
        XCTAssertTrue(findings.contains { $0.rule == .acceptInvalid && $0.message.contains("step.failed cannot be accepted") })
        XCTAssertEqual(report.migrations.first?.verdict, .warn, "only the accept problems are left as warnings")
        let markdown = MarkdownReport.render(report)
        XCTAssertTrue(markdown.contains("accepted: names were copied to the archive before the release"))
    }
}
