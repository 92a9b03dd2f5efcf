import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// A reading of some tables' relations is the whole reading's entries of those tables:
/// the tables, their indexes and their TOAST, nothing else.
final class RelationFilesTests: XCTestCase {
    static let setup = """
        CREATE SCHEMA app;
        CREATE TABLE app.orders (id bigserial PRIMARY KEY, note text, total int);
        CREATE INDEX orders_total ON app.orders (total);
        CREATE TABLE app.items (id int PRIMARY KEY, order_id bigint REFERENCES app.orders (id), label text);
        CREATE TABLE app.plain (a int);
        CREATE MATERIALIZED VIEW app.totals AS SELECT sum(total) AS s FROM app.orders;
        INSERT INTO app.orders (note, total) SELECT repeat('x', 3000), g FROM generate_series(1, 50) g;
        """

    func testAReadingOfSomeTablesIsTheWholeReadingOfThoseTables() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.execute(Self.setup)
        let whole = try RelationFiles.read(on: connection)
        let oid = { (name: String) in try XCTUnwrap(connection.scalar("SELECT $1::regclass::oid::text", [name])) }
        let orders = try oid("app.orders"), items = try oid("app.items")
        func wholeEntries(of tables: Set<String>) -> [String: String] {
            whole.entries.filter { tables.contains($0.value.tableOid) }.mapValues(\.name)
        }

        XCTAssertEqual(
            Set(whole.entries.values.map(\.table)), ["app.orders", "app.orders_id_seq", "app.items", "app.plain", "app.totals"],
            "user relations only, not the system catalogs' TOAST")
        let some = try RelationFiles.read(on: connection, .tables([orders, items]))
        XCTAssertEqual(some.entries.mapValues(\.name), wholeEntries(of: [orders, items]))
        func described(_ files: RelationFiles, of tables: Set<String>) -> [String: String] {
            files.entries.filter { tables.contains($0.value.tableOid) }
                .mapValues { "\($0.name) \($0.kind) \($0.table) \($0.tableOid) \($0.fileNode) \($0.bytes)" }
        }
        XCTAssertEqual(described(some, of: [orders, items]), described(whole, of: [orders, items]), "the same entries, owners included")
        let toast = try XCTUnwrap(connection.scalar("SELECT reltoastrelid::text FROM pg_catalog.pg_class WHERE oid = $1::oid", [orders]))
        XCTAssertEqual(
            described(try RelationFiles.read(on: connection, .tables([toast])), of: [orders]), described(whole, of: [orders]),
            "a TOAST table (a lock on it) stands for its table")
        XCTAssertTrue(
            some.entries.values.contains { $0.kind == "toast table" },
            "the TOAST of a table with text columns is among its relations: \(some.entries.values.map(\.name))")
        XCTAssertGreaterThanOrEqual(some.entries.count, 6, "two tables, their keys, an index, TOAST")
        XCTAssertEqual(try RelationFiles.read(on: connection, .tables([])).entries.count, 0)

        try connection.execute("BEGIN; LOCK TABLE app.orders IN SHARE MODE")
        let (locks, locked) = try StatementTracer.ownLocks(on: connection)
        let lockedHere = try RelationFiles.read(on: connection, .lockedHere)
        try connection.execute("ROLLBACK")
        XCTAssertEqual(described(lockedHere, of: [orders]), described(whole, of: [orders]))
        XCTAssertEqual(lockedHere.entries.count, described(whole, of: [orders]).count, "the locked table's relations, nothing else")
        // The query's own catalog locks are no user table's.
        XCTAssertEqual(locked, [orders], "a transaction's locked tables")
        XCTAssertEqual(locks, [LockTaken(relation: "app.orders", mode: "ShareLock", relationKind: "table")])
    }

    /// A whole reading updated with a reading of the tables a step changed is the whole
    /// reading after it: a rewritten table's new files, a dropped index and table gone, the
    /// other tables' entries kept.
    func testAWholeReadingUpdatedWithTheChangedTablesIsTheReadingAfter() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.execute(Self.setup)
        let oid = { (name: String) in try XCTUnwrap(connection.scalar("SELECT $1::regclass::oid::text", [name])) }
        let orders = try oid("app.orders"), items = try oid("app.items"), plain = try oid("app.plain")
        let before = try RelationFiles.read(on: connection)

        try connection.execute("VACUUM FULL app.orders")
        try connection.execute("DROP INDEX app.orders_total; DROP TABLE app.items")
        let after = try RelationFiles.read(on: connection)
        let updated = try before.rereading([orders, items], on: connection)

        XCTAssertEqual(updated.entries.mapValues(\.fileNode), after.entries.mapValues(\.fileNode))
        XCTAssertFalse(updated.entries.values.contains { $0.tableOid == items }, "the dropped table is gone")
        XCTAssertEqual(updated.entries[plain]?.fileNode, before.entries[plain]?.fileNode)
        XCTAssertNotEqual(updated.entries[orders]?.fileNode, before.entries[orders]?.fileNode, "VACUUM FULL wrote app.orders anew")
        // Its TOAST's index too, which belongs to app.orders and is read with it.
        let toastIndex = try XCTUnwrap(after.entries.values.first { $0.kind == "index" && $0.name.hasPrefix("pg_toast.") && $0.tableOid == orders })
        XCTAssertEqual(toastIndex.table, "app.orders")
        XCTAssertEqual(before.rewrites(to: updated).map(\.relation).filter { $0.hasPrefix("pg_toast.") }.count, 2, "the TOAST table and its index")
    }
}
