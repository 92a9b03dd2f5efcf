import XCTest
@testable import Rehearsal

final class MigrationPlanTests: XCTestCase {
    private func migration(_ version: UInt64) -> Migration {
        Migration(
            version: version, identifier: "m\(version)",
            up: MigrationFile(path: "/m/\(version)_m.up.sql", fileName: "\(version)_m.up.sql", body: "SELECT 1;"),
            down: MigrationFile(path: "/m/\(version)_m.down.sql", fileName: "\(version)_m.down.sql", body: "SELECT 1;"))
    }

    private func directory(_ versions: [UInt64], ignored: [String] = []) -> MigrationDirectory {
        MigrationDirectory(path: "/m", migrations: versions.map(migration), ignoredFiles: ignored)
    }

    private func state(_ version: Int64, dirty: Bool = false) -> TrackingTable.State {
        TrackingTable.State(version: version, dirty: dirty)
    }

    // MARK: - make

    func testDirtyRecordedVersionIsRefused() {
        XCTAssertThrowsError(
            try MigrationPlan.make(directory: directory([1, 2, 3]), recorded: state(2, dirty: true), table: "schema_migrations")
        ) { error in
            XCTAssertEqual(error as? MigrationRunError, .dirty(version: 2, table: "schema_migrations"))
        }
    }

    func testDirtyIsReportedBeforeAMissingFile() {
        XCTAssertThrowsError(
            try MigrationPlan.make(directory: directory([1, 2]), recorded: state(7, dirty: true), table: "t")
        ) { error in
            XCTAssertEqual(error as? MigrationRunError, .dirty(version: 7, table: "t"))
        }
    }

    func testRecordedVersionWithoutAFileIsRefused() {
        XCTAssertThrowsError(
            try MigrationPlan.make(directory: directory([1, 2, 10]), recorded: state(5), table: "schema_migrations")
        ) { error in
            XCTAssertEqual(error as? MigrationRunError, .recordedVersionMissing(version: 5, directory: "/m"))
        }
    }

    func testPendingAreVersionsStrictlyAboveRecordedInAscendingOrder() throws {
        let plan = try MigrationPlan.make(
            directory: directory([1, 2, 10, 11]), recorded: state(2), table: "schema_migrations")

        XCTAssertEqual(plan.pending.map(\.version), [10, 11])
        XCTAssertEqual(plan.belowRecorded.map(\.version), [1, 2])
        XCTAssertEqual(plan.recorded, state(2))
    }

    func testNoRecordedVersionMakesEverythingPending() throws {
        let plan = try MigrationPlan.make(directory: directory([1, 2, 10]), recorded: nil, table: "schema_migrations")

        XCTAssertEqual(plan.pending.map(\.version), [1, 2, 10])
        XCTAssertEqual(plan.belowRecorded.map(\.version), [])
    }

    func testRecordedNilVersionMinusOneMakesEverythingPending() throws {
        let plan = try MigrationPlan.make(directory: directory([1, 2]), recorded: state(-1), table: "schema_migrations")

        XCTAssertEqual(plan.pending.map(\.version), [1, 2])
    }

    func testRecordedLatestVersionLeavesNothingPending() throws {
        let plan = try MigrationPlan.make(directory: directory([1, 2]), recorded: state(2), table: "schema_migrations")

        XCTAssertEqual(plan.pending.map(\.version), [])
        XCTAssertEqual(plan.belowRecorded.map(\.version), [1, 2])
    }

    func testIgnoredFilesArePassedThrough() throws {
        let plan = try MigrationPlan.make(
            directory: directory([1], ignored: ["notes.sql"]), recorded: nil, table: "schema_migrations")

        XCTAssertEqual(plan.ignoredFiles, ["notes.sql"])
    }

    // MARK: - previousVersion

    func testPreviousVersionIsTheNextLowerFileVersion() {
        let migrations = directory([1, 5, 10])

        XCTAssertEqual(MigrationPlan.previousVersion(before: migration(10), in: migrations), 5)
        XCTAssertEqual(MigrationPlan.previousVersion(before: migration(5), in: migrations), 1)
    }

    func testPreviousVersionOfTheFirstMigrationIsMinusOne() {
        XCTAssertEqual(MigrationPlan.previousVersion(before: migration(1), in: directory([1, 5, 10])), -1)
    }
}
