import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class SnapshotRestoreTests: XCTestCase {
    private func restore(_ path: String) throws -> (RestoreSummary, Connection) {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        let restorer = SnapshotRestorer(snapshot: try Snapshot.open(path), createMissingRoles: true, serverMajorVersion: 15)
        return (try restorer.restore(into: connection), connection)
    }

    func testCompressedDumpRestoresSchemaDataAndMissingRoles() throws {
        let fixture = try Fixture(test: self, migrations: [:])
        let (summary, connection) = try restore(fixture.directory + "/snapshot.sql.zst")
        XCTAssertEqual(summary.rowsCopied, 4)
        XCTAssertEqual(try connection.scalar("SELECT string_agg(name, ',' ORDER BY id) FROM public.items"), "one,two;,three")
        XCTAssertEqual(try connection.scalar("SELECT note FROM public.items WHERE id = 3"), "$$")
        XCTAssertEqual(try connection.scalar("SELECT public.answer()"), "42")
        XCTAssertEqual(try connection.scalar("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'items'"), "rehearse_test_missing_owner")
        XCTAssertEqual(summary.dumpedFromVersion, "15.18")
    }

    func testPlainDumpRestoresToo() throws {
        let fixture = try Fixture(test: self, compress: false, migrations: [:])
        let (summary, _) = try restore(fixture.directory + "/snapshot.sql")
        XCTAssertEqual(summary.rowsCopied, 4)
    }

    func testShellMetaCommandIsRefusedAndNeverRun() throws {
        let marker = NSTemporaryDirectory() + "rehearse-pwned-\(UUID().uuidString)"
        let dump = Fixture.dump.replacingOccurrences(of: "SET statement_timeout = 0;", with: "SET statement_timeout = 0;\n\\! touch \(marker)")
        let fixture = try Fixture(test: self, dump: dump, migrations: [:])
        XCTAssertThrowsError(try restore(fixture.directory + "/snapshot.sql.zst")) { error in
            guard case .metaCommandRefused(_, let line, let command)? = error as? SnapshotError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 11)
            XCTAssertEqual(command, "\\!")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }

    func testTruncatedSnapshotNamesTheOffset() throws {
        let fixture = try Fixture(test: self, migrations: [:])
        let path = fixture.directory + "/snapshot.sql.zst"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try restore(path)) { error in
            guard case .truncated? = error as? SnapshotError else { return XCTFail("\(error)") }
        }
    }

    func testNewerDumpIsRefusedBeforeAnythingRuns() throws {
        let dump = Fixture.dump.replacingOccurrences(of: "pg_dump version 15.18", with: "pg_dump version 17.2")
        let fixture = try Fixture(test: self, dump: dump, migrations: [:])
        XCTAssertThrowsError(try restore(fixture.directory + "/snapshot.sql.zst")) { error in
            guard case .newerDump(_, 17, 15)? = error as? SnapshotError else { return XCTFail("\(error)") }
        }
    }

    func testFailingStatementNamesItsDumpLine() throws {
        let dump = Fixture.dump.replacingOccurrences(of: "CREATE TABLE public._schema", with: "CREATE TABLEX oops;\nCREATE TABLE public._schema")
        let fixture = try Fixture(test: self, dump: dump, migrations: [:])
        XCTAssertThrowsError(try restore(fixture.directory + "/snapshot.sql.zst")) { error in
            guard case .statementFailed(_, let line, let postgres)? = error as? SnapshotError else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 23)
            XCTAssertEqual(postgres.sqlState, "42601")
        }
    }

    func testFailedRestoreLeavesNoTemplateBehind() throws {
        let dump = Fixture.dump.replacingOccurrences(of: "CREATE TABLE public._schema", with: "CREATE TABLEX oops;\nCREATE TABLE public._schema")
        let fixture = try Fixture(test: self, dump: dump, migrations: Fixture.baseMigrations)
        let (report, error) = try fixture.runStopped()
        XCTAssertTrue(error is SnapshotError, "\(error)")
        XCTAssertEqual(report.exitCode, 2)
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        let names = try ScratchDatabases(server: try TestServer.shared()).list().map(\.name)
        XCTAssertFalse(names.contains { $0.hasPrefix(TemplateCache.templateName(for: snapshot)) }, "\(names)")
    }

    func testSecondRunClonesTheCachedTemplate() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_noop.up.sql"] = "SELECT 1;"
        migrations["2_noop.down.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, dump: Fixture.dump + "-- variant \(UUID().uuidString)\n", migrations: migrations)
        let first = try fixture.run()
        let second = try fixture.run()
        XCTAssertFalse(first.snapshot.fromCache)
        XCTAssertNotNil(first.snapshot.restore)
        XCTAssertTrue(second.snapshot.fromCache)
        XCTAssertEqual(first.snapshot.sha256, second.snapshot.sha256)
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        try ScratchDatabases(server: try TestServer.shared()).drop(TemplateCache.templateName(for: snapshot))
    }
}

final class ParallelRestoreTests: XCTestCase {
    func testParallelRestoreGivesTheSameSchemaAndDataAsSequential() throws {
        let fixture = try Fixture(test: self, migrations: [:])
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        var fingerprints: [SchemaFingerprint] = []
        var counts: [String?] = []
        for workers in [0, 2] {
            let (server, database) = try TestServer.scratchDatabase(for: self)
            let connection = try server.connect(database: database)
            var restorer = SnapshotRestorer(snapshot: snapshot, createMissingRoles: true, serverMajorVersion: 15)
            restorer.workers = workers
            let target = server.connectionTarget
            restorer.connect = { try Connection(target, database: database) }
            let summary = try restorer.restore(into: connection)
            XCTAssertEqual(summary.rowsCopied, 4, "workers: \(workers)")
            fingerprints.append(try SchemaFingerprint.read(on: connection))
            counts.append(try connection.scalar("SELECT count(*) || ':' || sum(id) FROM public.items"))
        }
        XCTAssertEqual(fingerprints[0].differences(to: fingerprints[1]), [])
        XCTAssertEqual(counts[0], counts[1])
        XCTAssertNotNil(fingerprints[1].objects[.init(kind: "index", name: "public.items_pkey")], "post-data ran")
    }

    /// Loaders that read too far apart in the snapshot part ways: one goes on with its own
    /// decompression, and the database is the same as a sequential restore's.
    func testLoadersThatReadTooFarApartStillRestoreLikeSequential() throws {
        let rows = (1...40_000).map { "\($0)\tname \($0) \(String(repeating: "x", count: $0 % 50))\t\\N\n" }.joined()
        let dump = Fixture.dump.replacingOccurrences(of: "1\tone\t\\N\n2\ttwo;\tx\n3\tthree\t$$\n", with: rows)
        XCTAssertGreaterThan(rows.utf8.count, 4 * (128 << 10), "several pieces of decompressed data")
        let fixture = try Fixture(test: self, dump: dump, migrations: [:])
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        var results: [String?] = []
        for (workers, window) in [(0, 0), (2, 1), (3, 1 << 20)] {
            let (server, database) = try TestServer.scratchDatabase(for: self)
            let connection = try server.connect(database: database)
            var restorer = SnapshotRestorer(snapshot: snapshot, createMissingRoles: true, serverMajorVersion: 15)
            restorer.workers = workers
            restorer.loaderWindow = window
            let target = server.connectionTarget
            restorer.connect = { try Connection(target, database: database) }
            let summary = try restorer.restore(into: connection)
            XCTAssertEqual(summary.rowsCopied, 40_001, "workers: \(workers)")
            XCTAssertEqual(summary.uncompressedBytes, UInt64(dump.utf8.count), "workers: \(workers)")
            results.append(try connection.scalar("SELECT count(*) || ':' || sum(id) || ':' || md5(string_agg(name, ',' ORDER BY id)) FROM public.items"))
        }
        XCTAssertEqual(Set(results).count, 1, "\(results)")
        XCTAssertNotNil(results[0])
    }

    /// The fixture dump with a child table whose rows reference items, as pg_dump writes it.
    private static func dumpWithForeignKey(childRows: String) -> String {
        Fixture.dump
            .replacingOccurrences(of: "CREATE TABLE public._schema_migrations", with: """
                CREATE TABLE public.children (id integer NOT NULL, item_id integer);
                CREATE TABLE public._schema_migrations
                """)
            .replacingOccurrences(of: "COPY public._schema_migrations", with: "COPY public.children (id, item_id) FROM stdin;\n\(childRows)\\.\n\nCOPY public._schema_migrations")
            .replacingOccurrences(of: "GRANT SELECT", with: """
                ALTER TABLE ONLY public.children ADD CONSTRAINT children_pkey PRIMARY KEY (id);
                ALTER TABLE ONLY public.children
                    ADD CONSTRAINT children_item_id_fkey FOREIGN KEY (item_id) REFERENCES public.items(id) ON DELETE CASCADE;
                GRANT SELECT
                """)
    }

    private func restoreInParallel(
        _ fixture: Fixture, trusting: Bool = false, masked: [String] = [], sizes: [String: Int64] = [:]
    ) throws -> (Connection, RestoreSummary) {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let connection = try server.connect(database: database)
        var restorer = SnapshotRestorer(snapshot: try Snapshot.open(fixture.directory + "/snapshot.sql.zst"), createMissingRoles: true, serverMajorVersion: 15)
        restorer.workers = 2
        restorer.vacuumAnalyze = true
        restorer.trustsForeignKeys = trusting
        restorer.maskedColumns = masked
        restorer.tableSizes = sizes
        let target = server.connectionTarget
        restorer.connect = { try Connection(target, database: database) }
        let summary = try restorer.restore(into: connection)
        return (connection, summary)
    }

    func testForeignKeysEndValidatedAndTablesAnalyzed() throws {
        let fixture = try Fixture(test: self, dump: Self.dumpWithForeignKey(childRows: "1\t1\n2\t3\n3\t\\N\n"), migrations: [:])
        for trusting in [false, true] {
            let (connection, summary) = try restoreInParallel(fixture, trusting: trusting)
            XCTAssertEqual(try connection.scalar("""
                SELECT convalidated::text || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'children_item_id_fkey'
                """), "true:FOREIGN KEY (item_id) REFERENCES public.items(id) ON DELETE CASCADE", "trusting: \(trusting)")
            XCTAssertEqual(try connection.scalar("""
                SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL
                """), "_schema_migrations,children,items")
            XCTAssertEqual(summary.trustedForeignKeys, trusting ? 1 : nil)
            // The key a trusted restore marked valid is enforced like one it checked.
            XCTAssertEqual(connection.runScript("INSERT INTO public.children VALUES (9, 99)").error?.sqlState, "23503", "trusting: \(trusting)")
        }
    }

    /// Loaders that pass blocks by for a larger table ahead (the manifest's sizes, here
    /// against the dump order, and a table the dump has no data for) still load every table once.
    func testLoadersTakingTheLargestTablesFirstLoadEveryTable() throws {
        let fixture = try Fixture(test: self, dump: Self.dumpWithForeignKey(childRows: "1\t1\n2\t3\n3\t\\N\n"), migrations: [:])
        let sizes: [String: Int64] = ["public.items": 1, "public.children": 10, "public._schema_migrations": 100, "public.absent": 1000]
        for sizes in [sizes, [:]] {
            let (connection, summary) = try restoreInParallel(fixture, sizes: sizes)
            XCTAssertEqual(summary.rowsCopied, 7, "sizes: \(sizes)")
            XCTAssertEqual(try connection.scalar("""
                SELECT (SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM public.items) || ' '
                    || (SELECT string_agg(id || ':' || coalesce(item_id::text, '-'), ',' ORDER BY id) FROM public.children) || ' '
                    || (SELECT string_agg(version || ':' || dirty, ',') FROM public._schema_migrations)
                """), "1:one,2:two;,3:three 1:1,2:3,3:- 1:false", "sizes: \(sizes)")
        }
    }

    /// A restore that checks the keys refuses a row that breaks one, at the constraint's
    /// line; a trusting one takes it as the database dumped had it, unless the key's table
    /// has a masked column.
    func testARowThatBreaksAForeignKeyFailsTheRestoreAtTheConstraintsLine() throws {
        let dump = Self.dumpWithForeignKey(childRows: "1\t1\n2\t99\n")
        let fixture = try Fixture(test: self, dump: dump, migrations: [:])
        let line = dump.components(separatedBy: "\n").firstIndex { $0.hasPrefix("ALTER TABLE ONLY public.children") && !$0.contains("PRIMARY") }! + 1
        for masked in [[], ["public.children.item_id"], ["public.items.name"]] {
            XCTAssertThrowsError(try restoreInParallel(fixture, trusting: !masked.isEmpty, masked: masked), "masked: \(masked)") { error in
                guard case .statementFailed(_, let failedLine, let failure)? = error as? SnapshotError else { return XCTFail("\(error)") }
                XCTAssertEqual(failedLine, line)
                XCTAssertEqual(failure.sqlState, "23503", failure.message)
            }
        }
        let (connection, summary) = try restoreInParallel(fixture, trusting: true, masked: ["public.child.item_id", "public.other.x"])
        XCTAssertEqual(try connection.scalar("SELECT string_agg(item_id::text, ',' ORDER BY id) FROM public.children"), "1,99")
        XCTAssertEqual(summary.trustedForeignKeys, 1)
    }

    /// On rehearse's own server the run trusts the dump's keys, except where the snapshot's
    /// manifest says a column of the key's table was masked.
    func testARunTrustsTheDumpsKeysUnlessTheManifestSaysTheirTableWasMasked() throws {
        // A snapshot of its own, so that no template cached by an earlier run stands in for the restore.
        let dump = Self.dumpWithForeignKey(childRows: "1\t1\n2\t99\n") + "-- \(UUID().uuidString)\n"
        let fixture = try Fixture(test: self, dump: dump, migrations: Fixture.baseMigrations)
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        let manifest = SnapshotManifest(
            serverVersion: "15.18", serverVersionNum: 150018, dumpedAt: "2026-12-03T00:00:00Z", database: "app",
            trackingTable: "_schema_migrations", recordedVersion: 1, dirty: false, tables: [], sha256: snapshot.sha256,
            masked: ["public.children.item_id"])
        try manifest.write(to: SnapshotManifest.path(forSnapshot: snapshot.path))
        let (_, error) = try fixture.runStopped()
        guard case .statementFailed(_, _, let failure)? = error as? SnapshotError else { return XCTFail("\(error)") }
        XCTAssertEqual(failure.sqlState, "23503", failure.message)

        try FileManager.default.removeItem(atPath: SnapshotManifest.path(forSnapshot: snapshot.path))
        let report = try fixture.run()
        XCTAssertNil(report.failure)
        XCTAssertEqual(report.snapshot.restore?.trustedForeignKeys, 1)
        XCTAssertEqual(report.snapshot.restore?.trustNote?.hasPrefix("1 foreign key(s) taken as valid"), true)
    }

    /// A real pg_dump of the shapes whose order matters: a key referencing a partitioned
    /// table (valid only once the partitions' indexes are attached), two tables that
    /// reference each other, and a key the source keeps NOT VALID.
    func testPgDumpOfPartitionsAndMutualKeysRestoresLikeSequential() throws {
        let (server, source) = try TestServer.scratchDatabase(for: self)
        try server.connect(database: source).execute("""
            CREATE TABLE events (id int NOT NULL, day date NOT NULL, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
            CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
            INSERT INTO events VALUES (1, '2026-03-01'), (2, '2027-03-01');
            CREATE TABLE notes (id int PRIMARY KEY, event_id int, event_day date, FOREIGN KEY (event_id, event_day) REFERENCES events);
            INSERT INTO notes VALUES (1, 1, '2026-03-01'), (2, 2, '2027-03-01');
            CREATE TABLE a (id int PRIMARY KEY, b_id int);
            CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
            ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;
            INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (1, 1); UPDATE a SET b_id = 1;
            INSERT INTO b VALUES (2, NULL);
            ALTER TABLE b ADD CONSTRAINT b_self FOREIGN KEY (a_id) REFERENCES b NOT VALID;
            CREATE TABLE _schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
            """)
        let directory = try TestServer.temporaryDirectory(for: self)
        let target = server.connectionTarget.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(source)")
        _ = try SnapshotCreator.create(from: target, to: directory + "/snap.sql.zst", level: 1)
        let snapshot = try Snapshot.open(directory + "/snap.sql.zst")
        var fingerprints: [SchemaFingerprint] = []
        var constraints: [String?] = []
        for (workers, trusting) in [(0, false), (2, false), (2, true)] {
            let (_, database) = try TestServer.scratchDatabase(for: self)
            let connection = try server.connect(database: database)
            var restorer = SnapshotRestorer(snapshot: snapshot, createMissingRoles: true, serverMajorVersion: server.binaries.majorVersion)
            restorer.workers = workers
            restorer.trustsForeignKeys = trusting
            let restoreTarget = server.connectionTarget
            restorer.connect = { try Connection(restoreTarget, database: database) }
            _ = try restorer.restore(into: connection)
            fingerprints.append(try SchemaFingerprint.read(on: connection))
            constraints.append(try connection.scalar(
                "SELECT string_agg(conrelid::regclass || '.' || conname || '=' || convalidated, ' ' ORDER BY conname) FROM pg_constraint WHERE contype = 'f'"))
        }
        XCTAssertEqual(fingerprints[0].differences(to: fingerprints[1]), [])
        XCTAssertEqual(fingerprints[0].differences(to: fingerprints[2]), [])
        XCTAssertEqual(constraints[1], constraints[0])
        XCTAssertEqual(constraints[2], constraints[0], "trusted keys end as checked ones; the one the source keeps NOT VALID stays so")
        XCTAssertEqual(constraints[1]?.contains("b.b_self=false"), true, constraints[1] ?? "")
        XCTAssertEqual(constraints[1]?.contains("notes.notes_event_id_event_day_fkey1=true"), true, "the key's clones on the partitions are valid too")
    }

    func testPostDataBecomesJobsPerTableWithForeignKeysAddedThenValidated() {
        let plan = PostDataPlan([
            ("ALTER TABLE ONLY public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id);", 1),
            ("CREATE INDEX a_x ON public.a USING btree (x);", 2),
            ("ALTER TABLE ONLY public.b\n    ADD CONSTRAINT b_a_fkey FOREIGN KEY (a_id) REFERENCES public.a(id) ON DELETE CASCADE;", 3),
            ("CREATE TRIGGER t BEFORE INSERT ON public.a FOR EACH ROW EXECUTE FUNCTION f();", 4),
            ("CREATE UNIQUE INDEX b_u ON ONLY public.b USING btree (u);", 5),
            ("ALTER TABLE ONLY public.b\n    ADD CONSTRAINT \"b c\" FOREIGN KEY (c_id) REFERENCES public.c(id) NOT VALID;", 6),
            ("ALTER TABLE public.parted\n    ADD CONSTRAINT p_a_fkey FOREIGN KEY (a_id) REFERENCES public.a(id);", 7),
        ])
        XCTAssertEqual(plan.jobs.map(\.key), ["indexes public.a", "foreign keys public.b", "indexes public.b", "foreign keys public.parted"])
        XCTAssertEqual(plan.jobs.map { $0.statements.map(\.line) }, [[1, 2], [3, 6, 3], [5], [7]], "adds first, then validations")
        XCTAssertEqual(plan.jobs[1].statements.map(\.sql), [
            "ALTER TABLE ONLY public.b\n    ADD CONSTRAINT b_a_fkey FOREIGN KEY (a_id) REFERENCES public.a(id) ON DELETE CASCADE NOT VALID;",
            "ALTER TABLE ONLY public.b\n    ADD CONSTRAINT \"b c\" FOREIGN KEY (c_id) REFERENCES public.c(id) NOT VALID;",
            "ALTER TABLE ONLY public.b VALIDATE CONSTRAINT b_a_fkey;",
        ], "a constraint the dump keeps NOT VALID is not validated")
        XCTAssertEqual(plan.jobs[3].statements.map(\.sql), ["ALTER TABLE public.parted\n    ADD CONSTRAINT p_a_fkey FOREIGN KEY (a_id) REFERENCES public.a(id);"],
                       "a partitioned table's foreign key cannot be added NOT VALID")
        XCTAssertEqual(PostDataPlan.addedThenValidated(("ALTER TABLE ONLY public.\"T\"\n    ADD CONSTRAINT \"my fk\" FOREIGN KEY (a) REFERENCES public.\"Other\"(id);", 9)).map(\.sql),
                       ["ALTER TABLE ONLY public.\"T\"\n    ADD CONSTRAINT \"my fk\" FOREIGN KEY (a) REFERENCES public.\"Other\"(id) NOT VALID;",
                        "ALTER TABLE ONLY public.\"T\" VALIDATE CONSTRAINT \"my fk\";"], "quoted names stay quoted")
        XCTAssertEqual(PostDataPlan.addedThenValidated(("ALTER TABLE ONLY public.\"T\"\n    ADD CONSTRAINT \"it's \"\"my\"\" fk\" FOREIGN KEY (a) REFERENCES public.\"Other\"(id);", 9), trusted: true)
                       .map(\.sql).last,
                       "UPDATE pg_catalog.pg_constraint SET convalidated = true WHERE contype = 'f' AND conrelid = 'public.\"T\"'::regclass AND conname = 'it''s \"my\" fk';",
                       "a trusted key is marked valid by the name the catalog has")
        XCTAssertEqual(PostDataPlan.nameParts("public.\"My.\"\"Table\"\"\""), ["public", "My.\"Table\""])
        XCTAssertEqual(PostDataPlan.nameParts("s.t"), ["s", "t"])
        let trusting = PostDataPlan([("ALTER TABLE ONLY public.b\n    ADD CONSTRAINT b_a_fkey FOREIGN KEY (a_id) REFERENCES public.a(id);", 3)], trusts: { $1 == "public.a" })
        XCTAssertEqual(trusting.jobs[0].statements.map { PostDataPlan.isMarkedValid($0.sql) }, [false, true])
        XCTAssertEqual(PostDataPlan.referencedTable("ALTER TABLE ONLY a ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES public.\"Other\"(id);"), "public.\"Other\"")
        XCTAssertEqual(plan.jobs[1].referencedTables, ["public.a", "public.c"])
        XCTAssertEqual(plan.prerequisites(of: plan.jobs[1]), ["indexes public.b", "indexes public.a"], "no job builds public.c's indexes")
        XCTAssertEqual(plan.prerequisites(of: plan.jobs[0]), [])
        XCTAssertEqual(plan.rest.map(\.line), [4])

        let statements: [PostDataPlan.Statement] = [
            ("ALTER TABLE ONLY public.p ADD CONSTRAINT p_pkey PRIMARY KEY (id, day);", 1),
            ("ALTER TABLE ONLY public.p_1 ADD CONSTRAINT p_1_pkey PRIMARY KEY (id, day);", 2),
            ("ALTER INDEX public.p_pkey ATTACH PARTITION public.p_1_pkey;", 3),
            ("ALTER TABLE ONLY public.n ADD CONSTRAINT n_fkey FOREIGN KEY (p_id, p_day) REFERENCES public.p(id, day);", 4),
        ]
        let partitioned = PostDataPlan(statements)
        XCTAssertEqual(partitioned.jobs.map(\.key), ["indexes public.p", "indexes public.p_1", "index attachments ", "foreign keys public.n"])
        XCTAssertEqual(partitioned.prerequisites(of: partitioned.jobs[2]), ["indexes public.p", "indexes public.p_1"])
        XCTAssertEqual(partitioned.prerequisites(of: partitioned.jobs[3]), ["indexes public.p", "index attachments "],
                       "a key to a partitioned table waits for the attachments")
        XCTAssertEqual(PostDataPlan(statements, partitionedTables: ["public.p"]).jobs[3].statements.map(\.sql), [statements[3].sql],
                       "added whole: validating later would leave its clones on the partitions NOT VALID")
    }

    func testJobsWaitForTheirTablesDataAndTheBiggestChainGoesFirst() {
        let plan = PostDataPlan([
            ("ALTER TABLE ONLY public.small ADD CONSTRAINT small_pkey PRIMARY KEY (id);", 1),
            ("ALTER TABLE ONLY public.big ADD CONSTRAINT big_pkey PRIMARY KEY (id);", 2),
            ("ALTER TABLE ONLY public.big ADD CONSTRAINT big_small_fkey FOREIGN KEY (small_id) REFERENCES public.small(id);", 3),
        ])
        let jobs = SnapshotRestorer.jobs(of: plan, tableBytes: ["public.small": 10, "public.big": 1000], vacuumAt: ["public.small": 7, "public.big": 9])
        let byKey = Dictionary(uniqueKeysWithValues: jobs.map { ($0.key, $0) })
        XCTAssertEqual(byKey["indexes public.small"]?.prerequisites, ["data public.small"])
        XCTAssertEqual(byKey["foreign keys public.big"]?.prerequisites,
                       ["indexes public.big", "indexes public.small", "data public.big", "data public.small"])
        XCTAssertGreaterThan(byKey["indexes public.small"]!.priority, byKey["indexes public.big"]!.priority,
                             "the small table's key is what the big table's foreign key waits for")
        XCTAssertEqual(byKey["vacuum public.small"]?.prerequisites, ["indexes public.small", "foreign keys public.big", "data public.small"])
        XCTAssertEqual(byKey["vacuum public.big"]?.statements.map(\.sql), ["VACUUM (ANALYZE) public.big"])
        XCTAssertEqual(byKey["vacuum public.big"]?.statements.map(\.line), [9], "a failure names the table's COPY line")
        XCTAssertNil(SnapshotRestorer.jobs(of: plan, tableBytes: [:]).first { $0.key.hasPrefix("vacuum") })
    }
}

final class BadSnapshotTests: XCTestCase {
    private func restore(_ path: String) throws {
        let (server, database) = try TestServer.scratchDatabase(for: self)
        let restorer = SnapshotRestorer(snapshot: try Snapshot.open(path), createMissingRoles: true, serverMajorVersion: 15)
        _ = try restorer.restore(into: try server.connect(database: database))
    }

    func testCorruptZstdFrameNamesTheOffset() throws {
        let fixture = try Fixture(test: self, migrations: [:])
        let path = fixture.directory + "/snapshot.sql.zst"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for index in stride(from: 20, to: bytes.count - 8, by: 7) { bytes[index] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try restore(path)) { error in
            switch error as? SnapshotError {
            case .corrupt(_, let offset, _)?: XCTAssertLessThanOrEqual(offset, UInt64(bytes.count))
            case .notADump?, .truncated?: break  // a flipped header byte can read as either
            default: XCTFail("\(error)")
            }
        }
    }

    func testEmptyFileAndDirectoryAreRefused() throws {
        let directory = try TestServer.temporaryDirectory(for: self)
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/empty.sql.zst", contents: Data()))
        XCTAssertThrowsError(try Snapshot.open(directory + "/empty.sql.zst")) { error in
            guard case .empty? = error as? SnapshotError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Snapshot.open(directory)) { error in
            guard case .unsupported(_, let what, _)? = error as? SnapshotError else { return XCTFail("\(error)") }
            XCTAssertTrue(what.contains("directory without pg_dump's toc.dat"), what)
        }
    }

    func testZstdOfSomethingThatIsNotADumpIsRefused() throws {
        let directory = try TestServer.temporaryDirectory(for: self)
        try TestServer.write("just some text\nthat is not a pg_dump\n", to: directory + "/notes.txt")
        XCTAssertEqual(try Fixture.shell("/usr/bin/zstd", ["-q", directory + "/notes.txt", "-o", directory + "/notes.sql.zst"]), 0)
        XCTAssertThrowsError(try restore(directory + "/notes.sql.zst")) { error in
            guard case .notADump? = error as? SnapshotError else { return XCTFail("\(error)") }
        }
    }
}

final class TrackingTableShapeTests: XCTestCase {
    func testTrackingTableOfTheWrongShapeIsRefused() throws {
        let dump = Fixture.dump
            .replacingOccurrences(of: "CREATE TABLE public._schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL);",
                                  with: "CREATE TABLE public._schema_migrations (id bigint NOT NULL, applied_at text);")
            .replacingOccurrences(of: "COPY public._schema_migrations (version, dirty) FROM stdin;", with: "COPY public._schema_migrations (id, applied_at) FROM stdin;")
            .replacingOccurrences(of: "ADD CONSTRAINT _schema_migrations_pkey PRIMARY KEY (version);", with: "ADD CONSTRAINT _schema_migrations_pkey PRIMARY KEY (id);")
        let fixture = try Fixture(test: self, dump: dump, migrations: Fixture.baseMigrations)
        let (_, error) = try fixture.runStopped()
        guard case .trackingTableShape(let table, let found)? = error as? MigrationRunError else { return XCTFail("\(error)") }
        XCTAssertEqual(table, "_schema_migrations")
        XCTAssertTrue(found.contains("applied_at"), found)
    }
}
