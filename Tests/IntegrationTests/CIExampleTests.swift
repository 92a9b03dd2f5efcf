import Foundation
import XCTest
import Yams
@testable import Rehearsal

/// The CI examples in docs/ci (shown verbatim in the README) work as written: the workflow
/// files parse, rehearse is installed before it is used, the template cache key does not
/// follow the snapshot, and their shell steps, run here in order on a project like the
/// reader's (the install step left out: the debug build is on PATH), end in a report.
final class CIExampleTests: XCTestCase {
    private let examples = TestServer.repositoryRoot + "/docs/ci"

    private func load(_ name: String) throws -> [String: Any] {
        let text = try String(contentsOfFile: examples + "/" + name, encoding: .utf8)
        // Without YAML 1.1 booleans: GitHub reads `on:` as a key, not as true.
        return try XCTUnwrap(try Yams.load(yaml: text, Resolver.default.removing(.bool)) as? [String: Any], name)
    }

    /// A repository as the reader has it: backend/migrations, rehearse.yaml, masking.yaml, and a
    /// production database (a scratch database of the test server) to snapshot.
    private func project() throws -> (directory: String, production: String) {
        let (server, source) = try TestServer.scratchDatabase(for: self)
        try server.connect(database: source).execute("""
            CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
            INSERT INTO users SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 500) g;
            CREATE TABLE _schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
            INSERT INTO _schema_migrations VALUES (1, false);
            """)
        let directory = try TestServer.temporaryDirectory(for: self)
        let migrations = directory + "/backend/migrations"
        try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
        for (name, body) in [
            "000001_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);",
            "000001_users.down.sql": "DROP TABLE users;",
            "000002_add_name.up.sql": "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN name text;",
            "000002_add_name.down.sql": "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN name;",
        ] {
            try TestServer.write(body, to: migrations + "/" + name)
        }
        try TestServer.write("public.users:\n  email: hash\n", to: directory + "/masking.yaml")
        try TestServer.write(ScenarioTemplate.text(name: "shop", snapshot: "snapshot.sql.zst", migrations: "backend/migrations"), to: directory + "/rehearse.yaml")
        let url = server.connectionTarget.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(source)")
        return (directory, url)
    }

    /// Runs `script` with bash -e in `directory`, the debug rehearse first on PATH.
    @discardableResult
    private func shell(_ script: String, in directory: String, environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-e", "-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = TestServer.repositoryRoot + "/.build/debug:" + (env["PATH"] ?? "")
        env.removeValue(forKey: "REHEARSE_DATABASE_URL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = directory + "/.step-output"
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    private func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: TestServer.repositoryRoot + "/.build/debug/rehearse") else {
            throw XCTSkip("build the executable first (scripts/test does)")
        }
    }

    func testTheGitHubNightlyWorkflowInstallsFirstAndItsStepsRunToAReport() throws {
        try requireBinary()
        let workflow = try load("github-nightly.yml")
        XCTAssertNotNil(((workflow["on"] as? [String: Any])?["schedule"] as? [[String: Any]])?.first?["cron"], "a scheduled workflow")
        let job = try XCTUnwrap((workflow["jobs"] as? [String: Any])?["rehearse"] as? [String: Any])
        let steps = try XCTUnwrap(job["steps"] as? [[String: Any]])
        let runs = steps.compactMap { step in (step["run"] as? String).map { (name: step["name"] as? String ?? "", run: $0, env: step["env"] as? [String: Any] ?? [:]) } }
        let install = try XCTUnwrap(runs.firstIndex { $0.run.contains("scripts/install") })
        let firstUse = try XCTUnwrap(runs.firstIndex { $0.run.contains("rehearse ") && !$0.run.contains("scripts/install") })
        XCTAssertLessThan(install, firstUse, "rehearse is installed before any step uses it")
        let cache = try XCTUnwrap(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/cache") == true }?["with"] as? [String: Any])
        XCTAssertFalse((cache["key"] as? String ?? "").contains("hashFiles"), "the key does not follow the nightly snapshot")
        XCTAssertEqual(cache["restore-keys"] as? String, "rehearse-templates-")
        XCTAssertEqual(cache["path"] as? String, ".rehearse")

        let (directory, production) = try project()
        let summary = directory + "/step-summary.md"
        FileManager.default.createFile(atPath: summary, contents: nil)
        let environment = ["REHEARSE_HOME": directory + "/.rehearse", "GITHUB_STEP_SUMMARY": summary, "PROD_READONLY_URL": production,
                           "GH_TOKEN": ""]
        for step in runs where step.run.contains("rehearse ") && !step.run.contains("scripts/install") {
            let result = try shell(step.run, in: directory, environment: environment)
            XCTAssertEqual(result.status, 0, "\(step.name): \(result.output)")
        }
        let report = try JSONDecoder().decode(RehearsalReport.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/rehearsal/report.json")))
        XCTAssertEqual(report.verdict, .pass, report.verdictReason)
        XCTAssertEqual(report.scenario.trackingTable, "_schema_migrations")
        XCTAssertEqual(report.migrations.map(\.version), [2])
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/rehearsal/junit.xml"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/snapshot.manifest.json"), "the snapshot step wrote its manifest")
    }

    func testTheGitHubPullRequestCheckAnnotatesTheMigrations() throws {
        try requireBinary()
        let workflow = try load("github-pull-request.yml")
        let steps = try XCTUnwrap(((workflow["jobs"] as? [String: Any])?["check"] as? [String: Any])?["steps"] as? [[String: Any]])
        let lint = try XCTUnwrap(steps.compactMap { $0["run"] as? String }.first { $0.hasPrefix("rehearse check") })
        let (directory, _) = try project()
        try TestServer.write("CREATE INDEX CONCURRENTLY users_email ON users (email);\nSELECT 1;\n", to: directory + "/backend/migrations/000003_index.up.sql")
        try TestServer.write("DROP INDEX users_email;\n", to: directory + "/backend/migrations/000003_index.down.sql")
        let result = try shell(lint, in: directory, environment: [:])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("::error file=") && result.output.contains("000003_index.up.sql,line=1,"), result.output)
    }

    func testTheGitLabJobIsScheduledAndItsScriptRunsToAReport() throws {
        try requireBinary()
        let pipeline = try load("gitlab-ci.yml")
        let job = try XCTUnwrap(pipeline["nightly-rehearsal"] as? [String: Any])
        let rules = try XCTUnwrap(job["rules"] as? [[String: Any]])
        XCTAssertTrue(rules.contains { ($0["if"] as? String)?.contains("\"schedule\"") == true }, "runs on the schedule")
        XCTAssertTrue((job["before_script"] as? [String])?.first?.contains("scripts/install") == true, "installs before the script")
        let (directory, production) = try project()
        let environment = ["REHEARSE_HOME": directory + "/.rehearse", "PROD_READONLY_URL": production, "CI_JOB_TOKEN": "x",
                           "CI_API_V4_URL": "http://127.0.0.1:1/api/v4", "CI_PROJECT_ID": "1", "CI_DEFAULT_BRANCH": "main"]
        for line in (job["script"] as? [String] ?? []) + (job["after_script"] as? [String] ?? []) {
            let result = try shell(line, in: directory, environment: environment)
            XCTAssertEqual(result.status, 0, "\(line): \(result.output)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/rehearsal/report.json"))
    }

    func testTheReadmeShowsTheExamplesAsTheyAre() throws {
        let readme = try String(contentsOfFile: TestServer.repositoryRoot + "/README.md", encoding: .utf8)
        for name in ["github-nightly.yml", "github-pull-request.yml", "gitlab-ci.yml"] {
            let text = try String(contentsOfFile: examples + "/" + name, encoding: .utf8)
            XCTAssertTrue(readme.contains("```yaml\n" + text + "```"), "README's copy of docs/ci/\(name) differs from the file")
        }
    }
}
