import XCTest
@testable import Rehearsal

final class MigrationExecutorTests: XCTestCase {
    private func pieces(_ body: String) -> [String] {
        MigrationExecutor.multiStatementPieces(body)
    }

    func testCutsAfterEachSemicolonKeepingTheDelimiter() {
        XCTAssertEqual(
            pieces("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);"),
            ["CREATE TABLE a (x int);", "\nINSERT INTO a VALUES (1);"])
    }

    func testSemicolonInsideQuotesIsCutLikeGolangMigrate() {
        XCTAssertEqual(pieces("SELECT ';';"), ["SELECT ';", "';"])
    }

    func testSemicolonInsideDollarBodyIsCutLikeGolangMigrate() {
        XCTAssertEqual(
            pieces("DO $$ BEGIN PERFORM 1; END $$;"),
            ["DO $$ BEGIN PERFORM 1;", " END $$;"])
    }

    func testSemicolonInsideCommentIsCut() {
        XCTAssertEqual(pieces("-- a; b\nSELECT 1;"), ["-- a;", " b\nSELECT 1;"])
    }

    func testTrailingTextWithoutSemicolonIsALastPiece() {
        XCTAssertEqual(pieces("SELECT 1;\nSELECT 2"), ["SELECT 1;", "\nSELECT 2"])
        XCTAssertEqual(pieces("SELECT 1;\n"), ["SELECT 1;", "\n"])
    }

    func testConsecutiveSemicolonsGiveOnePieceEach() {
        XCTAssertEqual(pieces("a;;b"), ["a;", ";", "b"])
    }

    func testEmptyBodyHasNoPieces() {
        XCTAssertEqual(pieces(""), [])
    }

    func testPiecesJoinBackToTheOriginalBody() {
        let bodies = [
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- done;\n",
            "INSERT INTO t VALUES ('a;b', 'é;🐘');\nUPDATE t SET a = 'x'",
            ";;;",
        ]
        for body in bodies {
            let cut = pieces(body)
            XCTAssertEqual(cut.joined(), body)
            XCTAssertEqual(cut.count, body.filter { $0 == ";" }.count + (body.hasSuffix(";") ? 0 : 1), body)
            XCTAssertTrue(cut.dropLast().allSatisfy { $0.hasSuffix(";") }, "\(cut)")
        }
    }
}
