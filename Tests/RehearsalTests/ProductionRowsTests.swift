import XCTest
@testable import Rehearsal

final class ProductionRowsTests: XCTestCase {
    private let tables = SnapshotTables(tables: [
        .init(schema: "public", name: "clips", qualified: "public.clips", rows: 300_000),
        .init(schema: "Sales", name: "Orders", qualified: "\"Sales\".\"Orders\"", rows: 10),
        .init(schema: "public", name: "user", qualified: "public.\"user\"", rows: 5),
    ])

    func testNamesResolveAsWrittenOrAsSQLReadsThem() {
        XCTAssertEqual(tables.table(named: "public.clips")?.qualified, "public.clips")
        XCTAssertEqual(tables.table(named: "PUBLIC.Clips")?.qualified, "public.clips", "unquoted SQL names fold to lower case")
        XCTAssertEqual(tables.table(named: "\"Sales\".\"Orders\"")?.qualified, "\"Sales\".\"Orders\"")
        XCTAssertEqual(tables.table(named: "Sales.Orders")?.qualified, "\"Sales\".\"Orders\"", "as a manifest writes it")
        XCTAssertEqual(tables.table(named: "user")?.qualified, "public.\"user\"")
        XCTAssertNil(tables.table(named: "public.clipz"))
    }

    func testTheScenarioOverridesTheManifestAndAnUnknownTableIsSaid() {
        let manifest = SnapshotManifest(
            serverVersion: "15", serverVersionNum: 150000, dumpedAt: "", database: "d", trackingTable: "t",
            recordedVersion: 1, dirty: false, tables: [.init(name: "public.clips", rows: 1_000_000, bytes: 0), .init(name: "Sales.Orders", rows: 77, bytes: 0)],
            sha256: "")
        let resolved = ProductionRows.resolve(
            ["public.clips": 40_000_000, "public.clipz": 5], scenarioFile: "/s.yaml", manifest: manifest, tables: tables)
        XCTAssertEqual(resolved.rows, ["public.clips": 40_000_000, "\"Sales\".\"Orders\"": 77])
        XCTAssertEqual(resolved.findings.map(\.rule), [.productionRowsUnknown])
        XCTAssertTrue(resolved.findings.first?.message.contains("public.clipz") ?? false)
    }
}
