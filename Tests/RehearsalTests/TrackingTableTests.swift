import XCTest
@testable import Rehearsal

final class TrackingTableTests: XCTestCase {
    func testThePlainFormIsOneTableNameDotsAndAll() throws {
        XCTAssertEqual(try TrackingTable.parse("_schema_migrations"), TrackingTable(name: "_schema_migrations"))
        XCTAssertEqual(try TrackingTable.parse("app.schema_migrations"), TrackingTable(name: "app.schema_migrations"), "migrate quotes it as one identifier")
    }

    func testTheQuotedFormNamesASchemaAndATable() throws {
        XCTAssertEqual(try TrackingTable.parse("\"app\".\"schema_migrations\""), TrackingTable(name: "schema_migrations", schema: "app"))
        XCTAssertEqual(try TrackingTable.parse("\"schema_migrations\""), TrackingTable(name: "schema_migrations"))
        XCTAssertThrowsError(try TrackingTable.parse("\"app\".schema_migrations")) { error in
            XCTAssertEqual(error as? TrackingTableNameError, .unbalancedQuotes)
        }
        XCTAssertThrowsError(try TrackingTable.parse("\"a\".\"b\".\"c\"")) { error in
            XCTAssertEqual(error as? TrackingTableNameError, .tooManyParts)
        }
    }

    func testAScenarioRefusesATrackingTableMigrateWouldRefuse() {
        XCTAssertThrowsError(try Scenario.parse("name: s\nsnapshot: s\nmigrations: m\ntracking_table: '\"a\".\"b\".\"c\"'\n", file: "/tmp/s.yaml")) { error in
            XCTAssertEqual((error as? ScenarioError)?.key, "tracking_table")
        }
    }

    func testQualifiedNamesAreQuotedOnceTheSchemaIsFixed() {
        XCTAssertEqual(TrackingTable(name: "schema_migrations", schema: "app").qualified, "\"app\".\"schema_migrations\"")
    }
}
