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
        XCTAssertTrue(byVersion[4]?.findings.contains { $0.rule == .lockIndexBuild && $0.message.contains("public.clips") } == true)
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

/// The same input gives the same verdict and the same warnings and errors, also while
/// another process keeps a core busy: severity rests on structure and production-scale
/// estimates, and a duration near its budget cannot flip it.
final class VerdictStabilityTests: XCTestCase {
    /// What must not move between runs: the verdict and each warning and error by
    /// migration, rule and severity.
    private func evidence(_ report: RehearsalReport) -> [String] {
        ["verdict \(report.verdict.rawValue)"] + report.migrations.flatMap { migration in
            ["\(migration.version) \(migration.verdict.rawValue)"]
                + migration.findings.filter { $0.severity != .info }.map { "\(migration.version) \($0.rule) \($0.severity.rawValue)" }.sorted()
        }
    }

    func testTheDemoGivesTheSameVerdictAndFindingsIdleAndUnderCPULoad() throws {
        let scenario = try Scenario.load(TestServer.repositoryRoot + "/scenarios/clipper.yaml")
        let server = try TestServer.shared()
        let idle = evidence(RehearsalRunner(scenario: scenario, server: server).run())
        XCTAssertTrue(idle.contains("verdict fail"))
        for run in 1...2 {
            let load = try CPULoad()
            let loaded = evidence(RehearsalRunner(scenario: scenario, server: server).run())
            load.stop()
            XCTAssertEqual(loaded, idle, "run \(run) under load")
        }
    }
}

/// A process that keeps one core busy until stopped.
final class CPULoad {
    private let process = Process()

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "while :; do :; done"]
        try process.run()
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { stop() }
    }
}
