import Foundation
import XCTest
@testable import Rehearsal

/// The catalog fingerprint on a real server, where names reach PostgreSQL's 63-byte limit.
final class SchemaFingerprintCatalogTests: XCTestCase {
    /// A name of exactly 63 bytes starting with `prefix`.
    static func name63(_ prefix: String) -> String {
        prefix + String(repeating: "x", count: 63 - prefix.utf8.count)
    }

    static let schema = name63("long_schema_")
    static let table = name63("long_table_")
    /// Constraints whose qualified names share far more than 63 bytes.
    static let constraints = (1...5).map { name63("c\($0)_") }
    static let index = name63("long_index_")

    static var ddl: String {
        let t = "\(schema).\(table)"
        return """
            CREATE SCHEMA \(schema);
            CREATE TABLE \(t) (id int PRIMARY KEY, amount int NOT NULL, \(name63("long_column_")) text);
            \(constraints.enumerated().map { "ALTER TABLE \(t) ADD CONSTRAINT \($0.element) CHECK (amount > \($0.offset));" }.joined(separator: "\n"))
            CREATE INDEX \(index) ON \(t) (amount);
            CREATE TABLE \(schema).\(name63("parted_")) (id int, at date NOT NULL) PARTITION BY RANGE (at);
            CREATE TABLE \(schema).\(name63("parted_2024_")) PARTITION OF \(schema).\(name63("parted_")) FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE \(schema).\(name63("parted_2025_")) PARTITION OF \(schema).\(name63("parted_")) FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            ALTER TABLE \(schema).\(name63("parted_")) ADD CONSTRAINT \(name63("parted_check_")) CHECK (id > 0);
            CREATE INDEX \(name63("parted_idx_")) ON \(schema).\(name63("parted_")) (at);
            CREATE TABLE public."Mixed.Case" (id int);
            CREATE TABLE public.mixed (id int, "Case" int);
            """
    }

    func testNamesAreNeverCutAndEveryObjectHasItsOwnEntry() throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.execute(Self.ddl)
        let fingerprint = try SchemaFingerprint.read(on: connection)
        let qualified = "\(Self.schema).\(Self.table)"
        for (offset, constraint) in Self.constraints.enumerated() {
            let key = SchemaFingerprint.Key(kind: "constraint", name: "\(qualified).\(constraint)")
            XCTAssertEqual(fingerprint.objects[key], "CHECK ((amount > \(offset)))", "\(key.name.utf8.count) bytes, never cut at 63")
            XCTAssertEqual(fingerprint.parents[key], qualified)
        }
        XCTAssertNotNil(fingerprint.objects[.init(kind: "index", name: "\(Self.schema).\(Self.index)")])
        XCTAssertNotNil(fingerprint.objects[.init(kind: "column", name: "\(qualified).\(Self.name63("long_column_"))")])
        let parted = "\(Self.schema).\(Self.name63("parted_"))"
        for partition in [Self.name63("parted_2024_"), Self.name63("parted_2025_")] {
            let definition = fingerprint.objects[.init(kind: "table", name: "\(Self.schema).\(partition)")] ?? ""
            XCTAssertTrue(definition.contains("partition of \(parted) FOR VALUES FROM"), definition)
            XCTAssertNotNil(fingerprint.objects[.init(kind: "constraint", name: "\(Self.schema).\(partition).\(Self.name63("parted_check_"))")])
        }
        XCTAssertNotNil(fingerprint.objects[.init(kind: "table", name: "public.\"Mixed.Case\"")])
        XCTAssertNotNil(fingerprint.objects[.init(kind: "column", name: "public.mixed.\"Case\"")], "quoted parts keep a dotted name from colliding")
    }

    func testDroppingAndReAddingLongConstraintsExactlyLeavesNoDifferenceOnEveryRun() throws {
        let dump = Fixture.dump.replacingOccurrences(of: "CREATE FUNCTION public.answer()", with: Self.ddl + "\nCREATE FUNCTION public.answer()")
        let t = "\(Self.schema).\(Self.table)"
        let readd = Self.constraints.enumerated().map {
            "ALTER TABLE \(t) DROP CONSTRAINT \($0.element);\nALTER TABLE \(t) ADD CONSTRAINT \($0.element) CHECK (amount > \($0.offset));"
        }.joined(separator: "\n")
        var migrations = Fixture.baseMigrations
        migrations["2_readd.up.sql"] = readd
        migrations["2_readd.down.sql"] = readd
        let fixture = try Fixture(test: self, dump: dump, migrations: migrations, extra: "session:\n  lock_timeout: 2s")
        for run in 1...3 {
            let report = try fixture.run()
            XCTAssertNil(report.failure, "run \(run)")
            let migration = try XCTUnwrap(report.migrations.first)
            XCTAssertEqual(migration.roundtrip.downRestoresSchema, true, "run \(run): \(migration.roundtrip.differences.map(\.message))")
            XCTAssertEqual(migration.roundtrip.reupMatchesFirstUp, true, "run \(run)")
            XCTAssertFalse(migration.findings.contains { $0.rule.category == .roundtrip }, "run \(run)")
        }
    }
}
