import XCTest
@testable import Rehearsal

final class SizeTextTests: XCTestCase {
    func testAgesInDaysHoursMinutesSeconds() {
        XCTAssertEqual(SizeText.seconds("7d"), 7 * 86400)
        XCTAssertEqual(SizeText.seconds("12h"), 12 * 3600)
        XCTAssertEqual(SizeText.seconds("30m"), 1800)
        XCTAssertEqual(SizeText.seconds("1.5s"), 1.5)
        XCTAssertNil(SizeText.seconds("soon"))
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
