import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

/// The executable as people and CI use it: exit codes, one-line errors, signals, outputs.
/// Runs use their own REHEARSE_HOME (the shared test server holds the default one).
final class CommandLineTests: XCTestCase {
    static let home: String = {
        let base = getuid() == 0 ? "/var/tmp" : NSTemporaryDirectory()
        return base + "/rehearse-cli-test-\(getpid())"
    }()

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: home)
        super.tearDown()
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private func binary() throws -> String {
        let path = TestServer.repositoryRoot + "/.build/debug/rehearse"
        guard FileManager.default.isExecutableFile(atPath: path) else { throw XCTSkip("build the executable first (scripts/test does)") }
        return path
    }

    @discardableResult
    private func rehearse(
        _ arguments: [String], interruptAfter: Double? = nil, interrupts: Int = 1, environment: [String: String] = [:], in workingDirectory: String? = nil,
        interruptOn: String? = nil
    ) throws -> Outcome {
        let process = Process()
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["REHEARSE_HOME"] = Self.home
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "REHEARSE_DATABASE_URL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let directory = try TestServer.temporaryDirectory(for: self)
        let out = directory + "/stdout", err = directory + "/stderr"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        try process.run()
        if let interruptOn {
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning, Date() < deadline, (try? String(contentsOfFile: err, encoding: .utf8))?.contains(interruptOn) != true {
                Thread.sleep(forTimeInterval: 0.05)
            }
            kill(process.processIdentifier, SIGINT)
        }
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            for _ in 0..<interrupts {
                kill(process.processIdentifier, SIGINT)
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    func testUnknownScenarioKeyExitsTwoWithOneLineNamingIt() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations, extra: "lock_timout: 5s")
        let outcome = try rehearse(["run", fixture.scenarioPath])
        XCTAssertEqual(outcome.status, 2)
        let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("rehearse: error:") }
        XCTAssertEqual(errors.count, 1, outcome.stderr)
        XCTAssertTrue(errors[0].contains("lock_timout") && errors[0].contains(":5:"), outcome.stderr)
    }

    func testUsageErrorsExitTwoAsDocumented() throws {
        let outOfRange = try rehearse(["run", "x.yaml", "--sample-interval", "0"])
        XCTAssertEqual(outOfRange.status, 2)
        XCTAssertTrue(outOfRange.stderr.contains("--sample-interval must be 1 to 1000 milliseconds"), outOfRange.stderr)
        XCTAssertEqual(try rehearse(["no-such-command"]).status, 2)
        XCTAssertEqual(try rehearse(["--help"]).status, 0)
    }

    func testMigratesCommandLineGetsOneLineAndExitTwoNeverHelp() throws {
        for arguments in [["-path", "db/migrations", "-database", "postgres://localhost/app", "up"], ["up"], ["goto", "3"], ["version"], ["run", "-snapshot", "x"]] {
            let outcome = try rehearse(arguments)
            XCTAssertEqual(outcome.status, 2, "\(arguments)")
            XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
            XCTAssertTrue(outcome.stderr.hasPrefix("rehearse: error: "), outcome.stderr)
            XCTAssertFalse(outcome.stdout.contains("USAGE") || outcome.stderr.contains("USAGE"), "\(arguments): help text")
        }
        XCTAssertTrue(try rehearse(["-database", "postgres://x", "up"]).stderr.contains("--snapshot"))
    }

    func testAFirstRunNeedsNoScenarioFile() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations, trackingTable: nil)
        try FileManager.default.removeItem(atPath: fixture.scenarioPath)
        let none = try rehearse(["plan"], in: fixture.directory)
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("rehearse init") && none.stderr.contains("--snapshot FILE and --migrations DIR"), none.stderr)
        let plan = try rehearse(["plan", "--snapshot", "snapshot.sql.zst", "--migrations", "migrations"], in: fixture.directory)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("tracking table: _schema_migrations (found in the snapshot)"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("recorded version: 1"), plan.stdout)
        XCTAssertTrue(plan.stderr.contains("found in the snapshot"), "the terminal says it too: \(plan.stderr)")
    }

    func testInitWritesAScenarioThatRunsAndKeepsAnExistingOne() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations, trackingTable: nil)
        try FileManager.default.removeItem(atPath: fixture.scenarioPath)
        try FileManager.default.removeItem(atPath: fixture.directory + "/snapshot.sql")
        let written = try rehearse(["init"], in: fixture.directory)
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertTrue(written.stderr.contains("migrations: migrations (found)"), written.stderr)
        XCTAssertTrue(written.stderr.contains("snapshot: snapshot.sql.zst (found"), written.stderr)
        let scenario = try Scenario.load(fixture.directory + "/rehearse.yaml")
        XCTAssertEqual(scenario.snapshotPath, fixture.directory + "/snapshot.sql.zst")
        XCTAssertEqual(scenario.migrationsPath, fixture.migrationsPath)
        let before = try String(contentsOfFile: fixture.directory + "/rehearse.yaml", encoding: .utf8)
        let again = try rehearse(["init", "--snapshot", "snapshot.sql.zst"], in: fixture.directory)
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("--force"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: fixture.directory + "/rehearse.yaml", encoding: .utf8), before, "left as it was")
        let plan = try rehearse(["plan"], in: fixture.directory)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("recorded version: 1"), plan.stdout)
    }

    func testAnOutThatCannotHoldTheReportIsRefusedBeforeAnythingRuns() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        for out in [fixture.scenarioPath, fixture.scenarioPath + "/reports"] {
            let outcome = try rehearse(["run", fixture.scenarioPath, "--out", out])
            XCTAssertEqual(outcome.status, 2, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("--out \(out):") && outcome.stderr.contains("nothing was run"), outcome.stderr)
            XCTAssertFalse(outcome.stderr.contains("starting the embedded"), "refused before the server starts: \(outcome.stderr)")
        }
    }

    func testAnUnreachableServerExitsTwoFromEveryCommand() throws {
        let directory = try TestServer.temporaryDirectory(for: self)
        let url = "postgresql://rehearse@127.0.0.1:1/app"
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        for arguments in [["run", fixture.scenarioPath, "--database-url", url], ["plan", fixture.scenarioPath, "--database-url", url],
                          ["snapshot", "create", "--from", url, "--out", directory + "/s.sql.zst"]] {
            let outcome = try rehearse(arguments)
            XCTAssertEqual(outcome.status, 2, "\(arguments[0]): \(outcome.stderr)")
        }
    }

    func testAnInterruptDuringTheRestoreLeavesThePartialReport() throws {
        let home = try TestServer.temporaryDirectory(for: self) + "/home"
        let out = try TestServer.temporaryDirectory(for: self) + "/out"
        let outcome = try rehearse(
            ["run", TestServer.repositoryRoot + "/scenarios/clipper.yaml", "--out", out, "--no-spare"],
            environment: ["REHEARSE_HOME": home], interruptOn: "hashing snapshot")
        XCTAssertEqual(outcome.status, 3, outcome.stderr)
        let report = try JSONReport.decode(Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        XCTAssertTrue(report.interrupted)
        XCTAssertEqual(report.migrations.count, 0, "stopped before the plan")
        XCTAssertTrue(outcome.stderr.contains("interrupted: cancelling"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.hasSuffix("\n"), "every line ends")
    }

    func testPathsAreRelativeToTheRepositoryAndFindingsAnnotateTheirLinesInGitHubActions() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add.up.sql"] = "ALTER TABLE items ADD COLUMN extra int;"
        migrations["2_add.down.sql"] = ""
        let fixture = try Fixture(test: self, migrations: migrations)
        try FileManager.default.createDirectory(atPath: fixture.directory + "/.git", withIntermediateDirectories: true)
        let out = fixture.directory + "/out"
        let outcome = try rehearse(["run", fixture.scenarioPath, "--out", out], environment: ["GITHUB_ACTIONS": "true"], in: "/")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let report = try JSONReport.decode(Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        XCTAssertEqual(report.migrations.first?.upFile, "migrations/2_add.up.sql", "relative to the git top level, whatever the working directory")
        XCTAssertEqual(report.scenario.file, "scenario.yaml")
        XCTAssertTrue(outcome.stdout.contains("::warning file=migrations/2_add.down.sql,title=rehearse down.empty::"), outcome.stdout)
        XCTAssertFalse(outcome.stdout.contains(fixture.directory + "/migrations"), "no absolute path to a migration: \(outcome.stdout)")
        let sarif = try String(contentsOfFile: out + "/report.sarif", encoding: .utf8)
        XCTAssertTrue(sarif.contains("\"uri\" : \"migrations/2_add.down.sql\""), sarif)
    }

    func testALongRunPrintsOneLinePerMigration() throws {
        var migrations = Fixture.baseMigrations
        for version in 2...13 {
            migrations["\(version)_add_c\(version).up.sql"] = "ALTER TABLE items ADD COLUMN c\(version) int;" + (version == 7 ? "\nUPDATE items SET name = upper(name);" : "")
            migrations["\(version)_add_c\(version).down.sql"] = "ALTER TABLE items DROP COLUMN c\(version);"
        }
        // Migration 7's down does not bring the names back: its one warning.
        let fixture = try Fixture(test: self, migrations: migrations, extra: "session:\n  lock_timeout: 2s")
        let outcome = try rehearse(["run", fixture.scenarioPath, "--out", fixture.directory + "/out"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let progress = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("  ") }
        for version in 2...13 {
            XCTAssertEqual(progress.filter { $0.hasPrefix("  \(version) add_c\(version): up ") }.count, 1, "\(version): \(outcome.stderr)")
        }
        XCTAssertEqual(progress.count, 13, "a line per migration and one for the release rollback: \(outcome.stderr)")
        XCTAssertTrue(progress.contains { $0.hasPrefix("  release rollback: ") }, outcome.stderr)
        let summary = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("  7 ") }
        XCTAssertEqual(summary.count, 1, "one summary line for the migration with problems: \(outcome.stdout)")
        XCTAssertTrue(summary.first?.contains("warning(s)") == true, outcome.stdout)
    }

    func testASnapshotInAnotherFormatIsRefusedBeforeTheServerStarts() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        let bzip = fixture.directory + "/snapshot.sql.zst"
        try Data([0x42, 0x5A, 0x68, 0x39] + [UInt8](repeating: 7, count: 64)).write(to: URL(fileURLWithPath: bzip))
        let outcome = try rehearse(["run", fixture.scenarioPath, "--out", fixture.directory + "/out"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("bzip2-compressed data") && outcome.stderr.contains("bunzip2 -c"), outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("starting the embedded"), "refused before the server starts")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.directory + "/out"), "no empty report folder left behind")
    }

    func testPlanHelpListsOnlyWhatPlanUsesAndRunHelpNamesItsFiles() throws {
        let plan = try rehearse(["plan", "--help"]).stdout
        XCTAssertFalse(plan.contains("--no-trace") || plan.contains("--sample-interval"), plan)
        XCTAssertTrue(plan.contains("--snapshot") && plan.contains("--tracking-table"), plan)
        let run = try rehearse(["run", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
        for file in ["report.json", "report.md", "report.html", "junit.xml", "report.sarif"] {
            XCTAssertTrue(run.contains(file), "run --help names \(file)")
        }
    }

    func testMissingSnapshotExitsTwo() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        try FileManager.default.removeItem(atPath: fixture.directory + "/snapshot.sql.zst")
        let outcome = try rehearse(["run", fixture.scenarioPath])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("snapshot.sql.zst") && outcome.stderr.contains("no such file"), outcome.stderr)
    }

    func testCheckAcceptsAGoodDirectoryAndRefusesADuplicate() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        XCTAssertEqual(try rehearse(["check", fixture.migrationsPath]).status, 0)
        try TestServer.write("SELECT 1;", to: fixture.migrationsPath + "/1_create_items.up.sql.bak")
        let outcome = try rehearse(["check", fixture.migrationsPath])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("duplicate up migration for version 1"), outcome.stderr)
    }

    func testCheckExitsOneOnErrorsZeroOnWarningsTwoOnNoMigrations() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_index.up.sql"] = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY items_name ON items (name);\n"
        migrations["2_index.down.sql"] = "DROP INDEX items_name;"
        let fixture = try Fixture(test: self, migrations: migrations)
        let text = try rehearse(["check", fixture.migrationsPath])
        XCTAssertEqual(text.status, 1, text.stdout + text.stderr)
        XCTAssertTrue(text.stdout.contains("error lint.no-transaction-statement: ") && text.stdout.contains("2_index.up.sql:2"), text.stdout)
        XCTAssertTrue(text.stdout.contains("1 error(s)"), text.stdout)
        let github = try rehearse(["check", fixture.migrationsPath, "--format", "github"])
        XCTAssertTrue(github.stdout.contains("::error file=") && github.stdout.contains("2_index.up.sql,line=2,"), github.stdout)
        XCTAssertEqual(try rehearse(["check", fixture.migrationsPath, "--mode", "multi-statement"]).status, 0, "warnings only")
        let sarif = try rehearse(["check", fixture.migrationsPath, "--format", "sarif"])
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)), sarif.stdout)
        let empty = try TestServer.temporaryDirectory(for: self)
        let none = try rehearse(["check", empty])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("holds no migrations"), none.stderr)
    }

    func testCreateWritesTheNextPairOfFiles() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        let outcome = try rehearse(["create", "add_things", "--dir", fixture.migrationsPath])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        for direction in ["up", "down"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: fixture.migrationsPath + "/000002_add_things.\(direction).sql"))
        }
    }

    func testRunWritesEveryFormatAndJSONOnStandardOutput() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add.up.sql"] = "ALTER TABLE items ADD COLUMN extra int;"
        migrations["2_add.down.sql"] = "ALTER TABLE items DROP COLUMN extra;"
        let fixture = try Fixture(test: self, migrations: migrations)
        let out = fixture.directory + "/out"
        let summary = fixture.directory + "/summary.md"
        FileManager.default.createFile(atPath: summary, contents: nil)
        let outcome = try rehearse(["run", fixture.scenarioPath, "--out", out, "--json"], environment: ["GITHUB_STEP_SUMMARY": summary])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let report = try JSONReport.decode(Data(outcome.stdout.utf8))
        XCTAssertEqual(report.migrations.map(\.version), [2])
        for file in ["report.json", "report.md", "report.html", "junit.xml", "report.sarif"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        XCTAssertTrue(try String(contentsOfFile: summary, encoding: .utf8).contains("Migration rehearsal: fixture"))
        let html = try rehearse(["report", out + "/report.json", "--format", "html"])
        XCTAssertTrue(html.stdout.hasPrefix("<!DOCTYPE html>"), String(html.stdout.prefix(40)))
        let diff = try rehearse(["diff", out + "/report.json", out + "/report.json"])
        XCTAssertEqual(diff.status, 0, diff.stderr)
    }

    func testPlanJSONSaysHowTheSnapshotWasRestoredAndRemembersItsHash() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        XCTAssertEqual(try rehearse(["cache", "prune", "--all"]).status, 0)
        let cold = try rehearse(["plan", fixture.scenarioPath, "--json"])
        XCTAssertEqual(cold.status, 0, cold.stderr)
        let first = try JSONReport.decode(Data(cold.stdout.utf8))
        XCTAssertFalse(first.snapshot.fromCache)
        XCTAssertGreaterThan(first.snapshot.restoreMs, first.snapshot.restore?.durationMs ?? .infinity,
                             "the cold figure includes the settings restarts around the load")
        XCTAssertEqual(first.snapshot.sha256, snapshot.sha256)
        XCTAssertEqual(first.migrations.count, 0, "plan runs nothing")
        let cluster = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: Self.home).first { $0.hasPrefix("pg") })
        XCTAssertEqual(SnapshotHashCache(directory: Self.home + "/" + cluster).hash(of: fixture.directory + "/snapshot.sql.zst"), snapshot.sha256)

        let warm = try JSONReport.decode(Data(try rehearse(["plan", fixture.scenarioPath, "--json", "--no-spare"]).stdout.utf8))
        XCTAssertTrue(warm.snapshot.fromCache)
        XCTAssertEqual(warm.snapshot.fromSpare, true, "the cold plan left a spare copy")
        XCTAssertEqual(warm.snapshot.restoreMs, 0)
        XCTAssertEqual(warm.snapshot.sha256, snapshot.sha256)
        let copied = try rehearse(["plan", fixture.scenarioPath, "--json"])
        XCTAssertEqual(try JSONReport.decode(Data(copied.stdout.utf8)).snapshot.fromSpare, false, "--no-spare left none")
        XCTAssertTrue(copied.stderr.contains("spare copy of the cached snapshot ready for the next run"), copied.stderr)
    }

    func testInterruptWritesAPartialReportExitsThreeAndLeavesNoServer() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_hang.up.sql"] = "SELECT pg_sleep(60);"
        migrations["2_hang.down.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, migrations: migrations)
        // A first run creates the cluster and caches the template, so the second reaches the step fast.
        try rehearse(["plan", fixture.scenarioPath])
        let out = fixture.directory + "/out"
        let outcome = try rehearse(["run", fixture.scenarioPath, "--out", out], interruptAfter: 4)
        XCTAssertEqual(outcome.status, 3, outcome.stderr)
        let report = try JSONReport.decode(Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        XCTAssertTrue(report.interrupted)
        XCTAssertEqual(TestServer.processes(mentioning: Self.home), [], "no server process of this home is left")
    }

    func testAFailingTrackingWriteExitsThreeAndStillLeavesThePartialReport() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_drop_tracking.up.sql"] = "DROP TABLE _schema_migrations;"
        migrations["2_drop_tracking.down.sql"] = "SELECT 1;"
        migrations["3_later.up.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, migrations: migrations)
        let out = fixture.directory + "/out"
        let outcome = try rehearse(["run", fixture.scenarioPath, "--out", out])
        XCTAssertEqual(outcome.status, 3, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("rehearse: error: "), outcome.stderr)
        let report = try JSONReport.decode(Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        XCTAssertTrue(report.failure?.contains("_schema_migrations") ?? false, report.failure ?? "")
        XCTAssertEqual(report.failureKind, .server)
        XCTAssertEqual(report.migrations.map(\.version), [2, 3], "every pending migration is in the partial report")
        XCTAssertEqual(report.migrations.last?.verdict, .notRun)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/report.md"))
    }

    func testTwoRunsOnOneEmbeddedDataDirectoryBothComplete() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_add.up.sql"] = "ALTER TABLE items ADD COLUMN extra int;"
        migrations["2_add.down.sql"] = "ALTER TABLE items DROP COLUMN extra;"
        let fixture = try Fixture(test: self, migrations: migrations)
        let outcomes = LockedBox<[Int32]>([])
        let group = DispatchGroup()
        let scenario = fixture.scenarioPath
        let binary = try binary()
        let home = Self.home
        for _ in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["run", scenario, "--quiet", "--out", NSTemporaryDirectory() + "rehearse-twin-\(UUID().uuidString)"]
                var env = ProcessInfo.processInfo.environment
                env["REHEARSE_HOME"] = home
                process.environment = env
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try? process.run()
                process.waitUntilExit()
                outcomes.withValue { $0.append(process.terminationStatus) }
            }.start()
        }
        group.wait()
        XCTAssertEqual(outcomes.value, [0, 0], "the second waits for the first, then runs")
    }

    func testURLWhoseDatabaseDoesNotExistExitsTwoWithAHint() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        let embedded = try TestServer.shared()
        let target = embedded.connectionTarget.replacingOccurrences(of: "dbname=postgres", with: "dbname=no_such_database")
        let outcome = try rehearse(["run", fixture.scenarioPath, "--database-url", target])
        XCTAssertEqual(outcome.status, 2, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("no_such_database") && outcome.stderr.contains("does not exist"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("rehearse creates its own scratch database"), outcome.stderr)
    }

    func testSecondInterruptExitsAtOnceAndStillStopsTheServer() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_hang.up.sql"] = "SELECT pg_sleep(60);"
        migrations["2_hang.down.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, migrations: migrations)
        try rehearse(["plan", fixture.scenarioPath])
        let started = Date()
        let outcome = try rehearse(["run", fixture.scenarioPath, "--out", fixture.directory + "/out"], interruptAfter: 4, interrupts: 2)
        XCTAssertEqual(outcome.status, 3, outcome.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "did not wait for the 60 s statement")
        for _ in 0..<100 {
            if TestServer.processes(mentioning: Self.home).isEmpty { return }
            usleep(50_000)
        }
        XCTFail("a server process of this home is still running")
    }

    func testWrongDatabaseURLExitsTwoWithoutThePassword() throws {
        let fixture = try Fixture(test: self, migrations: Fixture.baseMigrations)
        let outcome = try rehearse(["run", fixture.scenarioPath, "--database-url", "postgresql://bob:s3cret@/x?host=/nonexistent-dir"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertFalse(outcome.stderr.contains("s3cret"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("bob:***@"), outcome.stderr)
    }
}
