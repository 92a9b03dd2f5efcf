import Foundation
import XCTest
@testable import Rehearsal

final class JSONReportTests: XCTestCase {
    private func jsonObject(_ report: RehearsalReport) throws -> [String: Any] {
        let data = try JSONReport.encode(report)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testEncodeThenDecodeGivesAnEqualReport() throws {
        let report = ReportFixtures.report

        let decoded = try JSONReport.decode(JSONReport.encode(report))

        XCTAssertEqual(decoded, report)
        XCTAssertEqual(decoded.migrations.map(\.name), ["create_users", ReportFixtures.hostileName, "later"])
    }

    func testTopLevelKeysAreTheDocumentedContract() throws {
        let object = try jsonObject(ReportFixtures.report)

        XCTAssertEqual((object["schemaVersion"] as? NSNumber)?.intValue, RehearsalReport.currentSchemaVersion)
        XCTAssertEqual(object["verdict"] as? String, "fail")
        XCTAssertEqual((object["migrations"] as? [Any])?.count, 3)
    }

    func testStepsCarryDirectionPassStatusAndDuration() throws {
        let object = try jsonObject(ReportFixtures.report)
        let migrations = try XCTUnwrap(object["migrations"] as? [[String: Any]])
        let steps = try XCTUnwrap(migrations.first?["steps"] as? [[String: Any]])

        XCTAssertEqual(steps.map { $0["direction"] as? String }, ["up", "down", "up"])
        XCTAssertEqual(steps.map { ($0["pass"] as? NSNumber)?.intValue }, [1, 1, 2])
        XCTAssertEqual(steps.map { $0["status"] as? String }, ["ok", "ok", "ok"])
        XCTAssertEqual(steps.map { ($0["durationMs"] as? NSNumber)?.doubleValue }, [12, 3, 11])
    }

    func testStatusesUseTheirRawNames() throws {
        let object = try jsonObject(ReportFixtures.report)
        let migrations = try XCTUnwrap(object["migrations"] as? [[String: Any]])

        XCTAssertEqual(migrations.map { $0["status"] as? String }, ["rehearsed", "failed", "not-run"])
        let failedSteps = try XCTUnwrap(migrations[1]["steps"] as? [[String: Any]])
        XCTAssertEqual(failedSteps.first?["status"] as? String, "failed")
    }

    func testTopLevelKeysAreWrittenInSortedOrder() throws {
        let text = String(decoding: try JSONReport.encode(ReportFixtures.report), as: UTF8.self)
        let topLevelKeys = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  \""), !line.hasPrefix("   ") else { return nil }
            return line.dropFirst(3).split(separator: "\"", maxSplits: 1).first.map(String.init)
        }

        XCTAssertTrue(topLevelKeys.contains("schemaVersion"), "\(topLevelKeys)")
        // Foundation sorts either by code point or case-insensitively depending on the
        // platform; declaration order (schemaVersion, tool, scenario, …) is neither.
        let byCodePoint = topLevelKeys.sorted()
        let caseInsensitive = topLevelKeys.sorted { $0.lowercased() < $1.lowercased() }
        XCTAssertTrue(topLevelKeys == byCodePoint || topLevelKeys == caseInsensitive, "\(topLevelKeys)")
    }

    func testSlashesInPathsAreNotEscaped() throws {
        let text = String(decoding: try JSONReport.encode(ReportFixtures.report), as: UTF8.self)

        XCTAssertTrue(text.contains("\"/tmp/snap.sql.zst\""), "paths should be written as-is")
        XCTAssertFalse(text.contains("\\/"))
    }
}
