import XCTest
@testable import Rehearsal

final class ScenarioTests: XCTestCase {
    private let file = "/tmp/x/s.yaml"

    private let minimal = """
        name: orders
        snapshot: snap.sql.zst
        migrations: db/migrations

        """

    /// Parses `yaml` expecting a ScenarioError.
    private func parseError(_ yaml: String, sourceLine: UInt = #line) -> ScenarioError? {
        do {
            let scenario = try Scenario.parse(yaml, file: file)
            XCTFail("expected an error, parsed \(scenario.name)", line: sourceLine)
        } catch let error as ScenarioError {
            XCTAssertEqual(error.file, file, line: sourceLine)
            return error
        } catch {
            XCTFail("unexpected error type: \(error)", line: sourceLine)
        }
        return nil
    }

    // MARK: - Valid scenarios

    func testFullScenarioReadsEveryKey() throws {
        let yaml = """
            name: orders rehearsal
            snapshot: ../snap.sql.zst
            migrations: db/migrations
            tracking_table: orders_schema_migrations
            mode: multi-statement
            session:
              statement_timeout: "0"
              lock_timeout: 5s
              application_name: rehearse
            step_timeout: 10m
            budgets:
              step_duration: 90s
              down_slower_factor: 4
              lock_hold: 250ms
              traffic_blocked: 1s

            """
        let scenario = try Scenario.parse(yaml, file: file)

        XCTAssertEqual(scenario.file, file)
        XCTAssertEqual(scenario.name, "orders rehearsal")
        XCTAssertEqual(scenario.snapshotPath, "/tmp/snap.sql.zst")
        XCTAssertEqual(scenario.migrationsPath, "/tmp/x/db/migrations")
        XCTAssertEqual(scenario.trackingTable, "orders_schema_migrations")
        XCTAssertEqual(scenario.mode, .multiStatement)
        XCTAssertEqual(scenario.session.map { $0.name }, ["statement_timeout", "lock_timeout", "application_name"])
        XCTAssertEqual(scenario.session.map { $0.value }, ["0", "5s", "rehearse"])
        XCTAssertEqual(scenario.stepTimeout, 600)
        XCTAssertEqual(scenario.budgets.stepDuration, 90)
        XCTAssertEqual(scenario.budgets.downSlowerFactor, 4)
        XCTAssertEqual(scenario.budgets.lockHold, 0.25)
        XCTAssertEqual(scenario.budgets.trafficBlocked, 1)
    }

    func testAbsolutePathsAreKept() throws {
        let yaml = """
            name: orders
            snapshot: /data/snapshots/prod.sql.zst
            migrations: /srv/app/migrations

            """
        let scenario = try Scenario.parse(yaml, file: file)

        XCTAssertEqual(scenario.snapshotPath, "/data/snapshots/prod.sql.zst")
        XCTAssertEqual(scenario.migrationsPath, "/srv/app/migrations")
    }

    func testOmittedKeysTakeTheirDefaults() throws {
        let scenario = try Scenario.parse(minimal, file: file)

        XCTAssertEqual(scenario.snapshotPath, "/tmp/x/snap.sql.zst")
        XCTAssertEqual(scenario.trackingTable, "schema_migrations")
        XCTAssertEqual(scenario.mode, .wholeFile)
        XCTAssertTrue(scenario.session.isEmpty)
        XCTAssertNil(scenario.stepTimeout)
        XCTAssertEqual(scenario.budgets.stepDuration, 180)
        XCTAssertEqual(scenario.budgets.downSlowerFactor, 10)
        XCTAssertEqual(scenario.budgets, Budgets())
    }

    func testSevenDaysIsTheLargestAcceptedDuration() throws {
        let scenario = try Scenario.parse(minimal + "step_timeout: 168h\n", file: file)
        XCTAssertEqual(scenario.stepTimeout, 604_800)
    }

    // MARK: - Unknown keys and wrong types

    func testUnknownTopLevelKeyIsNamedWithItsLine() {
        let error = parseError(minimal + "snapshto: typo.sql.zst\n")
        XCTAssertEqual(error?.key, "snapshto")
        XCTAssertEqual(error?.line, 4)
    }

    func testUnknownBudgetsKeyIsNamedWithItsPath() {
        let error = parseError(minimal + "budgets:\n  step_duration: 30s\n  xyz: 1\n")
        XCTAssertEqual(error?.key, "budgets.xyz")
        XCTAssertEqual(error?.line, 6)
    }

    func testMigrationsGivenAsAListIsATypeErrorNamingMigrations() {
        let yaml = """
            name: orders
            snapshot: snap.sql.zst
            migrations:
              - db/one
              - db/two

            """
        let error = parseError(yaml)
        XCTAssertEqual(error?.key, "migrations")
        XCTAssertEqual(error?.problem, "must be a text value")
    }

    func testMissingRequiredKeyIsNamed() {
        let error = parseError("name: orders\nsnapshot: snap.sql.zst\n")
        XCTAssertEqual(error?.key, "migrations")
        XCTAssertEqual(error?.problem, "is required")
    }

    func testTopLevelListIsRefused() {
        let error = parseError("- name: orders\n")
        XCTAssertNil(error?.key)
        XCTAssertEqual(error?.problem.contains("mapping"), true)
    }

    func testInvalidSessionSettingNameIsRefused() {
        let error = parseError(minimal + "session:\n  bad-name: 1\n")
        XCTAssertEqual(error?.key, "session.bad-name")
        XCTAssertEqual(error?.line, 5)
    }

    func testOverlongNameIsRefused() {
        let error = parseError("name: \(String(repeating: "n", count: 61))\nsnapshot: s\nmigrations: m\n")
        XCTAssertEqual(error?.key, "name")
        XCTAssertEqual(error?.line, 1)
    }

    // MARK: - Bad values

    func testUnknownModeIsRefusedWithItsLine() {
        let error = parseError(minimal + "mode: parallel\n")
        XCTAssertEqual(error?.key, "mode")
        XCTAssertEqual(error?.line, 4)
        XCTAssertEqual(error?.problem.contains("parallel"), true)
    }

    func testDurationWithUnknownUnitIsRefused() {
        let error = parseError(minimal + "budgets:\n  step_duration: 5 parsecs\n")
        XCTAssertEqual(error?.key, "budgets.step_duration")
        XCTAssertEqual(error?.line, 5)
        XCTAssertEqual(error?.problem.contains("is not a duration"), true)
    }

    func testNegativeDurationIsOutOfRange() {
        let error = parseError(minimal + "step_timeout: -5s\n")
        XCTAssertEqual(error?.key, "step_timeout")
        XCTAssertEqual(error?.problem.contains("out of range"), true)
    }

    func testZeroDurationIsOutOfRange() {
        let error = parseError(minimal + "step_timeout: 0s\n")
        XCTAssertEqual(error?.key, "step_timeout")
        XCTAssertEqual(error?.problem.contains("out of range"), true)
    }

    func testDurationLongerThanSevenDaysIsOutOfRange() {
        let error = parseError(minimal + "budgets:\n  step_duration: 169h\n")
        XCTAssertEqual(error?.key, "budgets.step_duration")
        XCTAssertEqual(error?.problem.contains("out of range"), true)
    }

    func testDownSlowerFactorOutsideItsRangeIsRefused() {
        let error = parseError(minimal + "budgets:\n  down_slower_factor: 0.5\n")
        XCTAssertEqual(error?.key, "budgets.down_slower_factor")
    }

    // MARK: - Not YAML at all

    func testInvalidYAMLIsReportedWithItsLine() {
        let error = parseError("name: orders\nsnapshot: snap.sql.zst\n  bad: indentation\nmigrations: m\n")
        XCTAssertEqual(error?.line, 3)
        XCTAssertEqual(error?.problem.hasPrefix("not valid YAML"), true)
    }

    func testEmptyFileIsRefused() {
        let error = parseError("")
        XCTAssertEqual(error?.problem.contains("empty"), true)
    }

    func testErrorDescriptionNamesFileLineAndKey() {
        let error = ScenarioError(file: "/tmp/x/s.yaml", key: "mode", line: 4, problem: "unknown mode")
        XCTAssertEqual(error.description, "/tmp/x/s.yaml:4: key `mode`: unknown mode")
    }
}
