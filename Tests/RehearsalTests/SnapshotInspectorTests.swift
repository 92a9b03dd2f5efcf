import Foundation
import XCTest
@testable import Rehearsal

final class SnapshotInspectorTests: XCTestCase {
    /// A small plain dump at version 1 (the integration tests' fixture, plus an index).
    static let dump = """
        --
        -- PostgreSQL database dump
        --

        \\restrict k3y

        -- Dumped from database version 15.18
        -- Dumped by pg_dump version 15.18

        SET statement_timeout = 0;
        SELECT pg_catalog.set_config('search_path', '', false);

        CREATE TABLE public.items (
            id integer NOT NULL,
            name text,
            note text DEFAULT 'a;b'
        );
        ALTER TABLE public.items OWNER TO rehearse_test_missing_owner;

        CREATE FUNCTION public.answer() RETURNS integer
            LANGUAGE plpgsql AS $$ BEGIN RETURN 42; END; $$;

        CREATE TABLE public._schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL);

        COPY public.items (id, name, note) FROM stdin;
        1\tone\t\\N
        2\ttwo;\tx
        3\tthree\t$$
        \\.

        COPY public._schema_migrations (version, dirty) FROM stdin;
        1\tf
        \\.

        ALTER TABLE ONLY public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id);
        CREATE INDEX items_name_idx ON public.items USING btree (name);
        GRANT SELECT ON TABLE public.items TO rehearse_test_missing_reader;

        \\unrestrict k3y

        """

    private func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "rehearse-inspect-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return directory
    }

    /// Writes `text` compressed with ZstdWriter; returns the path.
    private func compressed(_ text: String, name: String = "snapshot.sql.zst") throws -> String {
        let path = try temporaryDirectory() + "/" + name
        let writer = try ZstdWriter(path: path, level: 3)
        try writer.write(Array(text.utf8))
        _ = try writer.finish()
        return path
    }

    private func sampleManifest(sha256: String) -> SnapshotManifest {
        SnapshotManifest(
            serverVersion: "15.18", serverVersionNum: 150018, dumpedAt: "2026-11-26T11:50:15Z", database: "app",
            trackingTable: "_schema_migrations", recordedVersion: 1, dirty: false, tables: [], sha256: sha256,
            masked: ["public.items.name"])
    }

    func testCompressedDumpIsInspectedWithoutRestoring() throws {
        let path = try compressed(Self.dump)
        let inspection = try SnapshotInspector.inspect(path)

        XCTAssertEqual(inspection.tables.map(\.name), ["public.items", "public._schema_migrations"])
        XCTAssertEqual(inspection.tables.map(\.rows), [3, 1])
        XCTAssertEqual(inspection.tables.map(\.bytes), [UInt64("1\tone\t\\N\n2\ttwo;\tx\n3\tthree\t$$\n".utf8.count), 4])
        XCTAssertEqual(inspection.totalRows, 4)
        XCTAssertEqual(inspection.trackingTable, "public._schema_migrations")
        XCTAssertEqual(inspection.recordedVersion, 1)
        XCTAssertEqual(inspection.dirty, false)
        XCTAssertEqual(inspection.serverVersion, "15.18")
        XCTAssertEqual(inspection.pgDumpVersion, "15.18")
        XCTAssertEqual(inspection.createTableStatements, 2)
        XCTAssertEqual(inspection.createIndexStatements, 1)
        XCTAssertTrue(inspection.compressed)
        XCTAssertEqual(inspection.uncompressedBytes, UInt64(Self.dump.utf8.count))
        let snapshot = try Snapshot.open(path)
        XCTAssertEqual(inspection.sha256, snapshot.sha256)
        XCTAssertEqual(inspection.bytes, snapshot.bytes)
        XCTAssertNil(inspection.manifestPath)
        XCTAssertNil(inspection.manifest)
        XCTAssertNil(inspection.manifestMatches)
    }

    func testPlainDumpIsInspectedToo() throws {
        let path = try temporaryDirectory() + "/snapshot.sql"
        try Data(Self.dump.utf8).write(to: URL(fileURLWithPath: path))
        let inspection = try SnapshotInspector.inspect(path)
        XCTAssertFalse(inspection.compressed)
        XCTAssertEqual(inspection.bytes, UInt64(Self.dump.utf8.count))
        XCTAssertEqual(inspection.recordedVersion, 1)
    }

    func testManifestBesideTheSnapshotIsCheckedAgainstTheFile() throws {
        let path = try compressed(Self.dump)
        let manifestPath = SnapshotManifest.path(forSnapshot: path)
        XCTAssertTrue(manifestPath.hasSuffix("/snapshot.manifest.json"))

        try sampleManifest(sha256: try Snapshot.open(path).sha256).write(to: manifestPath)
        let matching = try SnapshotInspector.inspect(path)
        XCTAssertEqual(matching.manifestPath, manifestPath)
        XCTAssertEqual(matching.manifestMatches, true)
        XCTAssertEqual(matching.manifest?.masked, ["public.items.name"])

        try sampleManifest(sha256: String(repeating: "0", count: 64)).write(to: manifestPath)
        XCTAssertEqual(try SnapshotInspector.inspect(path).manifestMatches, false)

        try Data("not json".utf8).write(to: URL(fileURLWithPath: manifestPath))
        let unreadable = try SnapshotInspector.inspect(path)
        XCTAssertNil(unreadable.manifest)
        XCTAssertNil(unreadable.manifestMatches)
        XCTAssertNotNil(unreadable.manifestProblem)
    }

    func testDirtyVersionInANamedTrackingTable() throws {
        let dump = Self.dump
            .replacingOccurrences(of: "public._schema_migrations", with: "public.app_schema_migrations")
            .replacingOccurrences(of: "1\tf\n", with: "12\tt\n")
        let path = try compressed(dump)
        for name in ["app_schema_migrations", nil] {
            let inspection = try SnapshotInspector.inspect(path, trackingTable: name)
            XCTAssertEqual(inspection.trackingTable, "public.app_schema_migrations")
            XCTAssertEqual(inspection.recordedVersion, 12)
            XCTAssertEqual(inspection.dirty, true)
        }
        XCTAssertNil(try SnapshotInspector.inspect(path, trackingTable: "schema_migrations").recordedVersion)
    }

    /// As the rehearsal's own search (`TrackingTableDiscovery`): migrate's default first.
    func testSchemaMigrationsIsPreferredByDefault() throws {
        let extra = "COPY public.schema_migrations (version, dirty) FROM stdin;\n5\tf\n\\.\n\n"
        let dump = Self.dump.replacingOccurrences(of: "COPY public.items", with: extra + "COPY public.items")
        let inspection = try SnapshotInspector.inspect(try compressed(dump))
        XCTAssertEqual(inspection.trackingTable, "public.schema_migrations")
        XCTAssertEqual(inspection.recordedVersion, 5)
        XCTAssertEqual(try SnapshotInspector.inspect(try compressed(dump), trackingTable: "_schema_migrations").recordedVersion, 1)
    }

    func testEmptyTrackingTableHasNoVersion() throws {
        let dump = Self.dump.replacingOccurrences(of: "1\tf\n", with: "")
        let inspection = try SnapshotInspector.inspect(try compressed(dump))
        XCTAssertEqual(inspection.trackingTable, "public._schema_migrations")
        XCTAssertNil(inspection.recordedVersion)
        XCTAssertNil(inspection.dirty)
    }

    func testTrackingRowIsReadByColumnName() {
        XCTAssertEqual(
            SnapshotInspector.trackingState(line: Array("t\t9\n".utf8), columns: ["dirty", "version"]),
            TrackingTable.State(version: 9, dirty: true))
        XCTAssertNil(SnapshotInspector.trackingState(line: Array("x\tf\n".utf8), columns: ["version", "dirty"]))
    }

    func testNotADumpIsRefused() throws {
        let path = try compressed("hello\nworld\n")
        XCTAssertThrowsError(try SnapshotInspector.inspect(path)) { error in
            guard case .notADump? = error as? SnapshotError else { return XCTFail("\(error)") }
        }
    }

    func testManifestWritesEveryKeySortedWithNulls() throws {
        var manifest = sampleManifest(sha256: "abc")
        manifest.recordedVersion = nil
        manifest.dirty = nil
        let text = String(decoding: try manifest.encoded(), as: UTF8.self)
        XCTAssertTrue(text.contains("\"recordedVersion\" : null"), text)
        XCTAssertTrue(text.contains("\"dirty\" : null"), text)
        let keys = ["database", "dirty", "dumpedAt", "format", "masked", "recordedVersion", "scale", "serverVersion",
                    "serverVersionNum", "sha256", "tables", "trackingTable"]
        let positions = keys.map { text.range(of: "\"\($0)\"")?.lowerBound }
        XCTAssertFalse(positions.contains(nil), text)
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "keys are sorted")
        XCTAssertEqual(try JSONDecoder().decode(SnapshotManifest.self, from: try manifest.encoded()), manifest)
    }

    func testMakeSnapshotManifestStillDecodes() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("snapshots/clipper.manifest.json").path
        let manifest = try SnapshotManifest.load(path)
        XCTAssertEqual(manifest.format, 1)
        XCTAssertEqual(manifest.trackingTable, "_schema_migrations")
        XCTAssertEqual(manifest.recordedVersion, 2)
        XCTAssertEqual(manifest.dirty, false)
        XCTAssertEqual(manifest.masked, [])
        XCTAssertFalse(manifest.tables.isEmpty)
        XCTAssertEqual(SnapshotManifest.path(forSnapshot: "snapshots/clipper.sql.zst"), "snapshots/clipper.manifest.json")
    }
}
