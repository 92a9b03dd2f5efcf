import XCTest
@testable import Rehearsal

final class MigrationTests: XCTestCase {
    private func file(_ body: String) -> MigrationFile {
        MigrationFile(path: "/m/1_x.up.sql", fileName: "1_x.up.sql", body: body)
    }

    func testEmptyBodyIsBlankAndNotCommentOnly() {
        XCTAssertTrue(file("").isBlank)
        XCTAssertFalse(file("").isCommentOnly)
    }

    func testWhitespaceOnlyBodyIsBlankAndNotCommentOnly() {
        let whitespace = file("  \n\t\n\r\n")
        XCTAssertTrue(whitespace.isBlank)
        XCTAssertFalse(whitespace.isCommentOnly)
    }

    func testLineAndBlockCommentsMakeACommentOnlyBody() {
        let noOp = file("-- no-op\n/* c */")
        XCTAssertFalse(noOp.isBlank)
        XCTAssertTrue(noOp.isCommentOnly)
    }

    func testNestedBlockCommentSpanningLinesIsCommentOnly() {
        XCTAssertTrue(file("/* outer\n /* inner */\n still comment */\n").isCommentOnly)
    }

    func testApostropheInsideCommentDoesNotOpenAString() {
        XCTAssertTrue(file("-- don't run anything\n-- it's a no-op\n").isCommentOnly)
    }

    func testStatementAfterCommentIsNeitherBlankNorCommentOnly() {
        let body = file("-- add users\nCREATE TABLE users (id int);\n")
        XCTAssertFalse(body.isBlank)
        XCTAssertFalse(body.isCommentOnly)
    }

    func testStatementWithoutSemicolonIsNotCommentOnly() {
        XCTAssertFalse(file("/* c */ SELECT 1").isCommentOnly)
    }

    func testDashesInsideAStringAreNotAComment() {
        XCTAssertFalse(file("SELECT '-- not a comment';").isCommentOnly)
    }

    func testMigrationFileLookupByDirection() {
        let up = file("SELECT 1;")
        let down = MigrationFile(path: "/m/1_x.down.sql", fileName: "1_x.down.sql", body: "SELECT 2;")
        let migration = Migration(version: 1, identifier: "x", up: up, down: down)

        XCTAssertEqual(migration.file(.up), up)
        XCTAssertEqual(migration.file(.down), down)
        XCTAssertNil(Migration(version: 2, identifier: "y", up: up, down: nil).file(.down))
    }
}
