import Foundation
import XCTest
@testable import Rehearsal

/// `rehearse check`: what reading the files tells, in each of migrate's modes.
final class MigrationLintTests: XCTestCase {
    private func file(_ body: String, _ name: String = "2_x.up.sql") -> MigrationFile {
        MigrationFile(path: "/repo/db/" + name, fileName: name, body: body)
    }

    private func lint(_ body: String, mode: ExecutionMode = .wholeFile, session: Bool = false) -> [Finding] {
        MigrationLint(mode: mode, sessionSetsLockTimeout: session).check(file(body))
    }

    private func rules(_ findings: [Finding]) -> [String] {
        findings.map { "\($0.rule.rawValue):\($0.line ?? 0):\($0.severity.rawValue)" }
    }

    func testAConcurrentIndexBesideAnotherStatementFailsInWholeFileMode() {
        let body = "SET lock_timeout = '2s';\n-- the index\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
        XCTAssertEqual(rules(lint(body)), ["lint.no-transaction-statement:3:error"])
        XCTAssertEqual(rules(lint("CREATE INDEX CONCURRENTLY i ON t (a);\n")), [], "alone it runs outside a transaction block")
        XCTAssertEqual(rules(lint(body, mode: .multiStatement)), [], "each piece is its own query")
        XCTAssertEqual(rules(lint("SELECT 1;\nVACUUM ANALYZE t;\n")), ["lint.no-transaction-statement:2:error"])
        XCTAssertEqual(rules(lint("SELECT 1;\nREINDEX INDEX CONCURRENTLY i;\n")), ["lint.no-transaction-statement:2:error"])
        XCTAssertEqual(rules(lint("SET lock_timeout = '1s';\nDROP INDEX CONCURRENTLY i;\n")), ["lint.no-transaction-statement:2:error"])
    }

    func testASemicolonMigratesSplitBreaksIsAnErrorInMultiStatementMode() {
        let function = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN 1;\nEND;\n$body$;\n"
        XCTAssertEqual(rules(lint(function, mode: .multiStatement)), ["lint.multi-statement-split:3:error"], "one per body, at its first ';'")
        XCTAssertEqual(rules(lint(function)), [], "whole-file mode sends it as written")
        XCTAssertEqual(rules(lint("-- drop it; later\nSELECT 1;\n", mode: .multiStatement)), ["lint.multi-statement-split:1:error"])
        XCTAssertEqual(rules(lint("INSERT INTO t VALUES ('a;b');\n", mode: .multiStatement)), ["lint.multi-statement-split:1:error"])
        XCTAssertEqual(rules(lint("/* a /* nested; */ */ SELECT 1;\n", mode: .multiStatement)), ["lint.multi-statement-split:1:error"])
        XCTAssertEqual(rules(lint("SELECT $1::int, 'it''s';\nSELECT E'\\\\';\nSELECT 2;\n", mode: .multiStatement)), [],
                       "a parameter is no dollar quote, and escaped quotes end where SQL ends them")
    }

    func testSplitHazardsNameTheirContext() {
        XCTAssertEqual(SplitHazard.find(in: "SELECT \"a;b\";\nSELECT $$x;$$;\n").map(\.context), [.identifier, .dollarBody])
        XCTAssertEqual(SplitHazard.find(in: "SELECT E'\\';' ;").map(\.context), [.string])
    }

    func testABlockingLockWithoutLockTimeoutIsAWarningOncePerFile() {
        XCTAssertEqual(rules(lint("ALTER TABLE clips ADD COLUMN a int;\nALTER TABLE clips ADD COLUMN b int;\n")), ["lock.no-lock-timeout:1:warning"])
        XCTAssertEqual(rules(lint("SET lock_timeout = '2s';\nALTER TABLE clips ADD COLUMN a int;\n")), [])
        XCTAssertEqual(rules(lint("SELECT set_config('lock_timeout', '2s', false);\nCREATE INDEX i ON clips (a);\n")), [])
        XCTAssertEqual(rules(lint("ALTER TABLE clips ADD COLUMN a int;\n", session: true)), [])
        XCTAssertEqual(rules(lint("CREATE INDEX CONCURRENTLY i ON clips (a);\n")), [])
        XCTAssertEqual(rules(lint("CREATE TABLE t (id int PRIMARY KEY);\nCREATE INDEX t_a ON t (id);\nALTER TABLE t ADD COLUMN b int;\n")), [],
                       "a table made in the same file is used by nobody yet")
        let references = lint("CREATE TABLE notes (id int, clip_id int REFERENCES clips (id));\n")
        XCTAssertEqual(rules(references), ["lock.no-lock-timeout:1:warning"])
        XCTAssertTrue(references[0].message.contains("on clips"), references[0].message)
    }

    func testAByteOrderMarkIsAnError() {
        XCTAssertEqual(rules(lint("\u{FEFF}SELECT 1;\n")), ["lint.byte-order-mark:1:error"])
    }

    func testDownsAndAcceptsAsTheRehearsalJudgesThem() throws {
        var directory = MigrationDirectory(path: "/repo/db", migrations: [], ignoredFiles: ["notes.sql"])
        let up = "-- rehearse:accept lock.no-lock-timeout the table is tiny\nALTER TABLE clips ADD COLUMN a int;\n"
        directory.migrations = [
            Migration(version: 1, identifier: "one", up: file(up, "1_one.up.sql"), down: nil),
            Migration(version: 2, identifier: "two", up: file("SELECT 1;", "2_two.up.sql"), down: file("-- nothing; on purpose\n", "2_two.down.sql")),
        ]
        let whole = MigrationLint(mode: .wholeFile).check(directory)
        XCTAssertEqual(whole.map { "\($0.version ?? 0) \($0.finding.rule.rawValue) \($0.finding.severity.rawValue)" }.sorted(), [
            "0 migrate.ignored-file warning", "1 down.missing warning", "1 lock.no-lock-timeout info", "2 down.empty warning",
        ])
        XCTAssertEqual(whole.first { $0.finding.rule == .lockNoTimeout }?.finding.accepted, "the table is tiny")
        let pieces = MigrationLint(mode: .multiStatement).check(directory)
        XCTAssertFalse(pieces.contains { $0.finding.rule == .downEmpty }, "a comment split in two is no empty down: its second piece fails")
        XCTAssertTrue(pieces.contains { $0.finding.rule == .lintSplitHazard && $0.version == 2 })
    }

    func testSARIFAndGitHubAnnotationsCarryRuleLevelAndLocation() throws {
        let finding = Finding(rule: .lintSplitHazard, severity: .error, message: "a ';' inside a comment\nsecond line, 100%", file: "/repo/db/2_x.up.sql", line: 7)
        let items = [FindingAnnotations.Item(finding: finding, file: "db/2_x.up.sql")]
        XCTAssertEqual(FindingAnnotations.github(items),
                       "::error file=db/2_x.up.sql,line=7,title=rehearse lint.multi-statement-split::a ';' inside a comment%0Asecond line, 100%25")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: FindingAnnotations.sarif(items, toolVersion: "1.0")) as? [String: Any])
        XCTAssertEqual(json["version"] as? String, "2.1.0")
        let run = try XCTUnwrap((json["runs"] as? [[String: Any]])?.first)
        let result = try XCTUnwrap((run["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(result["ruleId"] as? String, "lint.multi-statement-split")
        XCTAssertEqual(result["level"] as? String, "error")
        let location = try XCTUnwrap(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
        XCTAssertEqual((location["artifactLocation"] as? [String: Any])?["uri"] as? String, "db/2_x.up.sql")
        XCTAssertEqual((location["region"] as? [String: Any])?["startLine"] as? Int, 7)
        let rules = try XCTUnwrap(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.map { $0["id"] as? String }, ["lint.multi-statement-split"])
        XCTAssertTrue(((rules.first?["help"] as? [String: Any])?["text"] as? String)?.contains("docs/rules/lint.multi-statement-split.md") == true, "the rule's page")
    }
}
