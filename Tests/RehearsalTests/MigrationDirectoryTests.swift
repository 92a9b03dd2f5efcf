import Foundation
import XCTest
@testable import Rehearsal

final class MigrationDirectoryTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = (NSTemporaryDirectory() as NSString).appendingPathComponent("rehearse-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if !root.isEmpty, FileManager.default.fileExists(atPath: root) {
            try FileManager.default.removeItem(atPath: root)
        }
    }

    // MARK: - Helpers

    private func write(_ name: String, _ text: String = "SELECT 1;\n") {
        write(name, bytes: Array(text.utf8))
    }

    private func write(_ name: String, bytes: [UInt8]) {
        let path = (root as NSString).appendingPathComponent(name)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "could not create \(path)")
    }

    private func makeSubdirectory(_ name: String) throws -> String {
        let path = (root as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func loadError(_ path: String, line: UInt = #line) -> MigrationDirectoryError? {
        do {
            let directory = try MigrationDirectory.load(path)
            XCTFail("expected an error, loaded \(directory.migrations.map(\.version))", line: line)
            return nil
        } catch let error as MigrationDirectoryError {
            return error
        } catch {
            XCTFail("unexpected error type: \(error)", line: line)
            return nil
        }
    }

    private func parsed(_ version: UInt64, _ identifier: String, _ direction: MigrationDirection, _ ext: String)
        -> MigrationDirectory.NameParse
    {
        .migration(MigrationDirectory.ParsedName(
            version: version, identifier: identifier, direction: direction, fileExtension: ext))
    }

    // MARK: - parse(fileName:)

    func testSimpleUpFileNameIsParsed() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "1_x.up.sql"), parsed(1, "x", .up, "sql"))
    }

    func testZeroPaddedVersionParsesAsNumberAndDownDirectionIsRecognised() {
        XCTAssertEqual(
            MigrationDirectory.parse(fileName: "000001_create_users.down.sql"),
            parsed(1, "create_users", .down, "sql"))
    }

    func testFourteenDigitTimestampVersionIsParsed() {
        XCTAssertEqual(
            MigrationDirectory.parse(fileName: "20240101120000_add.up.sql"),
            parsed(20_240_101_120_000, "add", .up, "sql"))
    }

    func testBakSuffixStillMatchesWithCompoundExtension() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "1_x.up.sql.bak"), parsed(1, "x", .up, "sql.bak"))
    }

    func testGreedyNameTakesTheLastDirectionWord() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "1_a.up.down.sql"), parsed(1, "a.up", .down, "sql"))
    }

    func testEmptyIdentifierIsAllowedByTheRegex() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "7_.up.sql"), parsed(7, "", .up, "sql"))
    }

    func testNameNotStartingWithDigitsIsIgnored() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "x_1.up.sql"), .ignored)
    }

    func testDashInsteadOfUnderscoreIsIgnored() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "1-x.up.sql"), .ignored)
    }

    func testFileWithoutDirectionIsIgnored() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "1_x.sql"), .ignored)
    }

    func testUppercaseDirectionIsIgnored() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "1_x.UP.sql"), .ignored)
    }

    func testLargestSignedVersionIsAccepted() {
        XCTAssertEqual(
            MigrationDirectory.parse(fileName: "9223372036854775807_max.up.sql"),
            parsed(UInt64(Int64.max), "max", .up, "sql"))
    }

    func testVersionAboveInt64MaxIsOutOfRange() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "9223372036854775808_x.up.sql"), .versionOutOfRange)
    }

    func testVersionOverflowingUInt64IsOutOfRange() {
        XCTAssertEqual(MigrationDirectory.parse(fileName: "18446744073709551616_x.up.sql"), .versionOutOfRange)
    }

    // MARK: - load(_:)

    func testMigrationsAreOrderedNumericallyNotLexically() throws {
        write("10_ten.up.sql")
        write("10_ten.down.sql")
        write("2_two.up.sql")
        write("2_two.down.sql")
        write("1_one.up.sql")
        write("1_one.down.sql")

        let directory = try MigrationDirectory.load(root)

        XCTAssertEqual(directory.migrations.map(\.version), [1, 2, 10])
        XCTAssertEqual(directory.migrations.map(\.identifier), ["one", "two", "ten"])
    }

    func testLoadedFilesCarryTheirBodyNameAndPath() throws {
        write("3_users.up.sql", "CREATE TABLE users (id int);\n")
        write("3_users.down.sql", "DROP TABLE users;\n")

        let migration = try XCTUnwrap(MigrationDirectory.load(root).migration(3))

        XCTAssertEqual(migration.up?.body, "CREATE TABLE users (id int);\n")
        XCTAssertEqual(migration.down?.body, "DROP TABLE users;\n")
        XCTAssertEqual(migration.up?.fileName, "3_users.up.sql")
        XCTAssertEqual(migration.up?.path, (root as NSString).appendingPathComponent("3_users.up.sql"))
    }

    func testBakFileBesideUpFileIsRefusedAsDuplicate() {
        write("1_x.up.sql")
        write("1_x.up.sql.bak")
        write("1_x.down.sql")

        guard let error = loadError(root) else { return }
        guard case .duplicate(let version, let direction, let first, let second) = error else {
            return XCTFail("expected .duplicate, got \(error)")
        }
        XCTAssertEqual(version, 1)
        XCTAssertEqual(direction, .up)
        XCTAssertEqual(Set([first, second]), ["1_x.up.sql", "1_x.up.sql.bak"])
    }

    func testDifferentlyPaddedVersionsAreTheSameVersionAndRefused() {
        write("01_a.down.sql")
        write("1_b.down.sql")

        guard let error = loadError(root) else { return }
        guard case .duplicate(let version, let direction, let first, let second) = error else {
            return XCTFail("expected .duplicate, got \(error)")
        }
        XCTAssertEqual(version, 1)
        XCTAssertEqual(direction, .down)
        XCTAssertEqual(Set([first, second]), ["01_a.down.sql", "1_b.down.sql"])
    }

    func testDuplicateErrorDescriptionNamesBothFiles() {
        let error = MigrationDirectoryError.duplicate(version: 1, direction: .up, first: "1_x.up.sql", second: "1_x.up.sql.bak")
        XCTAssertTrue(error.description.contains("1_x.up.sql and 1_x.up.sql.bak"), error.description)
    }

    func testUpWithoutDownLoadsWithNilDown() throws {
        write("1_only_up.up.sql", "CREATE TABLE a (id int);\n")

        let migration = try XCTUnwrap(MigrationDirectory.load(root).migration(1))

        XCTAssertNotNil(migration.up)
        XCTAssertNil(migration.down)
        XCTAssertEqual(migration.identifier, "only_up")
    }

    func testDownWithoutUpLoadsWithNilUp() throws {
        write("2_only_down.down.sql", "DROP TABLE a;\n")

        let migration = try XCTUnwrap(MigrationDirectory.load(root).migration(2))

        XCTAssertNil(migration.up)
        XCTAssertEqual(migration.down?.fileName, "2_only_down.down.sql")
        XCTAssertEqual(migration.identifier, "only_down")
    }

    func testUnrecognisedSQLFilesAreListedAsIgnoredButOtherFilesAreNot() throws {
        write("1_x.up.sql")
        write("1_x.down.sql")
        write("2_forgot_direction.sql")
        write("notes.sql")
        write("README.md", "# migrations\n")

        let directory = try MigrationDirectory.load(root)

        XCTAssertEqual(directory.ignoredFiles.sorted(), ["2_forgot_direction.sql", "notes.sql"])
        XCTAssertEqual(directory.migrations.map(\.version), [1])
    }

    func testSubdirectoriesAreSkippedEvenWithMigrationLikeNames() throws {
        write("1_x.up.sql")
        _ = try makeSubdirectory("2_folder.up.sql")
        let archive = try makeSubdirectory("archive")
        XCTAssertTrue(FileManager.default.createFile(
            atPath: (archive as NSString).appendingPathComponent("3_old.up.sql"), contents: Data("SELECT 1;".utf8)))

        let directory = try MigrationDirectory.load(root)

        XCTAssertEqual(directory.migrations.map(\.version), [1])
        XCTAssertEqual(directory.ignoredFiles, [])
    }

    func testInvalidUTF8IsReportedWithItsByteOffset() {
        write("1_bad.up.sql", bytes: Array("SELECT 1;".utf8) + [0xFF])
        let path = (root as NSString).appendingPathComponent("1_bad.up.sql")

        XCTAssertEqual(loadError(root), .notUTF8(file: path, byteOffset: 9))
    }

    func testInvalidUTF8OffsetCountsBytesNotCharacters() {
        // "é" is two bytes, so the bad byte after "SELECT 'é" sits at byte 10, character 9.
        write("1_bad.up.sql", bytes: Array("SELECT 'é".utf8) + [0xC3, 0x28])
        let path = (root as NSString).appendingPathComponent("1_bad.up.sql")

        XCTAssertEqual(loadError(root), .notUTF8(file: path, byteOffset: 10))
    }

    func testVersionOutOfRangeFileIsRefusedWithItsPath() {
        write("9223372036854775808_huge.up.sql")
        let path = (root as NSString).appendingPathComponent("9223372036854775808_huge.up.sql")

        XCTAssertEqual(loadError(root), .versionOutOfRange(file: path))
    }

    func testMissingDirectoryIsNotADirectory() {
        let missing = (root as NSString).appendingPathComponent("does-not-exist")

        XCTAssertEqual(loadError(missing), .notADirectory(path: missing))
    }

    func testRegularFileIsNotADirectory() {
        write("1_x.up.sql")
        let file = (root as NSString).appendingPathComponent("1_x.up.sql")

        XCTAssertEqual(loadError(file), .notADirectory(path: file))
    }
}

final class MigrationDirectoryValidationTests: XCTestCase {
    private func directory(_ files: [String]) throws -> MigrationDirectory {
        let path = NSTemporaryDirectory() + "rehearse-validate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        for file in files { try Data("SELECT 1;".utf8).write(to: URL(fileURLWithPath: path + "/" + file)) }
        return try MigrationDirectory.load(path)
    }

    func testFileThatLooksLikeAMigrationButIsIgnoredIsRefused() throws {
        let loaded = try directory(["1_a.up.sql", "1_a.down.sql", "2-add-index.up.sql"])
        XCTAssertThrowsError(try loaded.validate()) { error in
            guard case .unrecognisedName(let file)? = error as? MigrationDirectoryError else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("2-add-index.up.sql"))
        }
    }

    func testUnrelatedSQLFileIsOnlyAWarning() throws {
        let loaded = try directory(["1_a.up.sql", "1_a.down.sql", "notes.sql"])
        XCTAssertNoThrow(try loaded.validate())
        XCTAssertEqual(loaded.ignoredFiles, ["notes.sql"])
    }

    func testNameMigrateReadsDifferentlyIsRefused() throws {
        let loaded = try directory(["1_a.up.sql", "1_a.up.down.sql"])
        XCTAssertThrowsError(try loaded.validate()) { error in
            guard case .ambiguousName(let file, let readAs)? = error as? MigrationDirectoryError else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("1_a.up.down.sql"))
            XCTAssertTrue(readAs.contains("down"), readAs)
        }
    }

    func testDownWithoutUpIsRefused() throws {
        let loaded = try directory(["1_a.up.sql", "1_a.down.sql", "2_b.down.sql"])
        XCTAssertThrowsError(try loaded.validate()) { error in
            XCTAssertEqual((error as? MigrationDirectoryError).map { "\($0)" }?.contains("2_b.down.sql"), true)
        }
    }

    func testUpWithoutDownIsAllowed() throws {
        XCTAssertNoThrow(try directory(["1_a.up.sql"]).validate())
    }
}
