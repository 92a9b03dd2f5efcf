import Foundation
import XCTest
@testable import Rehearsal

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads JUnit XML back with Foundation's parser, the way a CI reporter would.
final class JUnitCollector: NSObject, XMLParserDelegate {
    struct Case {
        var attributes: [String: String]
        var failure: [String: String]?
        var failureText = ""
        var skipped: [String: String]?
        var systemOut = ""

        var name: String { attributes["name"] ?? "" }
    }

    struct Suite {
        var attributes: [String: String]
        var properties: [String: String] = [:]
        var cases: [Case] = []

        var name: String { attributes["name"] ?? "" }
        func testCase(_ name: String) -> Case? { cases.first { $0.name == name } }
    }

    var root: [String: String] = [:]
    var suites: [Suite] = []
    var parseError: Error?
    private var text = ""

    static func parse(_ xml: String) -> (collector: JUnitCollector, ok: Bool) {
        let collector = JUnitCollector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        let ok = parser.parse()
        return (collector, ok)
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        text = ""
        switch elementName {
        case "testsuites": root = attributeDict
        case "testsuite": suites.append(Suite(attributes: attributeDict))
        case "property": suites[suites.count - 1].properties[attributeDict["name"] ?? ""] = attributeDict["value"] ?? ""
        case "testcase": suites[suites.count - 1].cases.append(Case(attributes: attributeDict))
        case "failure": lastCase { $0.failure = attributeDict }
        case "skipped": lastCase { $0.skipped = attributeDict }
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        let content = text
        switch elementName {
        case "failure": lastCase { $0.failureText = content }
        case "system-out": lastCase { $0.systemOut = content }
        default: break
        }
        text = ""
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        self.parseError = parseError
    }

    private func lastCase(_ change: (inout Case) -> Void) {
        guard !suites.isEmpty, !suites[suites.count - 1].cases.isEmpty else { return }
        let suite = suites.count - 1
        change(&suites[suite].cases[suites[suite].cases.count - 1])
    }
}

final class JUnitReportTests: XCTestCase {
    let report = SampleReport.make()
    lazy var xml = JUnitReport.render(report)

    func parsed() throws -> JUnitCollector {
        let (collector, ok) = JUnitCollector.parse(xml)
        XCTAssertNil(collector.parseError)
        XCTAssertTrue(ok, "the JUnit XML must be well-formed")
        return collector
    }

    func findSuite(_ name: String, in collector: JUnitCollector) throws -> JUnitCollector.Suite {
        try XCTUnwrap(collector.suites.first { $0.name == name }, "no suite \(name)")
    }

    func testDocumentIsWellFormedJUnitXML() throws {
        XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "))
        let collector = try parsed()
        XCTAssertEqual(collector.root["name"], "rehearse: clipper")
        XCTAssertEqual(collector.suites.map(\.name), [
            "plan",
            "\(SampleReport.cleanVersion) create_clips",
            "\(SampleReport.lockingVersion) index_clips_title",
            "\(SampleReport.hostileVersion) \(SampleReport.hostileName)",
            "\(SampleReport.failedVersion) concurrent_index",
            "\(SampleReport.notRunVersion) backfill_clip_titles",
        ])
    }

    func testCountsInAttributesMatchTheElements() throws {
        let collector = try parsed()
        var tests = 0
        var failures = 0
        var skipped = 0
        for suite in collector.suites {
            let suiteFailures = suite.cases.filter { $0.failure != nil }.count
            let suiteSkipped = suite.cases.filter { $0.skipped != nil }.count
            XCTAssertEqual(suite.attributes["tests"], String(suite.cases.count), suite.name)
            XCTAssertEqual(suite.attributes["failures"], String(suiteFailures), suite.name)
            XCTAssertEqual(suite.attributes["skipped"], String(suiteSkipped), suite.name)
            XCTAssertEqual(suite.attributes["errors"], "0")
            XCTAssertFalse(suite.cases.contains { $0.failure != nil && $0.skipped != nil })
            tests += suite.cases.count
            failures += suiteFailures
            skipped += suiteSkipped
        }
        XCTAssertEqual(collector.root["tests"], String(tests))
        XCTAssertEqual(collector.root["failures"], String(failures))
        XCTAssertEqual(collector.root["skipped"], String(skipped))
        XCTAssertGreaterThan(failures, 0)
    }

    func testCleanMigrationPassesEveryCaseWithStepTimesInSeconds() throws {
        let suite = try findSuite("\(SampleReport.cleanVersion) create_clips", in: try parsed())
        XCTAssertEqual(suite.cases.map(\.name), ["up", "down", "second up", "down restores schema", "second up matches first up", "down brings the data back", "findings"])
        XCTAssertTrue(suite.cases.allSatisfy { $0.failure == nil && $0.skipped == nil })
        XCTAssertEqual(suite.testCase("up")?.attributes["time"], "0.012")
        XCTAssertEqual(suite.testCase("up")?.attributes["classname"], "rehearse.clipper.\(SampleReport.cleanVersion)_create_clips")
        XCTAssertEqual(suite.attributes["time"], "0.016")
    }

    func testFailedUpCarriesItsSQLStateAndLocation() throws {
        let suite = try findSuite("\(SampleReport.failedVersion) concurrent_index", in: try parsed())
        let up = try XCTUnwrap(suite.testCase("up"))
        let failure = try XCTUnwrap(up.failure)
        XCTAssertEqual(failure["type"], "25001")
        XCTAssertTrue(failure["message"]?.contains("_concurrent_index.up.sql:2: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)") ?? false)
        XCTAssertTrue(up.failureText.contains("tracking table after up: \(SampleReport.failedVersion) (dirty)"))
        XCTAssertEqual(suite.testCase("down")?.skipped?["message"], "not run: up failed")
        XCTAssertEqual(suite.testCase("second up")?.skipped?["message"], "not run: up failed")
        XCTAssertEqual(suite.testCase("down restores schema")?.skipped?["message"], "not checked: up failed")
        XCTAssertTrue(up.failureText.contains("migrate.dirty"), "the dirty table fails the up it follows from, not a case of its own")
        XCTAssertTrue(up.failureText.contains("see docs/rules/migrate.dirty.md"), "each finding names its rule's page")
        XCTAssertNil(suite.testCase("findings")?.failure)
        XCTAssertEqual(up.attributes["line"], "2")
        XCTAssertTrue(up.attributes["file"]?.hasSuffix("_concurrent_index.up.sql") == true, "\(up.attributes)")
    }

    func testNotRunMigrationIsAllSkipped() throws {
        let suite = try findSuite("\(SampleReport.notRunVersion) backfill_clip_titles", in: try parsed())
        XCTAssertFalse(suite.cases.isEmpty)
        for testCase in suite.cases {
            XCTAssertNil(testCase.failure)
            XCTAssertEqual(
                testCase.skipped?["message"],
                "not rehearsed: migration \(SampleReport.failedVersion) (concurrent_index) failed its up, and migrate stops at the first failure",
                testCase.name)
        }
        XCTAssertEqual(suite.attributes["skipped"], String(suite.cases.count))
        XCTAssertTrue(xml.contains("<property name=\"verdict\" value=\"not-run\"/>"), "its verdict is not-run, never pass")
    }

    func testRoundtripBudgetAndFindingsFailuresOfTheLockingMigration() throws {
        let suite = try findSuite("\(SampleReport.lockingVersion) index_clips_title", in: try parsed())
        let down = try XCTUnwrap(suite.testCase("down restores schema"))
        XCTAssertEqual(down.failure?["type"], "roundtrip.down-incomplete")
        XCTAssertEqual(down.failureText.split(separator: "\n").filter { $0.hasPrefix("error roundtrip.down-incomplete") }.count,
                       SampleReport.locking().findings.filter { $0.rule == .roundtripDownIncomplete }.count, "each of its findings, once: \(down.failureText)")
        XCTAssertTrue(down.failureText.contains("index public.clips_title_idx still present after down"))
        XCTAssertNil(suite.testCase("second up matches first up")?.failure)
        let own = suite.cases.filter { $0.name.contains(".") }
        XCTAssertEqual(own.map(\.name), ["budget.step-duration", "lock.index-build-blocks-writes"])
        XCTAssertEqual(own.map { $0.failure?["type"] }, ["budget.step-duration", "lock.index-build-blocks-writes"])
        XCTAssertTrue(own.first?.failure?["message"]?.hasPrefix("up took 140 ms here (the faster of 2 runs)") ?? false)
        XCTAssertNil(suite.testCase("findings")?.failure, "every error fails a case of its own")
        let up = try XCTUnwrap(suite.testCase("up"))
        XCTAssertNil(up.failure)
        XCTAssertTrue(up.systemOut.contains("warning lock.no-lock-timeout"), "a warning about the up is in the up's output")
    }

    /// The complaint was ten failing cases for eight error findings: now each error
    /// finding fails exactly one case, and no case fails without one.
    func testEachErrorFindingFailsExactlyOneCase() throws {
        for report in [report, try JSONReport.decode(Data(contentsOf: GoldenReportTests.folder.appendingPathComponent("report.json")))] {
            let (collector, ok) = JUnitCollector.parse(JUnitReport.render(report))
            XCTAssertTrue(ok)
            let failing = collector.suites.flatMap(\.cases).filter { $0.failure != nil }
            let errors = (report.findings + report.migrations.flatMap(\.findings)).filter { $0.severity == .error }
            XCTAssertFalse(errors.isEmpty)
            for error in errors {
                let holders = failing.filter { $0.failureText.contains(JUnitReport.findingLine(error)) }
                XCTAssertEqual(holders.count, 1, "\(error.rule): \(holders.map(\.name))")
            }
            for testCase in failing {
                XCTAssertTrue(errors.contains { testCase.failureText.contains(JUnitReport.findingLine($0)) }, "\(testCase.name) fails without an error finding")
            }
        }
    }

    func testPlanSuiteReportsRunFindingsAsOutput() throws {
        let suite = try findSuite("plan", in: try parsed())
        XCTAssertNil(suite.testCase("rehearsal completed")?.failure)
        let findings = try XCTUnwrap(suite.testCase("findings"))
        XCTAssertNil(findings.failure)
        XCTAssertTrue(findings.systemOut.contains("warning migrate.ignored-file"))
        XCTAssertTrue(findings.systemOut.contains("info migrate.below-recorded"))
        XCTAssertEqual(suite.properties["snapshot.sha256"], report.snapshot.sha256)
        XCTAssertEqual(suite.properties["verdict"], "fail")
    }

    func testInterruptedRunFailsThePlanSuite() throws {
        var interrupted = report
        interrupted.interrupted = true
        let (collector, ok) = JUnitCollector.parse(JUnitReport.render(interrupted))
        XCTAssertTrue(ok)
        let plan = try findSuite("plan", in: collector)
        XCTAssertEqual(plan.testCase("rehearsal completed")?.failure?["type"], "interrupted")
    }

    func testEscapingSurvivesARoundTrip() throws {
        let collector = try parsed()
        let suite = try findSuite("\(SampleReport.hostileVersion) \(SampleReport.hostileName)", in: collector)
        XCTAssertEqual(suite.cases.first?.attributes["classname"], "rehearse.clipper.\(SampleReport.hostileVersion)_\(SampleReport.hostileName)")
        XCTAssertFalse(xml.contains(SampleReport.hostileName))
        // The warning's markup and quotes come back intact; the BEL character XML cannot hold is dropped.
        let output = try XCTUnwrap(suite.testCase("findings")?.systemOut)
        XCTAssertTrue(output.contains("no down file for <b>\"\(SampleReport.hostileName)\"</b> & 'friends': a rollback"))
        XCTAssertFalse(output.contains("\u{7}"))
        XCTAssertEqual(suite.testCase("down")?.skipped?["message"], "not run: no down file: the migration is irreversible by intent, so only its up is rehearsed")
    }

    func testMultiLineAttributesKeepTheirLineBreaks() throws {
        var report = self.report
        report.scenario.name = "two\nlines & \"quotes\""
        let (collector, ok) = JUnitCollector.parse(JUnitReport.render(report))
        XCTAssertTrue(ok)
        XCTAssertEqual(collector.root["name"], "rehearse: two\nlines & \"quotes\"")
    }

    func testXMLEscapingDropsCharactersXMLCannotHold() {
        XCTAssertEqual(JUnitReport.text("a\u{1}b\u{FFFE}c\td\ne\u{1B}"), "abc\td\ne")
        XCTAssertEqual(JUnitReport.attribute("\"'<>&\n\t"), "&quot;&apos;&lt;&gt;&amp;&#10;&#9;")
        XCTAssertEqual(JUnitReport.text("\r"), "&#13;")
        XCTAssertEqual(JUnitReport.text("ünïcödé ✓ 🐘"), "ünïcödé ✓ 🐘")
    }

    func testRenderingIsDeterministic() {
        XCTAssertEqual(JUnitReport.render(report), JUnitReport.render(SampleReport.make()))
    }
}
