import Foundation
import XCTest
@testable import Rehearsal

/// A run's scenario from a file, ./rehearse.yaml or the command line alone, and the file
/// `rehearse init` writes.
final class ScenarioSourceTests: XCTestCase {
    private func project() throws -> String {
        let directory = (try temporaryPath("x") as NSString).deletingLastPathComponent + "/shop-backend"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func testTheCommandLineAloneMakesAScenarioWithTheDefaults() throws {
        let here = try project()
        let scenario = try ScenarioSource(snapshot: "nightly.dump", migrations: "backend/migrations").load(workingDirectory: here)
        XCTAssertEqual(scenario.name, "shop-backend")
        XCTAssertEqual(scenario.snapshotPath, here + "/nightly.dump")
        XCTAssertEqual(scenario.migrationsPath, here + "/backend/migrations")
        XCTAssertFalse(scenario.trackingTableGiven, "the tracking table is looked for in the snapshot")
        XCTAssertEqual(scenario.mode, .wholeFile)
        XCTAssertEqual(scenario.budgets, Budgets())
    }

    func testWithoutAnythingTheErrorSaysWhatToGive() throws {
        let here = try project()
        XCTAssertThrowsError(try ScenarioSource().load(workingDirectory: here)) { error in
            XCTAssertTrue("\(error)".contains("--snapshot FILE and --migrations DIR are missing"), "\(error)")
            XCTAssertTrue("\(error)".contains("rehearse init"), "\(error)")
        }
        XCTAssertThrowsError(try ScenarioSource(snapshot: "a.dump").load(workingDirectory: here)) { error in
            XCTAssertTrue("\(error)".contains("--migrations DIR is missing"), "\(error)")
        }
    }

    func testRehearseYamlIsUsedAndOptionsTakeThePlaceOfItsKeys() throws {
        let here = try project()
        try "name: shop\nsnapshot: old.sql.zst\nmigrations: db\ntracking_table: _schema_migrations\n".write(
            toFile: here + "/rehearse.yaml", atomically: true, encoding: .utf8)
        let plain = try ScenarioSource().load(workingDirectory: here)
        XCTAssertEqual(plain.name, "shop")
        XCTAssertEqual(plain.snapshotPath, here + "/old.sql.zst")
        let overridden = try ScenarioSource(snapshot: "/backups/tonight.dump", trackingTable: "\"app\".\"versions\"", mode: "multi-statement")
            .load(workingDirectory: here)
        XCTAssertEqual(overridden.snapshotPath, "/backups/tonight.dump")
        XCTAssertEqual(overridden.tracking, TrackingTable(name: "versions", schema: "app"))
        XCTAssertEqual(overridden.mode, .multiStatement)
        XCTAssertEqual(overridden.migrationsPath, here + "/db")
        XCTAssertThrowsError(try ScenarioSource(mode: "batch").load(workingDirectory: here)) { error in
            XCTAssertEqual((error as? ScenarioError)?.key, "--mode")
        }
        XCTAssertThrowsError(try ScenarioSource(trackingTable: "\"a\".\"b\".\"c\"").load(workingDirectory: here)) { error in
            XCTAssertEqual((error as? ScenarioError)?.key, "--tracking-table")
        }
    }

    func testTheInitTemplateNamesEveryKeyAndHoldsTheParsersDefaults() throws {
        let text = ScenarioTemplate.text(name: "shop", snapshot: "backups/it's.dump", migrations: "db/migrations")
        let scenario = try Scenario.parse(text, file: "/project/rehearse.yaml")
        XCTAssertEqual(scenario.snapshotPath, "/project/backups/it's.dump")
        XCTAssertEqual(scenario.budgets, Budgets())
        XCTAssertEqual(scenario.dataCheck, .touched)
        XCTAssertEqual(scenario.dataCheckRows, 100_000)
        XCTAssertTrue(scenario.releaseRollback)
        XCTAssertFalse(scenario.trackingTableGiven)
        let keys = Scenario.topLevelKeys + Scenario.budgetKeys + Scenario.trafficKeys + Scenario.queryKeys + Scenario.longTransactionKeys
        for key in keys {
            XCTAssertNotNil(text.range(of: #"(?m)^[# ]*-? *\#(key):"#, options: .regularExpression), "the template lacks \(key)")
        }
        // Uncommenting the example sections gives a valid scenario too.
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let rest = line.dropFirst(2)
            return line.hasPrefix("# ") && rest.range(of: #"^ *-? *[a-z_.]+:"#, options: .regularExpression) != nil ? String(rest) : String(line)
        }.joined(separator: "\n")
        let full = try Scenario.parse(uncommented, file: "/project/rehearse.yaml")
        XCTAssertEqual(full.traffic?.queries.count, 1)
        XCTAssertEqual(full.traffic?.longTransactions.count, 1)
        XCTAssertEqual(full.productionRows["public.orders"], 40_000_000)
        XCTAssertEqual(full.stepTimeout, 300)
        XCTAssertTrue(full.trackingTableGiven)
    }
}
