import Foundation
import XCTest
@testable import Rehearsal

/// A small scenario on disk: a plain dump at version 1 of a tiny app, a migrations
/// directory and a scenario file, built per test.
struct Fixture {
    let directory: String
    var scenarioPath: String { directory + "/scenario.yaml" }
    var migrationsPath: String { directory + "/migrations" }

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
        ALTER TABLE ONLY public._schema_migrations ADD CONSTRAINT _schema_migrations_pkey PRIMARY KEY (version);
        GRANT SELECT ON TABLE public.items TO rehearse_test_missing_reader;

        \\unrestrict k3y

        """

    /// Creates the fixture with `migrations` (file name → body) and scenario `extra` lines.
    init(
        test: XCTestCase, dump: String = Fixture.dump, compress: Bool = true, migrations: [String: String], extra: String = "",
        trackingTable: String? = "_schema_migrations"
    ) throws {
        directory = try TestServer.temporaryDirectory(for: test)
        let plain = directory + "/snapshot.sql"
        try TestServer.write(dump, to: plain)
        var snapshot = "snapshot.sql"
        if compress {
            let status = try Self.shell("/usr/bin/zstd", ["-q", "-f", plain, "-o", plain + ".zst"])
            XCTAssertEqual(status, 0, "zstd must be installed (scripts/bootstrap)")
            snapshot = "snapshot.sql.zst"
        }
        try FileManager.default.createDirectory(atPath: directory + "/migrations", withIntermediateDirectories: true)
        for (name, body) in migrations {
            try TestServer.write(body, to: directory + "/migrations/" + name)
        }
        try TestServer.write(
            """
            name: fixture
            snapshot: \(snapshot)
            migrations: migrations
            \(trackingTable.map { "tracking_table: \($0)" } ?? "")
            \(extra)
            """, to: scenarioPath)
    }

    func scenario() throws -> Scenario {
        try Scenario.load(scenarioPath)
    }

    func run(on server: DatabaseServer? = nil) throws -> RehearsalReport {
        let runner = RehearsalRunner(scenario: try scenario(), server: try server ?? TestServer.shared())
        return runner.run()
    }

    /// Runs a rehearsal that must stop early: its report and the error that stopped it.
    func runStopped(on server: DatabaseServer? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> (report: RehearsalReport, error: Error) {
        let runner = RehearsalRunner(scenario: try scenario(), server: try server ?? TestServer.shared())
        let report = runner.run()
        let error = try XCTUnwrap(runner.stoppedBy, "the run should have stopped: \(report.verdictReason)", file: file, line: line)
        XCTAssertEqual(report.failure, "\(error)", "the report says why it stopped", file: file, line: line)
        XCTAssertEqual(report.verdict, .fail, file: file, line: line)
        return (report, error)
    }

    static let baseMigrations = [
        "1_create_items.up.sql": "CREATE TABLE items (id int PRIMARY KEY, name text);",
        "1_create_items.down.sql": "DROP TABLE items;",
    ]

    /// The steps of one pending migration `name` (`up`, `down`) after the base migrations.
    static func steps(for test: XCTestCase, _ name: String, up: String, down: String) throws -> [StepReport] {
        var migrations = baseMigrations
        migrations[name + ".up.sql"] = up
        migrations[name + ".down.sql"] = down
        return try XCTUnwrap(Fixture(test: test, migrations: migrations).run().migrations.first?.steps)
    }

    @discardableResult
    static func shell(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
