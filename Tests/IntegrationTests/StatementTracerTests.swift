import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// A file traced statement by statement ends with the relation files as a whole reading
/// finds them after it, so the next file's trace starts from the truth.
final class StatementTracerTests: XCTestCase {
    func testATracedFileEndsWithTheWholeReadingAfterItWithoutTheTablesItDropped() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.execute(RelationFilesTests.setup)
        let items = try XCTUnwrap(connection.scalar("SELECT 'app.items'::regclass::oid::text"))
        try connection.execute("BEGIN")
        let before = try RelationFiles.read(on: connection)
        let (traced, files) = try XCTUnwrap(StatementTracer.run(
            "ALTER TABLE app.plain ALTER COLUMN a TYPE bigint;\nDROP TABLE app.items;\nCREATE TABLE app.labels (label text);\nCREATE INDEX labels_label ON app.labels (label);\n",
            on: connection, files: before))
        let after = try RelationFiles.read(on: connection)
        try connection.execute("ROLLBACK")

        XCTAssertEqual(traced.map(\.command), ["ALTER TABLE", "DROP TABLE", "CREATE TABLE", "CREATE INDEX"])
        XCTAssertEqual(traced.map { $0.rewrote.map(\.relation) }, [["app.plain"], [], [], []])
        XCTAssertEqual(files.entries.mapValues(\.fileNode), after.entries.mapValues(\.fileNode))
        XCTAssertFalse(files.entries.values.contains { $0.tableOid == items }, "the dropped table's relations are gone")
        XCTAssertTrue(files.entries.values.contains { $0.name == "app.labels" }, "the new table is in")
        XCTAssertTrue(
            traced[1].locks.contains(LockTaken(relation: "app.items", mode: "AccessExclusiveLock", relationKind: "table")),
            "the dropped table's lock, named as it was: \(traced[1].locks)")
        XCTAssertEqual(traced[3].locks, [], "a table the file made is no other session's to wait on")
    }
}
