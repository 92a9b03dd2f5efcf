import XCTest
@testable import Rehearsal

final class MarkdownReportTests: XCTestCase {
    private var markdown: String { MarkdownReport.render(ReportFixtures.report) }

    private func tableRow(startingWith prefix: String, in text: String) -> String? {
        text.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
    }

    /// Cell separators: `|` not escaped as `\|`.
    private func unescapedPipes(_ row: String) -> Int {
        var count = 0
        var previous: Character = " "
        for character in row {
            if character == "|", previous != "\\" { count += 1 }
            previous = character
        }
        return count
    }

    func testVerdictLineComesRightAfterTheTitle() {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)

        XCTAssertEqual(lines.first, "# Migration rehearsal: orders")
        XCTAssertEqual(lines.dropFirst().first, "**❌ NO-GO** — a step failed")
    }

    func testSamplingSaysBothIntervalsWhenTheSamplerBacksOff() throws {
        var report = SampleReport.make()
        XCTAssertNil(report.lockSampleQuietIntervalMs, "older reports have no quiet interval")
        XCTAssertEqual(MarkdownReport.sampling(report), "every 10 ms")
        report.lockSampleQuietIntervalMs = 25
        XCTAssertEqual(MarkdownReport.sampling(report), "every 10 ms while locks are taken or waited for, 25 ms otherwise")
        XCTAssertTrue(MarkdownReport.render(report).contains("(sampled every 10 ms while locks are taken or waited for, 25 ms otherwise; in whole-file mode"))
        let decoded = try JSONReport.decode(try JSONReport.encode(report))
        XCTAssertEqual(decoded.lockSampleQuietIntervalMs, 25)
    }

    func testTheSnapshotSectionSaysHowManyKeysTheRestoreTookAsValid() {
        XCTAssertTrue(markdown.contains("\n- 3 foreign key(s) taken as valid without checking the rows again: they held in the database the snapshot was dumped from\n"))
        XCTAssertTrue(HTMLReport.render(ReportFixtures.report).contains("<li>3 foreign key(s) taken as valid without checking the rows again"))
        var report = ReportFixtures.report
        report.snapshot.restore?.trustedForeignKeys = nil
        XCTAssertFalse(MarkdownReport.render(report).contains("taken as valid"), "a restore that checked its keys says nothing")
    }

    func testPassingReportSaysGo() {
        var report = ReportFixtures.report
        report.verdict = .pass
        report.verdictReason = "all checks passed"

        let lines = MarkdownReport.render(report).split(separator: "\n").map(String.init)

        XCTAssertTrue(lines.contains("**✅ GO** — all checks passed"), "\(lines.prefix(4))")
    }

    func testEachMigrationHasATableRow() throws {
        let text = markdown

        let first = try XCTUnwrap(tableRow(startingWith: "| 20240101120000 | create_users |", in: text))
        XCTAssertTrue(first.contains("| 12 ms | 3 ms | 11 ms |"), first)
        XCTAssertTrue(first.contains("AccessExclusiveLock on public.users"), first)
        XCTAssertTrue(first.contains("**down incomplete**"), first)
        XCTAssertEqual(unescapedPipes(first), 10, "nine columns")

        let failed = try XCTUnwrap(tableRow(startingWith: "| 20240102000000 |", in: text))
        XCTAssertTrue(failed.contains("**failed**"), failed)

        let notRun = try XCTUnwrap(tableRow(startingWith: "| 20240103000000 | later |", in: text))
        XCTAssertTrue(notRun.hasSuffix("| not-run |"), notRun)
    }

    func testPipeAndScriptTagInMigrationNameAreEscaped() throws {
        let text = markdown

        XCTAssertFalse(text.contains("<script>"))
        XCTAssertFalse(text.contains("</script>"))
        let row = try XCTUnwrap(tableRow(startingWith: "| 20240102000000 |", in: text))
        XCTAssertTrue(row.hasPrefix("| 20240102000000 | evil \\| name &lt;script&gt;alert(1)&lt;/script&gt; |"), row)
        XCTAssertEqual(unescapedPipes(row), 10, "the name's pipe must not add a column: \(row)")
    }

    func testEscapeHandlesPipesAngleBracketsAndNewlines() {
        XCTAssertEqual(MarkdownReport.escape("a|b<c>\nd"), "a\\|b&lt;c&gt; d")
    }

    func testFindingsAndErrorsAreShown() {
        let text = markdown

        XCTAssertTrue(text.contains("**migrate.ignored-file**"), "run-level finding missing")
        XCTAssertTrue(text.contains("**roundtrip.down-incomplete**"), "migration finding missing")
        XCTAssertTrue(text.contains("relation \"users\" already exists (SQLSTATE 42P07)"), "step error missing")
    }
}
