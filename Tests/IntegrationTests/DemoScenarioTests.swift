import Foundation
import XCTest
@testable import Rehearsal

/// The README's demo, end to end: each pending migration is reported for what it is.
final class DemoScenarioTests: XCTestCase {
    func testDemoScenarioReportsEachMigrationForWhatItIs() throws {
        let scenario = try Scenario.load(TestServer.repositoryRoot + "/scenarios/clipper.yaml")
        let report = try RehearsalRunner(scenario: scenario, server: try TestServer.shared()).run()
        XCTAssertEqual(report.startVersion, 2)
        XCTAssertEqual(report.migrations.map(\.version), [3, 4, 5, 6])
        let byVersion = Dictionary(uniqueKeysWithValues: report.migrations.map { ($0.version, $0) })

        XCTAssertEqual(byVersion[3]?.verdict, .pass)
        XCTAssertTrue(byVersion[4]?.findings.contains { $0.rule == "lock.index-build-blocks-writes" && $0.message.contains("public.clips") } == true)
        XCTAssertEqual(byVersion[4]?.roundtrip.downRestoresSchema, true)
        XCTAssertEqual(byVersion[5]?.roundtrip.downRestoresSchema, false)
        XCTAssertTrue(byVersion[5]?.roundtrip.differences.contains { $0.kind == "function" && $0.name.hasPrefix("public.clip_visible_to") } == true)
        XCTAssertEqual(byVersion[6]?.status, .failed)
        XCTAssertEqual(byVersion[6]?.steps.first?.error?.sqlState, "25001")
        XCTAssertEqual(report.endState, .init(version: 6, dirty: true))
        XCTAssertEqual(report.verdict, .fail)

        let directory = try TestServer.temporaryDirectory(for: self)
        try ReportWriter.write(report, to: directory)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))) as? [String: Any]
        for key in ["schemaVersion", "scenario", "snapshot", "server", "startVersion", "migrations", "verdict"] {
            XCTAssertNotNil(json?[key], key)
        }
        let markdown = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("NO-GO"))
        XCTAssertTrue(markdown.contains("clip_visible_to"))
    }
}
