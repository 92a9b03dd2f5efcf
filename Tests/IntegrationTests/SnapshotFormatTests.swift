import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// Backups as teams keep them: one database dumped by the real pg_dump in every format
/// rehearse reads, under names that say nothing of the format, restores to the same
/// database and gives the same rehearsal.
final class SnapshotFormatTests: XCTestCase {
    private struct Dumps {
        var directory: String
        var files: [(format: SnapshotFormat, path: String)]
    }

    private func dumpEveryFormat() throws -> Dumps {
        let (server, source) = try TestServer.scratchDatabase(for: self)
        try server.connect(database: source).execute("""
            CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), seen timestamptz);
            INSERT INTO items SELECT g, 'item ' || g, g * 1.5, '2026-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 20000) g;
            CREATE INDEX items_name ON items (name);
            CREATE TABLE tags (item_id int REFERENCES items, tag text);
            INSERT INTO tags SELECT g % 20000 + 1, 'tag' || (g % 7) FROM generate_series(1, 6000) g;
            CREATE TABLE _schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
            INSERT INTO _schema_migrations VALUES (1, false);
            """)
        let directory = try TestServer.temporaryDirectory(for: self)
        let target = server.connectionTarget.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(source)")
        let pgDump = try SnapshotCreator.locatePgDump()
        func dump(_ format: String, to name: String) throws {
            XCTAssertEqual(try Fixture.shell(pgDump, ["--format=\(format)", "--no-password", "--file=\(directory)/\(name)", "--dbname=\(target)"]), 0, format)
        }
        try dump("plain", to: "plain-nightly")
        try dump("custom", to: "custom-nightly")
        try dump("directory", to: "directory-nightly")
        try dump("tar", to: "tar-nightly")
        XCTAssertEqual(try Fixture.shell("/usr/bin/zstd", ["-q", "\(directory)/plain-nightly", "-o", "\(directory)/zstd-nightly"]), 0)
        XCTAssertEqual(try Fixture.shell("/bin/sh", ["-c", "gzip -c '\(directory)/plain-nightly' > '\(directory)/gzip-nightly'"]), 0)
        let formats: [SnapshotFormat] = [.plain, .zstd, .gzip, .custom, .directory, .tar]
        return Dumps(directory: directory, files: formats.map { ($0, "\(directory)/\($0.rawValue)-nightly") })
    }

    /// Row counts and a checksum of every row of each table, and the schema.
    private func contents(of database: String, on server: EmbeddedCluster) throws -> (rows: [String], schema: SchemaFingerprint) {
        let connection = try server.connect(database: database)
        var rows: [String] = []
        for table in ["items", "tags", "_schema_migrations"] {
            rows.append(try connection.scalar("SELECT '\(table)=' || count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \(table) t") ?? "")
        }
        return (rows, try SchemaFingerprint.read(on: connection))
    }

    func testEveryFormatIsRecognisedByContentAndRestoresTheSameDatabase() throws {
        let dumps = try dumpEveryFormat()
        let server = try TestServer.shared()
        var expected: (rows: [String], schema: SchemaFingerprint)?
        var inspected: [String]?
        for (format, path) in dumps.files {
            XCTAssertEqual(try SnapshotFormat.check(path), format, path)
            let snapshot = try Snapshot.open(path)
            XCTAssertEqual(snapshot.format, format)
            let inspection = try SnapshotInspector.inspect(path)
            XCTAssertEqual(inspection.format, format)
            XCTAssertEqual(inspection.sha256, snapshot.sha256, "inspect and open hash the same bytes (\(format))")
            XCTAssertEqual(inspection.recordedVersion, 1, "\(format)")
            XCTAssertEqual(inspection.trackingTable, "public._schema_migrations", "\(format)")
            let tables = inspection.tables.map { "\($0.name)=\($0.rows)" }.sorted()
            XCTAssertEqual(tables, ["public._schema_migrations=1", "public.items=20000", "public.tags=6000"], "\(format)")
            if let inspected { XCTAssertEqual(tables, inspected, "\(format)") }
            inspected = tables

            let (_, database) = try TestServer.scratchDatabase(for: self)
            let connection = try server.connect(database: database)
            var restorer = SnapshotRestorer(snapshot: snapshot, createMissingRoles: true, serverMajorVersion: server.binaries.majorVersion)
            restorer.workers = 2
            let restoreTarget = server.connectionTarget
            restorer.connect = { try Connection(restoreTarget, database: database) }
            var sawProgress = false
            let summary = try restorer.restore(into: connection) { sawProgress = sawProgress || $0.uncompressedBytes > 0 }
            XCTAssertEqual(summary.rowsCopied, 26001, "\(format)")
            XCTAssertTrue(sawProgress, "\(format)")
            let got = try contents(of: database, on: server)
            if let expected {
                XCTAssertEqual(got.rows, expected.rows, "\(format)")
                XCTAssertEqual(got.schema.differences(to: expected.schema), [], "\(format)")
            } else {
                expected = got
            }
        }
    }

    func testEveryFormatGivesTheSameRehearsal() throws {
        let dumps = try dumpEveryFormat()
        try FileManager.default.createDirectory(atPath: dumps.directory + "/migrations", withIntermediateDirectories: true)
        let files = [
            "1_base.up.sql": "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), seen timestamptz);",
            "1_base.down.sql": "DROP TABLE items;",
            "2_add_sku.up.sql": "ALTER TABLE items ADD COLUMN sku text;\nCREATE INDEX items_sku ON items (sku);",
            "2_add_sku.down.sql": "DROP INDEX items_sku;\nALTER TABLE items DROP COLUMN sku;",
            "3_drop_tags.up.sql": "DROP TABLE tags;",
            "3_drop_tags.down.sql": "CREATE TABLE tags (item_id int REFERENCES items, tag text);",
        ]
        for (name, body) in files { try TestServer.write(body, to: dumps.directory + "/migrations/" + name) }
        var first: (verdict: Verdict, findings: [String], start: Int64?)?
        for (format, path) in dumps.files {
            let scenario = try Scenario.parse(
                "name: formats\nsnapshot: \(path)\nmigrations: migrations\ntracking_table: _schema_migrations\nrelease_rollback: false\n", file: dumps.directory + "/scenario.yaml")
            let report = RehearsalRunner(scenario: scenario, server: try TestServer.shared()).run()
            XCTAssertNil(report.failure, "\(format): \(report.failure ?? "")")
            XCTAssertEqual(report.snapshot.format, format)
            let findings = report.migrations.flatMap { migration in
                migration.findings.filter { $0.severity != .info }.map { "\(migration.version) \($0.rule.rawValue) \($0.severity.rawValue)" }
            }.sorted()
            XCTAssertTrue(findings.contains("3 roundtrip.down-loses-data warning"), "\(format): \(findings)")
            if let first {
                XCTAssertEqual(report.verdict, first.verdict, "\(format)")
                XCTAssertEqual(findings, first.findings, "\(format)")
                XCTAssertEqual(report.startVersion, first.start, "\(format)")
            } else {
                first = (report.verdict, findings, report.startVersion)
                XCTAssertEqual(report.startVersion, 1)
            }
        }
    }

    func testADamagedArchiveNamesPgRestoresComplaint() throws {
        let dumps = try dumpEveryFormat()
        let custom = dumps.files.first { $0.format == .custom }!.path
        let data = try XCTUnwrap(FileManager.default.contents(atPath: custom))
        let cut = dumps.directory + "/cut.dump"
        FileManager.default.createFile(atPath: cut, contents: data.prefix(data.count / 2))
        let snapshot = try Snapshot.open(cut)
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let restorer = SnapshotRestorer(snapshot: snapshot, createMissingRoles: true, serverMajorVersion: server.binaries.majorVersion)
        XCTAssertThrowsError(try restorer.restore(into: server.connect(database: database))) { error in
            guard case .archiveToolFailed(let path, let tool, _)? = error as? SnapshotError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, cut)
            XCTAssertTrue(tool.hasSuffix("pg_restore"), tool)
            XCTAssertTrue("\(error)".contains("pg_restore --list"), "\(error)")
        }
    }
}
