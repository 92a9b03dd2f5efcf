import XCTest
@testable import Rehearsal

final class SizeTextTests: XCTestCase {
    func testAgesInDaysHoursMinutesSeconds() {
        XCTAssertEqual(DurationText.seconds("7d", allowingDays: true), 7 * 86400)
        XCTAssertEqual(DurationText.seconds("12h", allowingDays: true), 12 * 3600)
        XCTAssertEqual(DurationText.seconds("30m", allowingDays: true), 1800)
        XCTAssertEqual(DurationText.seconds("1.5s", allowingDays: true), 1.5)
        XCTAssertNil(DurationText.seconds("soon", allowingDays: true))
    }

    func testSizesInDecimalUnits() {
        XCTAssertEqual(SizeText.bytes("20GB"), 20_000_000_000)
        XCTAssertEqual(SizeText.bytes("500 MB"), 500_000_000)
        XCTAssertEqual(SizeText.bytes("1kb"), 1000)
        XCTAssertEqual(SizeText.bytes("42"), 42)
        XCTAssertNil(SizeText.bytes("lots"))
    }

    func testTemplateMarkerFieldsKeepPathsWithSpaces() {
        let fields = TemplateCache.fields("snapshot template sha256=abc used=2026-01-01T00:00:00Z path=/tmp/my snapshots/x.sql.zst")
        XCTAssertEqual(fields["sha256"], "abc")
        XCTAssertEqual(fields["used"], "2026-01-01T00:00:00Z")
        XCTAssertEqual(fields["path"], "/tmp/my snapshots/x.sql.zst")
    }
}
