import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class ConnectionTests: XCTestCase {
    func testScriptCollectsEveryStatementsCommandTag() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let result = connection.runScript("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2); SELECT a FROM t ORDER BY a; UPDATE t SET a = a + 1")
        XCTAssertNil(result.error)
        XCTAssertEqual(result.statements.map(\.command), ["CREATE TABLE", "INSERT", "SELECT", "UPDATE"])
        XCTAssertEqual(result.statements[1].rowsAffected, 2)
        XCTAssertEqual(result.statements[2].rows, [["1"], ["2"]])
    }

    func testWholeScriptIsOneImplicitTransaction() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let result = connection.runScript("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\nSELECT 1/0;")
        XCTAssertEqual(result.error?.sqlState, "22012")
        XCTAssertEqual(result.statements.count, 2, "statements before the error still report their tags")
        XCTAssertNil(try connection.scalar("SELECT to_regclass('t')::text"), "the failed script rolled back its CREATE TABLE")
    }

    func testErrorIsLocatedOnLineAndColumnOfTheFile() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let script = "-- first\nCREATE TABLE t (a int);\nSELECT nosuchcolumn FROM t;\n"
        let error = try XCTUnwrap(connection.runScript(script).error).located(in: script, file: "x.up.sql")
        XCTAssertEqual(error.sqlState, "42703")
        XCTAssertEqual(error.line, 3)
        XCTAssertEqual(error.column, 8)
        XCTAssertTrue(error.description.hasPrefix("x.up.sql:3:8: column \"nosuchcolumn\" does not exist"), error.description)
    }

    func testAStatementPreparedOnceIsPreparedAgainWhenAScriptDeallocatesIt() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let sql = "SELECT $1::int + 1"
        XCTAssertEqual(try connection.query(preparingOnce: sql, ["1"]).rows, [["2"]])
        XCTAssertEqual(try connection.scalar("SELECT count(*) FROM pg_prepared_statements"), "1")
        XCTAssertEqual(try connection.query(preparingOnce: sql, ["2"]).rows, [["3"]])
        XCTAssertEqual(try connection.scalar("SELECT count(*) FROM pg_prepared_statements"), "1", "prepared once, not twice")
        try connection.execute("DEALLOCATE ALL")
        XCTAssertEqual(try connection.query(preparingOnce: sql, ["3"]).rows, [["4"]], "a migration's DEALLOCATE ALL costs a new prepare, not an error")
    }

    func testParametersAreSentSeparately() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let value = try connection.scalar("SELECT $1::text || $2::text", ["a'; DROP TABLE x; --", nil])
        XCTAssertNil(value, "text || NULL is NULL")
        XCTAssertEqual(try connection.scalar("SELECT length($1::text)", ["a'; DROP"]), "8")
    }

    func testPreparedStatementRunsAgainWithNewParameters() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.prepare("twice", "SELECT $1::int * 2, $2::text", parameterCount: 2)
        XCTAssertEqual(try connection.query(prepared: "twice", ["21", "a"]).rows, [["42", "a"]])
        XCTAssertEqual(try connection.query(prepared: "twice", ["5", nil]).rows, [["10", nil]])
        XCTAssertThrowsError(try connection.prepare("bad", "SELECT FROM nosuchtable", parameterCount: 0)) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "42P01")
        }
        XCTAssertThrowsError(try connection.query(prepared: "never-prepared")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "26000")
        }
    }

    func testCopyFromStdinStreamsRows() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.execute("CREATE TABLE t (id int, name text)")
        let rows = try connection.copyIn("COPY t (id, name) FROM stdin") { writer in
            try writer.write(Array("1\tone\n2\t\\N\n".utf8))
            try writer.write(Array("3\tthree\n".utf8))
        }
        XCTAssertEqual(rows, 3)
        XCTAssertEqual(try connection.scalar("SELECT count(*) FROM t WHERE name IS NULL"), "1")
    }

    func testBadCopyDataFailsWithTheServersError() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.execute("CREATE TABLE t (id int)")
        XCTAssertThrowsError(try connection.copyIn("COPY t FROM stdin") { try $0.write(Array("notanumber\n".utf8)) }) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "22P02")
        }
        XCTAssertEqual(try connection.scalar("SELECT 1"), "1", "the connection is usable after a failed COPY")
    }

    func testCancelFromAnotherThreadStopsTheQuery() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let cancel = try XCTUnwrap(connection.makeCancelHandle())
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancel.cancel() }
        let result = connection.runScript("SELECT pg_sleep(30)")
        XCTAssertEqual(result.error?.sqlState, "57014")
        XCTAssertEqual(result.error?.kind, .cancelled)
    }

    func testNoticesAreCaptured() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let result = connection.runScript("DROP TABLE IF EXISTS nothing_here")
        XCTAssertNil(result.error)
        XCTAssertTrue(result.notices.contains { $0.message.contains("does not exist, skipping") }, "\(result.notices)")
    }

    func testUnreachableServerErrorNamesTargetWithoutPassword() {
        XCTAssertThrowsError(try Connection("postgresql://alice:s3cret@/db?host=/nonexistent-socket-dir&connect_timeout=2")) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("s3cret"), text)
            XCTAssertTrue(text.contains("***"), text)
            XCTAssertEqual((error as? PostgresError)?.kind, .connection)
        }
    }
}
