import Foundation
import XCTest
@testable import Rehearsal

final class HTMLReportTests: XCTestCase {
    let report = SampleReport.make()
    lazy var html = HTMLReport.render(report)

    /// The `<svg …>…</svg>` fragments of the page, in order.
    func svgs() -> [String] {
        var result: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            result.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return result
    }

    func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    func testPageIsOneSelfContainedHTML5Document() {
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(html.hasSuffix("</html>\n"))
        XCTAssertTrue(html.contains("<meta charset=\"utf-8\">"))
        XCTAssertTrue(html.contains("<style>"))
        let lowered = html.lowercased()
        for forbidden in ["<script", "<link", "<img", "<iframe", "@import", "url(", " src=", "@font-face"] {
            XCTAssertFalse(lowered.contains(forbidden), "the page must not load anything: found \(forbidden)")
        }
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(withoutNamespace.contains("http://"))
        XCTAssertFalse(withoutNamespace.contains("https://"))
    }

    func testVerdictBannerComesFirstWithItsReason() throws {
        let body = try XCTUnwrap(html.range(of: "<body>"))
        let afterBody = html[body.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(afterBody.hasPrefix("<header class=\"banner fail\">"))
        let banner = try XCTUnwrap(html.range(of: "<p class=\"badge\">NO-GO</p>"))
        let table = try XCTUnwrap(html.range(of: "<table"))
        XCTAssertLessThan(banner.lowerBound, table.lowerBound)
        XCTAssertTrue(
            report.verdictReason.hasPrefix("migration \(SampleReport.failedVersion) concurrent_index: up failed: CREATE INDEX CONCURRENTLY"),
            "a failing up outranks the budget and round-trip problems of earlier migrations: \(report.verdictReason)")
        XCTAssertTrue(html.contains("<p class=\"reason\">\(HTMLEscaping.text(report.verdictReason))</p>"))
    }

    func testBannerWordsFollowTheVerdict() {
        var passing = report
        passing.verdict = .pass
        XCTAssertTrue(HTMLReport.render(passing).contains("<p class=\"badge\">GO</p>"))
        passing.verdict = .warn
        XCTAssertTrue(HTMLReport.render(passing).contains("<p class=\"badge\">GO WITH WARNINGS</p>"))
    }

    func testMigrationsTableHasARowPerMigration() throws {
        let start = try XCTUnwrap(html.range(of: "<table class=\"migrations\">"))
        let end = try XCTUnwrap(html.range(of: "</table>", range: start.upperBound..<html.endIndex))
        let table = String(html[start.lowerBound..<end.upperBound])
        XCTAssertEqual(occurrences(of: "<tr>", in: table), report.migrations.count + 1)
        XCTAssertTrue(table.contains("ShareLock on public.clips (120 ms)"), "the table lock outranks the stronger one on the index")
        XCTAssertTrue(table.contains("<strong class=\"bad\">down incomplete</strong>"))
        XCTAssertTrue(table.contains("<strong class=\"bad\">failed</strong>"))
        XCTAssertTrue(table.contains("<span class=\"pill not-run\">not-run</span>"))
        XCTAssertTrue(table.contains("<td class=\"num\">1 (max 110 ms)</td>"))
    }

    func testTrafficTheMigrationBlockedIsListed() {
        XCTAssertTrue(html.contains("<table class=\"traffic\">"))
        XCTAssertTrue(html.contains("<td><code>insert_clip</code></td>"))
        XCTAssertTrue(html.contains("by the migration&#39;s lock"))
        XCTAssertTrue(html.contains("<section id=\"traffic\">"))
        XCTAssertTrue(html.contains("4 connection(s) at 200 queries/s"))
    }

    func testEachMigrationThatRanHasATimelineWithOneRectPerStepAndPerLock() {
        let drawn = report.migrations.filter { $0.status != .notRun && !$0.steps.isEmpty }
        XCTAssertEqual(drawn.count, 4)
        let drawings = svgs()
        XCTAssertEqual(drawings.count, drawn.count)
        for (migration, svg) in zip(drawn, drawings) {
            let locks = migration.steps.reduce(0) { $0 + $1.locks.count }
            XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            XCTAssertEqual(occurrences(of: "<rect", in: svg), migration.steps.count + locks, "\(migration.version)")
            XCTAssertEqual(occurrences(of: "<rect class=\"step", in: svg), migration.steps.count)
            XCTAssertEqual(occurrences(of: "<rect class=\"lock\"", in: svg), locks)
        }
    }

    func testTimelineLabelsStepsAndLocksAndColoursLocksByMode() throws {
        let svg = try XCTUnwrap(svgs().dropFirst().first)
        XCTAssertTrue(svg.contains(">up 150 ms<"))
        XCTAssertTrue(svg.contains(">down 4 ms<"))
        XCTAssertTrue(svg.contains(">second up 140 ms<"))
        XCTAssertTrue(svg.contains(">public.clips · ShareLock · 120 ms<"))
        XCTAssertTrue(svg.contains("fill=\"\(HTMLReport.lockColour("ShareLock"))\""))
        XCTAssertTrue(svg.contains("fill=\"\(HTMLReport.lockColour("AccessExclusiveLock"))\""))
        XCTAssertEqual(HTMLReport.lockColour("AccessExclusiveLock"), "#d62728")
        XCTAssertNotEqual(HTMLReport.lockColour("ShareLock"), HTMLReport.lockColour("AccessShareLock"))
        XCTAssertTrue(svg.contains("class=\"tick-label\""))
        XCTAssertTrue(html.contains("<ul class=\"legend\">"))
    }

    func testShortStepsAndSingleSampleLocksStayVisible() throws {
        let layout = HTMLReport.TimelineLayout(SampleReport.clean().steps)
        XCTAssertEqual(layout.steps.count, 3)
        for placed in layout.steps {
            XCTAssertGreaterThanOrEqual(placed.width, HTMLReport.TimelineLayout.minimumStepWidth)
        }
        XCTAssertLessThanOrEqual(layout.endX, HTMLReport.TimelineLayout.right + 0.001)
        XCTAssertEqual(layout.steps[1].x, layout.steps[0].x + layout.steps[0].width, accuracy: 0.001)
        XCTAssertEqual(layout.totalMs, 16)
        // The single-sample AccessExclusiveLock of the first migration is drawn at the minimum width.
        let svg = try XCTUnwrap(svgs().first)
        XCTAssertTrue(svg.contains("width=\"\(HTMLReport.n(HTMLReport.minimumLockWidth))\""))
    }

    func testLongStepsGetWidthInProportionToTheirDuration() {
        let steps = [
            StepReport(direction: .up, pass: 1, status: .ok, durationMs: 9000),
            StepReport(direction: .down, pass: 1, status: .ok, durationMs: 1),
            StepReport(direction: .up, pass: 2, status: .ok, durationMs: 3000),
        ]
        let layout = HTMLReport.TimelineLayout(steps)
        XCTAssertEqual(layout.steps[1].width, HTMLReport.TimelineLayout.minimumStepWidth, accuracy: 0.001)
        XCTAssertEqual(layout.steps[0].width / layout.steps[2].width, 3, accuracy: 0.001)
        XCTAssertEqual(layout.endX, HTMLReport.TimelineLayout.right, accuracy: 0.001)
        XCTAssertEqual(layout.x(atMs: 9000), layout.steps[1].x, accuracy: 0.001)
        XCTAssertEqual(HTMLReport.tickInterval(12001), 5000)
        XCTAssertEqual(HTMLReport.tickLabel(10000, interval: 5000), "10 s")
        XCTAssertEqual(HTMLReport.tickLabel(40, interval: 20), "40 ms")
        XCTAssertEqual(HTMLReport.tickInterval(0.2), 0.05, accuracy: 1e-12)
        XCTAssertEqual((0...4).map { HTMLReport.tickLabel(Double($0) * 0.05, interval: 0.05) }, ["0.00 ms", "0.05 ms", "0.10 ms", "0.15 ms", "0.20 ms"],
                       "sub-millisecond ticks each say where they are")
        XCTAssertEqual(HTMLReport.tickLabel(0.4, interval: 0.2), "0.4 ms")
    }

    func testOverlappingBlockedQueriesAreOneBarWithTheirCount() {
        var step = StepReport(direction: .up, pass: 1, status: .ok, durationMs: 1000)
        step.traffic = StepTraffic()
        let event = { (start: Double, wait: Double) in BlockedEvent(query: "clip_page", pid: 1, relation: "public.clips", mode: "AccessShareLock", startMs: start, waitMs: wait, direct: true) }
        step.blocked = [event(100, 300), event(120, 250), event(130, 200), event(800, 50)]
        var migration = MigrationReport(version: 1, name: "x", upFile: nil, downFile: nil, status: .rehearsed)
        migration.steps = [step]
        let lane = HTMLReport.trafficLane(migration, layout: HTMLReport.TimelineLayout(migration.steps), top: 0)
        XCTAssertEqual(lane.components(separatedBy: "<line class=\"blocked\"").count - 1, 2, lane)
        XCTAssertTrue(lane.contains(">×3</text>"), lane)
        XCTAssertTrue(lane.contains("3 queries blocked (clip_page), the longest 300 ms"), lane)
    }

    func testAStepLabelNearTheRightEdgeIsMovedInsideTheChart() throws {
        var migration = MigrationReport(version: 1, name: "x", upFile: nil, downFile: nil, status: .rehearsed)
        migration.steps = [
            StepReport(direction: .up, pass: 1, status: .ok, durationMs: 9000),
            StepReport(direction: .down, pass: 1, status: .ok, durationMs: 9000),
            StepReport(direction: .up, pass: 2, status: .failed, durationMs: 1),
        ]
        let figure = HTMLReport.timeline(migration, report: report).joined(separator: "\n")
        let label = try XCTUnwrap(figure.range(of: #"<text class="step-label" x="([0-9.]+)"[^>]*>second up 1 ms failed<"#, options: .regularExpression))
        let x = try XCTUnwrap(Double(figure[label].split(separator: "\"")[3]))
        XCTAssertLessThanOrEqual(x + Double("second up 1 ms failed".count) * HTMLReport.characterWidth, HTMLReport.TimelineLayout.right + 0.01, "the label ends inside the chart")
    }

    func testALockLabelThatFitsOnNeitherSideGoesBesideTheChart() throws {
        var step = StepReport(direction: .up, pass: 1, status: .ok, durationMs: 1000)
        let name = "public." + String(repeating: "very_long_relation_name_", count: 6)
        step.locks = [ObservedLock(relation: name, relationKind: "table", mode: "AccessExclusiveLock", firstSeenMs: 400, lastSeenMs: 600, granted: true)]
        var migration = MigrationReport(version: 1, name: "x", upFile: nil, downFile: nil, status: .rehearsed)
        migration.steps = [step]
        let figure = HTMLReport.timeline(migration, report: report).joined(separator: "\n")
        XCTAssertTrue(figure.contains(">[1]</text>"), figure)
        XCTAssertTrue(figure.contains("<ol class=\"lock-labels\"><li>\(name) · AccessExclusiveLock · 200 ms</li></ol>"), figure)
    }

    func testTrafficLaneDrawsEachBlockedQueryAndNothingWithoutTraffic() {
        var migration = SampleReport.locking()
        let lane = HTMLReport.trafficLane(migration, layout: HTMLReport.TimelineLayout(migration.steps), top: 0)
        let blocked = migration.steps.flatMap(\.blocked).filter { $0.waitMs >= 1 }.count
        XCTAssertGreaterThan(blocked, 0, "the sample has blocked traffic")
        XCTAssertEqual(lane.components(separatedBy: "<line class=\"blocked\"").count - 1, blocked)
        XCTAssertFalse(lane.contains("<rect"), "rects stay one per step and per lock")
        for index in migration.steps.indices { migration.steps[index].traffic = nil }
        XCTAssertEqual(HTMLReport.trafficLane(migration, layout: HTMLReport.TimelineLayout(migration.steps), top: 0), "")
    }

    func testHostileNameAppearsOnlyEscaped() {
        XCTAssertTrue(html.contains(HTMLEscaping.text(SampleReport.hostileName)))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; | x"))
        XCTAssertFalse(html.contains(SampleReport.hostileName))
        XCTAssertFalse(html.contains("alert(1)</script>"))
        XCTAssertFalse(html.contains("<b>"))
        XCTAssertTrue(html.contains("public.&quot;odd&amp;&lt;name&gt;&quot;"))
        XCTAssertFalse(html.contains("odd&<name>"))
    }

    func testFailedStepShowsItsErrorAndNotRunMigrationSaysWhy() {
        XCTAssertTrue(html.contains("<pre class=\"error\">"))
        XCTAssertTrue(html.contains("\(SampleReport.failedVersion)_concurrent_index.up.sql:2: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)"))
        XCTAssertTrue(html.contains("not rehearsed: migration \(SampleReport.failedVersion) (concurrent_index) failed its up"))
        XCTAssertTrue(html.contains("no relation locks were sampled"))
    }

    func testRoundtripDifferencesShowExpectedAndActualDefinitions() {
        XCTAssertTrue(html.contains("<pre>CREATE INDEX clips_title_idx ON public.clips USING btree (title)</pre>"))
        XCTAssertTrue(html.contains("<pre class=\"absent\">(absent)</pre>"))
        XCTAssertTrue(html.contains("<pre>text</pre>"))
        XCTAssertTrue(html.contains("<pre>text NOT NULL</pre>"))
        XCTAssertTrue(html.contains("before up (expected)"))
    }

    /// At 800 px the page must not scroll sideways: every table sits in a box that scrolls on
    /// its own (scripts/check-html-report measures it in Chromium at 800 and 1400 px).
    func testEveryTableScrollsInsideItsOwnBox() {
        XCTAssertGreaterThan(occurrences(of: "<table", in: html), 3)
        XCTAssertEqual(occurrences(of: "<div class=\"scroll\"><table", in: html), occurrences(of: "<table", in: html))
        XCTAssertEqual(occurrences(of: "</table></div>", in: html), occurrences(of: "</table>", in: html))
        XCTAssertTrue(html.contains(".scroll { overflow-x: auto; }"))
    }

    func testFindingsShowRuleFileLineAndAdvice() {
        XCTAssertTrue(html.contains("<a class=\"rule\" href=\"docs/rules/lock.index-build-blocks-writes.md\"><code>lock.index-build-blocks-writes</code></a>"), "each rule links to its page")
        XCTAssertTrue(html.contains("\(SampleReport.lockingVersion)_index_clips_title.up.sql:1</span>"))
        XCTAssertTrue(html.contains("<div class=\"advice\">use CREATE INDEX CONCURRENTLY"))
        XCTAssertTrue(html.contains("<section id=\"plan\">"))
        XCTAssertTrue(html.contains("<code>migrate.ignored-file</code></a>"))
    }

    func testProvenanceComesFromTheReportOnly() {
        XCTAssertTrue(html.contains("snapshots/clipper.sql.zst"))
        XCTAssertTrue(html.contains(report.snapshot.sha256))
        XCTAssertTrue(html.contains("PostgreSQL 16.4"))
        XCTAssertTrue(html.contains("started 2024-05-02T02:00:00Z, finished 2024-05-02T02:00:09Z"))
        XCTAssertTrue(html.contains("<code>lock_timeout = 5s</code>, <code>statement_timeout = 0</code>"))
    }

    func testRenderingIsDeterministic() {
        XCTAssertEqual(HTMLReport.render(report), HTMLReport.render(SampleReport.make()))
    }

    func testEscapingCoversTextAndAttributes() {
        XCTAssertEqual(HTMLEscaping.text("a & b < c > d \"e\" 'f'"), "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;")
        XCTAssertEqual(HTMLEscaping.text("line\nbreak"), "line\nbreak")
        XCTAssertEqual(HTMLEscaping.attribute("<x y=\"1\">\n'z'\r\t"), "&lt;x y=&quot;1&quot;&gt;&#10;&#39;z&#39;&#13;&#9;")
        XCTAssertEqual(HTMLEscaping.text("naïve ✓"), "naïve ✓")
    }
}

/// A function that differs after down is shown as a diff of its two definitions, and one that
/// differs only in comments or whitespace says so.
final class DefinitionDiffTests: XCTestCase {
    private let before = "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT 1$function$\n"

    func testLinesAreDiffedAgainstTheLongestCommonPart() throws {
        let after = before.replacingOccurrences(of: "SELECT 1", with: "SELECT 2")
        let lines = try XCTUnwrap(DefinitionDiff.lines(before, after))
        XCTAssertEqual(lines.filter { if case .same = $0 { return false } else { return true } },
                       [.removed("AS $function$SELECT 1$function$"), .added("AS $function$SELECT 2$function$")])
        XCTAssertFalse(DefinitionDiff.onlyCommentsOrWhitespace(before, after))
        XCTAssertTrue(DefinitionDiff.onlyCommentsOrWhitespace(before, before.replacingOccurrences(of: "SELECT 1", with: "SELECT  1 /* one */")))
    }

    func testTheHTMLShowsAChangedFunctionAsADiff() {
        var report = SampleReport.make()
        let after = before.replacingOccurrences(of: "SELECT 1", with: "SELECT 2")
        let difference = SchemaDifference(kind: "function", name: "public.f()", change: .changed, expected: before, actual: after)
            .described(.down, after: "after down", expectedLabel: "the schema before up")
        XCTAssertEqual(difference.message, "function public.f() differs after down from the schema before up (report.html shows the two definitions as a diff)")
        report.migrations[1].roundtrip.differences = [difference]
        let html = HTMLReport.render(report)
        XCTAssertTrue(html.contains("<del>− AS $function$SELECT 1$function$</del>"), html)
        XCTAssertTrue(html.contains("<ins>+ AS $function$SELECT 2$function$</ins>"))
        XCTAssertFalse(html.contains("differ only in comments or whitespace"))
        report.migrations[1].roundtrip.differences[0].actual = before.replacingOccurrences(of: "SELECT 1", with: "SELECT 1 /* same */")
        XCTAssertTrue(HTMLReport.render(report).contains("The two definitions differ only in comments or whitespace."))
    }
}
