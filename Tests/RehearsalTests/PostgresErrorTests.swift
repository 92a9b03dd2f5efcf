import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class PostgresErrorTests: XCTestCase {
    private func error(position: Int?) -> PostgresError {
        PostgresError(
            kind: .server, sqlState: "42703", message: "column \"nope\" does not exist\n",
            detail: "no such column", hint: "check the spelling", position: position)
    }

    func testPositionOnTheFirstLineGivesLineOneAndItsColumn() {
        let located = error(position: 8).located(in: "SELECT nope FROM t;", file: "1_x.up.sql")

        XCTAssertEqual(located.file, "1_x.up.sql")
        XCTAssertEqual(located.line, 1)
        XCTAssertEqual(located.column, 8)
    }

    func testPositionOnALaterLineCountsCharactersIncludingMultiByteOnes() {
        // Line 2 is "SELECT 'é🐘', nope;": é and 🐘 are one character each (2 and 4 bytes).
        let script = "SELECT 1;\nSELECT 'é🐘', nope;\n"
        let located = error(position: 24).located(in: script, file: "m.sql")

        XCTAssertEqual(located.line, 2)
        XCTAssertEqual(located.column, 14)
    }

    func testCombiningMarkCountsAsItsOwnCharacterAsPostgreSQLDoes() {
        // "e" + U+0301 is one grapheme in Swift but two characters (code points) to the server.
        let script = "SELECT 'e\u{301}', nope;"
        let located = error(position: 14).located(in: script, file: "m.sql")

        XCTAssertEqual(located.line, 1)
        XCTAssertEqual(located.column, 14)
    }

    func testPositionRightAfterANewlineIsColumnOneOfTheNextLine() {
        let located = error(position: 4).located(in: "a;\nbad;\n", file: "m.sql")

        XCTAssertEqual(located.line, 2)
        XCTAssertEqual(located.column, 1)
    }

    func testWithoutPositionOnlyTheFileIsSet() {
        let located = error(position: nil).located(in: "SELECT 1;\nSELECT 2;", file: "m.sql")

        XCTAssertEqual(located.file, "m.sql")
        XCTAssertNil(located.line)
        XCTAssertNil(located.column)
    }

    func testDescriptionNamesFileLineColumnSQLStateDetailAndHint() {
        let located = error(position: 24).located(in: "SELECT 1;\nSELECT 'é🐘', nope;\n", file: "db/1_x.up.sql")
        let text = located.description

        XCTAssertTrue(text.hasPrefix("db/1_x.up.sql:2:14: column \"nope\" does not exist"), text)
        XCTAssertTrue(text.contains("(SQLSTATE 42703)"), text)
        XCTAssertTrue(text.contains("Detail: no such column"), text)
        XCTAssertTrue(text.contains("Hint: check the spelling"), text)
        XCTAssertFalse(text.contains("\n"), "the message's trailing newline is trimmed: \(text.debugDescription)")
    }

    func testDescriptionWithoutFileStartsWithTheMessage() {
        let plain = PostgresError(kind: .connection, message: "connection refused")
        XCTAssertEqual(plain.description, "connection refused")
    }

    func testQueryCanceledAndLockTimeoutAreRecognisedBySQLState() {
        XCTAssertTrue(PostgresError(kind: .server, sqlState: "57014", message: "canceling statement").isQueryCanceled)
        XCTAssertTrue(PostgresError(kind: .server, sqlState: "55P03", message: "lock timeout").isLockTimeout)
        XCTAssertFalse(PostgresError(kind: .server, sqlState: "42703", message: "x").isQueryCanceled)
    }
}
