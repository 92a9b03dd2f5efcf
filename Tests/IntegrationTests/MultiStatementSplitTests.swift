import Foundation
import XCTest
@testable import Rehearsal

/// migrate's multi-statement mode splits after every ';': a file it breaks fails as under
/// migrate, the finding says why, and a comment it splits is no empty down.
final class MultiStatementSplitTests: XCTestCase {
    func testAFunctionBodyMigratesSplitBreaksFailsWithAdviceThatSaysSo() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_fn.up.sql"] = "CREATE FUNCTION public.two() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 2;\nEND;\n$$;\n"
        migrations["2_fn.down.sql"] = "DROP FUNCTION public.two();"
        let report = try Fixture(test: self, migrations: migrations, extra: "mode: multi-statement").run()
        let failed = try XCTUnwrap(report.migrations.first { $0.version == 2 }?.findings.first { $0.rule == .stepFailed })
        XCTAssertEqual(failed.step, .up)
        XCTAssertTrue(failed.advice?.contains("splits the file after every ';'") == true, failed.advice ?? "")
        XCTAssertTrue(failed.advice?.contains("2_fn.up.sql:3") == true, failed.advice ?? "")
    }

    func testACommentOnlyDownWithASemicolonIsRehearsedNotCalledEmpty() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add.up.sql"] = "ALTER TABLE items ADD COLUMN extra int;"
        migrations["2_add.down.sql"] = "-- keep the column; it is harmless\n"
        let report = try Fixture(test: self, migrations: migrations, extra: "mode: multi-statement").run()
        let migration = try XCTUnwrap(report.migrations.first { $0.version == 2 })
        XCTAssertFalse(migration.findings.contains { $0.rule == .downEmpty }, "\(migration.findings.map(\.rule))")
        let failed = try XCTUnwrap(migration.findings.first { $0.rule == .stepFailed }, "its second piece is no comment: migrate fails on it")
        XCTAssertEqual(failed.step, .down)
        XCTAssertTrue(failed.advice?.contains("inside a comment") == true, failed.advice ?? "")
    }
}
