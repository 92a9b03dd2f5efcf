import Foundation
import XCTest
@testable import Rehearsal

/// Traffic, blocked queries and lock waits measured on a real server.
final class TrafficTests: XCTestCase {
    static let traffic = """
        traffic:
          connections: 4
          rate: 200/s
          baseline: 300ms
          soak: 500ms
          queries:
            - name: read_item
              sql: SELECT name FROM items WHERE id = $1
              params: [random id from items]
            - name: touch_item
              sql: UPDATE items SET note = 'seen' WHERE id = $1
              params: [random id from items]
        """

    func testQueriesBlockedByAStrongLockAreMeasuredFromWaitStart() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_lock.up.sql"] = "LOCK TABLE items IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(0.6);"
        migrations["2_lock.down.sql"] = "SELECT 1;"
        let report = try Fixture(test: self, migrations: migrations, extra: Self.traffic + "\nbudgets:\n  lock_hold: 200ms").run()
        XCTAssertGreaterThan(report.traffic?.baseline.queries ?? 0, 10)
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertGreaterThanOrEqual(up.blocked.count, 2, "every connection runs into the lock")
        XCTAssertTrue(up.blocked.allSatisfy { $0.relation == "public.items" && $0.direct })
        XCTAssertTrue(up.blocked.allSatisfy { ["read_item", "touch_item"].contains($0.query) }, "\(up.blocked.map(\.query))")
        let longest = try XCTUnwrap(up.traffic?.maxBlockedMs)
        XCTAssertGreaterThan(longest, 400)
        XCTAssertLessThan(longest, up.durationMs + 50)
        let finding = try XCTUnwrap(report.migrations[0].findings.first { $0.rule == .lockBlocksReadsAndWrites })
        XCTAssertEqual(finding.severity, .error, "held over 1.5 times the 200 ms lock_hold budget in both ups: \(finding.message)")
        XCTAssertTrue(finding.message.contains("application queries were blocked by it here"), "the blocked traffic is this lock's evidence: \(finding.message)")
        XCTAssertFalse(report.migrations[0].findings.contains { $0.rule.category == .traffic && $0.step == .up }, "and is not reported twice")
        let lock = try XCTUnwrap(up.locks.first { $0.mode == "AccessExclusiveLock" && $0.relation == "public.items" })
        XCTAssertEqual(lock.heldMs, up.serverMs! - lock.firstSeenMs, accuracy: 1, "whole-file locks are held to the end of the step")
    }

    func testQueryFailingAgainstTheNewSchemaIsAnIncompatibility() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_rename.up.sql"] = "ALTER TABLE items RENAME COLUMN name TO title;"
        migrations["2_rename.down.sql"] = "ALTER TABLE items RENAME COLUMN title TO name;"
        let report = try Fixture(test: self, migrations: migrations, extra: Self.traffic).run()
        let migration = try XCTUnwrap(report.migrations.first)
        let finding = try XCTUnwrap(migration.findings.first { $0.rule == .trafficErrorsAfterUp })
        XCTAssertTrue(finding.message.contains("read_item"), finding.message)
        XCTAssertTrue(finding.message.contains("column \"name\" does not exist"), finding.message)
        XCTAssertEqual(report.traffic?.baseline.errors, 0)
        XCTAssertEqual(report.verdict, .fail)
    }

    func testQueriesFailingAfterTheReleaseRollbackAreAFinding() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_title.up.sql"] = "ALTER TABLE items ADD COLUMN title text;\nUPDATE items SET title = name;"
        migrations["2_title.down.sql"] = "ALTER TABLE items DROP COLUMN name;"
        let report = try Fixture(test: self, migrations: migrations, extra: Self.traffic + "\nsession:\n  lock_timeout: 2s").run()
        let finding = try XCTUnwrap(report.findings.first { $0.rule == .releaseTrafficErrors }, "\(report.findings.map(\.message))")
        XCTAssertEqual(finding.severity, .error)
        XCTAssertTrue(finding.message.contains("read_item"), finding.message)
        XCTAssertTrue(finding.message.contains("column \"name\" does not exist"), finding.message)
    }

    func testLongTransactionMakesTheMigrationWaitAndItIsMeasured() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add.up.sql"] = "ALTER TABLE items ADD COLUMN z int;"
        migrations["2_add.down.sql"] = "ALTER TABLE items DROP COLUMN z;"
        let extra = """
            traffic:
              baseline: 100ms
              long_transactions:
                - name: nightly_report
                  sql: SELECT count(*) FROM items
                  hold: 700ms
            """
        let report = try Fixture(test: self, migrations: migrations, extra: extra).run()
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        let held = try XCTUnwrap(up.longTransactions.first)
        let wait = try XCTUnwrap(up.migrationWaits.first)
        XCTAssertEqual(wait.relation, "public.items")
        XCTAssertEqual(wait.mode, "AccessExclusiveLock")
        XCTAssertEqual(wait.waitMs, held.endedAtMs - wait.startMs, accuracy: 25, "within a couple of sampling intervals of the truth")
        XCTAssertTrue(wait.heldBy.contains { $0.contains("rehearse-long-transaction") }, "\(wait.heldBy)")
        XCTAssertTrue(report.migrations[0].findings.contains { $0.rule == .lockMigrationWaited })
    }

    func testTrafficQueryBrokenBeforeAnyMigrationIsABadScenario() throws {
        let extra = """
            traffic:
              baseline: 200ms
              queries:
                - name: broken
                  sql: SELECT nosuchcolumn FROM items WHERE id = $1
                  params: [random id from items]
            """
        var migrations = Fixture.baseMigrations
        migrations["2_x.up.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, migrations: migrations, extra: extra)
        let (report, error) = try fixture.runStopped()
        guard case .baselineFailure(let query, _)? = error as? TrafficError else { return XCTFail("\(error)") }
        XCTAssertEqual(query, "broken")
        XCTAssertEqual(report.exitCode, 2)
        XCTAssertEqual(report.migrations.map(\.status), [.notRun], "the pending migration is in the partial report")
    }

    func testStatementsAreAttributedByTheTracedRun() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_rewrite.up.sql"] = "ALTER TABLE items ADD COLUMN n int;\nALTER TABLE items ALTER COLUMN id TYPE bigint;\nUPDATE items SET n = id;"
        migrations["2_rewrite.down.sql"] = "ALTER TABLE items ALTER COLUMN id TYPE integer;\nALTER TABLE items DROP COLUMN n;"
        let report = try Fixture(test: self, migrations: migrations).run()
        let up = try XCTUnwrap(report.migrations.first?.steps.first)
        XCTAssertTrue(up.traced, up.traceNote ?? "")
        XCTAssertEqual(up.statements.map(\.command), ["ALTER TABLE", "ALTER TABLE", "UPDATE"])
        XCTAssertEqual(up.statements[2].rows, 3)
        XCTAssertTrue(up.statements[1].rewrote.contains { $0.relation == "public.items" }, "changing a column type rewrites the table")
        XCTAssertFalse(up.statements[0].rewrote.contains { $0.relation == "public.items" }, "adding a nullable column does not")
        XCTAssertTrue(up.statements[0].locks.contains { $0.relation == "public.items" && $0.mode == "AccessExclusiveLock" })
        XCTAssertTrue(up.rewrote.contains { $0.relation == "public.items" }, "the faithful run sees the rewrite too")
        XCTAssertTrue(report.migrations[0].findings.contains { $0.rule == .lockTableRewrite })
        for step in report.migrations[0].steps {
            XCTAssertFalse(step.rewrote.contains { $0.table?.contains("schema_migrations") == true }, "migrate's TRUNCATE of its table is no rewrite of the step")
        }
        // The rewrite writes the table anew, with its size read after it.
        let rewrite = try XCTUnwrap(up.rewrote.first { $0.relation == "public.items" })
        XCTAssertGreaterThan(rewrite.bytesAfter, 0)
    }

    /// The traced down runs in a transaction of its own, as migrate runs it: the up's locks,
    /// and those of the data round trip's reads, are no statement's.
    func testEachTracedFileHasOnlyItsOwnLocks() throws {
        let steps = try Fixture.steps(for: self, "2_index", up: "CREATE INDEX items_name ON items (name);", down: "COMMENT ON TABLE items IS 'no index';")
        let up = try XCTUnwrap(steps.first { $0.direction == .up }), down = try XCTUnwrap(steps.first { $0.direction == .down })
        XCTAssertTrue(up.traced && down.traced, "\(up.traceNote ?? "") / \(down.traceNote ?? "")")
        XCTAssertEqual(up.statements[0].locks.filter { $0.relation == "public.items" }.map(\.mode), ["ShareLock"], "the index build's lock, not the data read's")
        XCTAssertFalse(down.statements[0].locks.contains { $0.mode == "ShareLock" }, "the up's lock is not the down's: \(down.statements[0].locks)")
        XCTAssertTrue(down.statements[0].locks.contains { $0.relation == "public.items" }, "the comment's own lock on the table: \(down.statements[0].locks)")
    }
}
