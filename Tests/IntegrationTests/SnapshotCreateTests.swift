import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class SnapshotCreateTests: XCTestCase {
    private let emails = ["ada@example.com", "ben@clipper.test", "chloe.kim@mail.example"]

    /// A scratch database with personal data at migration version 7 (clean), and the libpq
    /// keyword string that reaches it.
    private func source() throws -> (server: EmbeddedCluster, target: String, connection: Connection) {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        try connection.execute(
            """
            CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, display_name text, phone text);
            INSERT INTO users VALUES
                (1, 'ada@example.com', 'Ada L', '+1 555 0100'),
                (2, 'ben@clipper.test', NULL, NULL),
                (3, 'chloe.kim@mail.example', E'Chloe\\tK', '0612345678');
            CREATE TABLE _schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
            INSERT INTO _schema_migrations VALUES (7, false);
            """)
        let target = server.connectionTarget.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(database)")
        return (server, target, connection)
    }

    private func decompressedText(_ path: String) throws -> String {
        let reader = try DecompressingReader(path: path)
        var bytes: [UInt8] = []
        while let piece = try reader.next() { bytes.append(contentsOf: piece) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testCreateMasksRecordsTheVersionAndRestores() throws {
        let (server, target, connection) = try source()
        let directory = try TestServer.temporaryDirectory(for: self)
        let output = directory + "/snap.sql.zst"
        let rules = try MaskingRules.parse("public.users:\n  email: hash\n  phone: fake\n", file: "mask.yaml")
        var reports = 0

        let manifest = try SnapshotCreator.create(
            from: target, to: output, level: 3, masking: rules, trackingTable: "_schema_migrations"
        ) { _ in reports += 1 }

        XCTAssertEqual(manifest.recordedVersion, 7)
        XCTAssertEqual(manifest.dirty, false)
        XCTAssertEqual(manifest.trackingTable, "_schema_migrations")
        XCTAssertEqual(manifest.masked, ["public.users.email", "public.users.phone"])
        XCTAssertEqual(manifest.tables.map(\.name), ["public._schema_migrations", "public.users"])
        XCTAssertEqual(manifest.tables.first { $0.name == "public.users" }?.rows, 3)
        XCTAssertGreaterThan(manifest.tables.first { $0.name == "public.users" }?.bytes ?? 0, 0)
        XCTAssertEqual(manifest.serverVersionNum / 10000, server.binaries.majorVersion)
        XCTAssertEqual(manifest.sha256, try Snapshot.open(output).sha256)
        XCTAssertEqual(try SnapshotManifest.load(directory + "/snap.manifest.json"), manifest)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"))
        XCTAssertGreaterThan(reports, 0)

        let text = try decompressedText(output)
        XCTAssertTrue(text.contains("PostgreSQL database dump"))
        for email in emails {
            XCTAssertFalse(text.contains(email), "\(email) leaked into the snapshot")
        }
        XCTAssertTrue(text.contains("@example.invalid"))

        let inspection = try SnapshotInspector.inspect(output)
        XCTAssertEqual(inspection.recordedVersion, 7)
        XCTAssertEqual(inspection.dirty, false)
        XCTAssertEqual(inspection.tables.first { $0.name == "public.users" }?.rows, 3)
        XCTAssertEqual(inspection.manifestMatches, true)

        let (_, restoredName) = try TestServer.scratchDatabase(for: self)
        let restored = try server.connect(database: restoredName)
        let restorer = SnapshotRestorer(
            snapshot: try Snapshot.open(output), createMissingRoles: true, serverMajorVersion: server.binaries.majorVersion)
        _ = try restorer.restore(into: restored)
        try restored.execute("SET search_path = public")  // the dump's own session setting is ''
        XCTAssertEqual(try restored.scalar("SELECT count(*) FROM users"), "3")
        XCTAssertEqual(
            try restored.scalar("SELECT count(DISTINCT email) FROM users WHERE email ~ '^h_[0-9a-f]{16}@example\\.invalid$'"), "3")
        XCTAssertEqual(try restored.scalar("SELECT display_name FROM users WHERE id = 3"), "Chloe\tK", "unmasked columns are intact")
        XCTAssertNil(try restored.scalar("SELECT phone FROM users WHERE id = 2"), "NULL stays NULL")
        let phone = try XCTUnwrap(try restored.scalar("SELECT phone FROM users WHERE id = 1"))
        XCTAssertNotEqual(phone, "+1 555 0100")
        XCTAssertNotNil(phone.range(of: #"^\+\d \d{3} \d{4}$"#, options: .regularExpression), phone)
        XCTAssertEqual(try restored.scalar("SELECT version || ',' || dirty FROM _schema_migrations"), "7,false")

        XCTAssertEqual(try connection.query("SELECT email FROM users ORDER BY id").rows.map { $0[0] ?? "" }, emails, "the source is unchanged")
        XCTAssertEqual(try connection.scalar("SELECT phone FROM users WHERE id = 1"), "+1 555 0100")
    }

    func testWithoutMaskingTheTrackingTableIsFoundByDefault() throws {
        let (_, target, _) = try source()
        let output = try TestServer.temporaryDirectory(for: self) + "/plain.sql.zst"
        let manifest = try SnapshotCreator.create(from: target, to: output, level: 1)
        XCTAssertEqual(manifest.trackingTable, "_schema_migrations")
        XCTAssertEqual(manifest.recordedVersion, 7)
        XCTAssertEqual(manifest.masked, [])
        XCTAssertTrue(try decompressedText(output).contains("ada@example.com"))
    }

    func testUnknownMaskedColumnFailsBeforeDumpingAndLeavesNoFile() throws {
        let (_, target, _) = try source()
        let directory = try TestServer.temporaryDirectory(for: self)
        let output = directory + "/snap.sql.zst"
        let rules = try MaskingRules.parse("public.users:\n  mail: hash\n", file: "mask.yaml")
        XCTAssertThrowsError(try SnapshotCreator.create(from: target, to: output, masking: rules)) { error in
            guard case .maskedColumnNotFound(_, "public.users", "mail", let columns)? = error as? SnapshotCreationError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(columns, ["id", "email", "display_name", "phone"])
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testRulesThatWouldBreakTheRestoreAreRefused() throws {
        let (_, target, _) = try source()
        let output = try TestServer.temporaryDirectory(for: self) + "/snap.sql.zst"
        for (yaml, column) in [("public.users:\n  email: null\n", "email"), ("public.users:\n  id: hash\n", "id")] {
            let rules = try MaskingRules.parse(yaml, file: "mask.yaml")
            XCTAssertThrowsError(try SnapshotCreator.create(from: target, to: output, masking: rules)) { error in
                guard case .maskedColumnNotMaskable(_, "public.users", let failed, _)? = error as? SnapshotCreationError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(failed, column)
            }
        }
    }

    /// A key's values must stay equal on both sides: the restore takes the dump's keys as
    /// valid, so a mask that breaks one is refused before anything is dumped.
    func testMasksThatWouldBreakAForeignKeyAreRefused() throws {
        let (_, target, connection) = try source()
        try connection.execute("""
            CREATE TABLE invites (id int PRIMARY KEY, email text REFERENCES users (email), sender int REFERENCES users (id),
                                  code text UNIQUE, parent_code text REFERENCES invites (code));
            INSERT INTO invites VALUES (1, 'ada@example.com', 2, 'a', NULL), (2, 'ben@clipper.test', 1, 'b', 'a');
            """)
        let output = try TestServer.temporaryDirectory(for: self) + "/snap.sql.zst"
        for (yaml, table, column) in [
            ("public.users:\n  email: hash\n", "public.users", "email"),
            ("public.invites:\n  email: fake\n", "public.invites", "email"),
            ("public.invites:\n  sender: \"9\"\n", "public.invites", "sender"),
            ("public.users:\n  email: hash\npublic.invites:\n  email: fake\n", "public.users", "email"),
            ("public.invites:\n  code: hash\n", "public.invites", "code"),
        ] {
            let rules = try MaskingRules.parse(yaml, file: "mask.yaml")
            XCTAssertThrowsError(try SnapshotCreator.create(from: target, to: output, masking: rules), yaml) { error in
                guard case .maskedColumnNotMaskable(_, table, column, let reason)? = error as? SnapshotCreationError else {
                    return XCTFail("\(yaml): \(error)")
                }
                XCTAssertTrue(reason.contains("foreign key invites_"), reason)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        }
        for yaml in ["public.users:\n  email: hash\npublic.invites:\n  email: hash\n", "public.invites:\n  sender: null\n",
                     "public.invites:\n  code: hash\n  parent_code: hash\n"] {
            let rules = try MaskingRules.parse(yaml, file: "mask.yaml")
            let manifest = try SnapshotCreator.create(from: target, to: output, level: 1, masking: rules)
            XCTAssertFalse(manifest.masked.isEmpty, yaml)
        }
    }

    func testPartitionsOfAMaskedTableAreMaskedToo() throws {
        let (_, target, connection) = try source()
        try connection.execute(
            """
            CREATE TABLE events (id int, email text) PARTITION BY RANGE (id);
            CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);
            CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (100) TO (200);
            INSERT INTO events VALUES (1, 'p1@example.com'), (150, 'p2@example.com');
            """)
        let output = try TestServer.temporaryDirectory(for: self) + "/snap.sql.zst"
        let rules = try MaskingRules.parse("public.events:\n  email: hash\n", file: "mask.yaml")
        let manifest = try SnapshotCreator.create(from: target, to: output, level: 1, masking: rules)
        let text = try decompressedText(output)
        XCTAssertFalse(text.contains("p1@example.com"))
        XCTAssertFalse(text.contains("p2@example.com"))
        XCTAssertEqual(manifest.masked, ["public.events.email", "public.events_1.email", "public.events_2.email"])
    }

    func testUnreachableSourceIsNamedWithoutItsPassword() throws {
        let directory = try TestServer.temporaryDirectory(for: self)
        let target = "host=/nonexistent-rehearse-socket port=5432 user=postgres password=hunter2 dbname=x"
        XCTAssertThrowsError(try SnapshotCreator.create(from: target, to: directory + "/snap.sql.zst")) { error in
            guard case .sourceUnreachable(let source, _)? = error as? SnapshotCreationError else { return XCTFail("\(error)") }
            XCTAssertTrue(source.contains("password=***"), source)
            XCTAssertFalse("\(error)".contains("hunter2"))
            XCTAssertEqual((error as? SnapshotCreationError)?.isSourceProblem, false, "exit 2, as run and plan give for an unreachable server")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testPasswordIsTakenOutOfTheTargetForPgDump() {
        let url = SnapshotCreator.separatePassword("postgres://app:s%40cret@db.example:5432/prod?sslmode=require")
        XCTAssertEqual(url.target, "postgres://app@db.example:5432/prod?sslmode=require")
        XCTAssertEqual(url.password, "s@cret")

        let first = SnapshotCreator.separatePassword("postgresql://db/prod?password=pw&sslmode=require")
        XCTAssertEqual(first.target, "postgresql://db/prod?sslmode=require")
        XCTAssertEqual(first.password, "pw")

        let last = SnapshotCreator.separatePassword("postgresql://db/prod?sslmode=require&password=pw")
        XCTAssertEqual(last.target, "postgresql://db/prod?sslmode=require")
        XCTAssertEqual(last.password, "pw")

        let keywords = SnapshotCreator.separatePassword("host=db password='it\\'s' dbname=prod")
        XCTAssertEqual(keywords.target, "host=db dbname=prod")
        XCTAssertEqual(keywords.password, "it's")

        let none = SnapshotCreator.separatePassword("postgres://host:5432/db?application_name=a@b")
        XCTAssertEqual(none.target, "postgres://host:5432/db?application_name=a@b")
        XCTAssertNil(none.password)
    }
}
