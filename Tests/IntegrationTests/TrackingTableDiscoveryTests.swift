import Foundation
import XCTest
@testable import Rehearsal

/// A scenario that names no tracking table rehearses against the one of migrate's shape in
/// the snapshot, says so, and refuses to guess between several.
final class TrackingTableDiscoveryTests: XCTestCase {
    private let migrations = [
        "1_create_items.up.sql": "CREATE TABLE items (id int PRIMARY KEY, name text);",
        "1_create_items.down.sql": "DROP TABLE items;",
        "2_add_price.up.sql": "ALTER TABLE items ADD COLUMN price int;",
        "2_add_price.down.sql": "ALTER TABLE items DROP COLUMN price;",
    ]

    private func dump(adding extra: String) -> String {
        Fixture.dump.replacingOccurrences(
            of: "CREATE TABLE public._schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL);",
            with: "CREATE TABLE public._schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL);\n" + extra)
    }

    func testTheOneTableOfMigratesShapeIsUsedAndNamedInTheReport() throws {
        let fixture = try Fixture(test: self, migrations: migrations, trackingTable: nil)
        XCTAssertFalse(try fixture.scenario().trackingTableGiven)
        let report = try fixture.run()
        XCTAssertNil(report.failure, report.failure ?? "")
        XCTAssertEqual(report.scenario.trackingTable, "_schema_migrations")
        XCTAssertEqual(report.scenario.trackingTableFound, true)
        XCTAssertEqual(report.startVersion, 1, "the snapshot's recorded version, not \"none\"")
        XCTAssertEqual(report.migrations.map(\.version), [2])
        XCTAssertTrue(MarkdownReport.render(report).contains("`_schema_migrations` (found in the snapshot)"))
    }

    func testSchemaMigrationsComesFirst() throws {
        let dump = dump(adding: "CREATE TABLE public.schema_migrations (version integer NOT NULL, dirty boolean NOT NULL);")
        let fixture = try Fixture(test: self, dump: dump, migrations: migrations, trackingTable: nil)
        let report = try fixture.run()
        XCTAssertEqual(report.scenario.trackingTable, "schema_migrations")
        XCTAssertNil(report.startVersion, "that table has no row")
    }

    func testSeveralCandidatesAreAnErrorThatListsThemAndTheKey() throws {
        let dump = dump(adding: "CREATE TABLE public.audit_migrations (version bigint, dirty boolean, note text);")
        let fixture = try Fixture(test: self, dump: dump, migrations: migrations, trackingTable: nil)
        let (report, error) = try fixture.runStopped()
        let problem = try XCTUnwrap(error as? ScenarioError)
        XCTAssertEqual(problem.key, "tracking_table")
        XCTAssertTrue(problem.problem.contains("public._schema_migrations, public.audit_migrations"), problem.problem)
        XCTAssertEqual(report.failureKind, .input)
    }

    func testNamingTheTableSkipsTheSearch() throws {
        let dump = dump(adding: "CREATE TABLE public.audit_migrations (version bigint, dirty boolean, note text);")
        let report = try Fixture(test: self, dump: dump, migrations: migrations).run()
        XCTAssertNil(report.failure, report.failure ?? "")
        XCTAssertNil(report.scenario.trackingTableFound)
    }

    func testATableOfTheShapeInAnotherSchemaIsNamedInMigratesQuotedForm() {
        let outcome = TrackingTableDiscovery.choose([.init(schema: "app", name: "_schema_migrations", inCurrentSchema: false)])
        guard case .found(let candidate) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(candidate.setting, "\"app\".\"_schema_migrations\"")
        XCTAssertEqual(try TrackingTable.parse(candidate.setting), TrackingTable(name: "_schema_migrations", schema: "app"))
        XCTAssertEqual(TrackingTableDiscovery.choose([]), .none)
        let two = [
            TrackingTableDiscovery.Candidate(schema: "app", name: "schema_migrations", inCurrentSchema: false),
            TrackingTableDiscovery.Candidate(schema: "billing", name: "schema_migrations", inCurrentSchema: false),
        ]
        XCTAssertEqual(TrackingTableDiscovery.choose(two), .ambiguous(two))
        XCTAssertEqual(TrackingTableDiscovery.choose(two + [.init(schema: "public", name: "schema_migrations", inCurrentSchema: true)]),
                       .found(.init(schema: "public", name: "schema_migrations", inCurrentSchema: true)))
    }
}
