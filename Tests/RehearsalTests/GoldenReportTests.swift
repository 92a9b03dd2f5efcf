import Foundation
import XCTest
@testable import Rehearsal

/// Every format rendered from one fixed report.json and compared with a committed golden
/// file, so a change to a format is always deliberate. To accept a change on purpose, run
/// the tests with REHEARSE_UPDATE_GOLDEN=1 and review the diff of Tests/RehearsalTests/Golden.
final class GoldenReportTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    private func check(_ format: ReportWriter.Format) throws {
        let input = try Data(contentsOf: Self.folder.appendingPathComponent("report.json"))
        let report = try JSONReport.decode(input)
        let rendered = try ReportWriter.render(report, as: format)
        let name = format.fileName ?? "report.\(format.rawValue).txt"
        let golden = Self.folder.appendingPathComponent("golden-" + name)
        if ProcessInfo.processInfo.environment["REHEARSE_UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: golden)
            // A recording run never passes: the new golden file is reviewed, then the tests
            // run again without the variable.
            return XCTFail("recorded \(golden.lastPathComponent); review the diff, then run again without REHEARSE_UPDATE_GOLDEN")
        }
        let expected = try Data(contentsOf: golden)
        XCTAssertEqual(
            String(decoding: rendered, as: UTF8.self), String(decoding: expected, as: UTF8.self),
            "\(name) changed; if deliberate, regenerate with REHEARSE_UPDATE_GOLDEN=1")
    }

    func testMarkdownMatchesGolden() throws { try check(.md) }
    func testHTMLMatchesGolden() throws { try check(.html) }
    func testJUnitMatchesGolden() throws { try check(.junit) }
    func testSARIFMatchesGolden() throws { try check(.sarif) }
    func testGitHubAnnotationsMatchGolden() throws { try check(.github) }

    func testJSONRoundTripsThroughTheModelUnchanged() throws {
        let input = try Data(contentsOf: Self.folder.appendingPathComponent("report.json"))
        let report = try JSONReport.decode(input)
        XCTAssertEqual(try JSONReport.decode(JSONReport.encode(report)), report)
        XCTAssertEqual(report.migrations.map(\.version), [3, 4, 5, 6])
    }

    func testReportFromAnOlderVersionWithoutNewerFieldsStillLoads() throws {
        let minimal = """
            {"scenario": {"name": "x", "file": "x.yaml", "migrations": "m", "trackingTable": "t", "mode": "whole-file",
                          "session": {}, "budgets": {"stepDuration": 180}},
             "startedAt": "2026-01-01T00:00:00Z",
             "snapshot": {"path": "s", "sha256": "00", "bytes": 1, "restoreMs": 1, "cloneMs": 0, "fromCache": false},
             "server": {"version": "15", "embedded": true, "name": "e"},
             "migrations": [{"version": 1, "name": "a", "status": "rehearsed",
                             "steps": [{"direction": "up", "pass": 1, "status": "ok", "durationMs": 5}]}],
             "verdict": "pass"}
            """
        let report = try JSONReport.decode(Data(minimal.utf8))
        XCTAssertEqual(report.migrations.first?.steps.first?.durationMs, 5)
        XCTAssertEqual(report.scenario.budgets.lockHold, Budgets().lockHold, "missing budgets take today's defaults")
    }
}
