import XCTest
@testable import Rehearsal

final class DurationTextTests: XCTestCase {
    func testMillisecondsAreFractionsOfASecond() {
        XCTAssertEqual(DurationText.seconds("250ms"), 0.25)
    }

    func testSecondsMinutesAndHours() {
        XCTAssertEqual(DurationText.seconds("5s"), 5)
        XCTAssertEqual(DurationText.seconds("3m"), 180)
        XCTAssertEqual(DurationText.seconds("2min"), 120)
        XCTAssertEqual(DurationText.seconds("1h"), 3600)
    }

    func testBareNumberIsSeconds() {
        XCTAssertEqual(DurationText.seconds("1.5"), 1.5)
        XCTAssertEqual(DurationText.seconds("30"), 30)
    }

    func testUnitsAreCaseInsensitiveAndMayBeSpaced() {
        XCTAssertEqual(DurationText.seconds("2 MIN"), 120)
        XCTAssertEqual(DurationText.seconds(" 10 s "), 10)
    }

    func testTextThatIsNotADurationIsNil() {
        XCTAssertNil(DurationText.seconds("5 parsecs"))
        XCTAssertNil(DurationText.seconds("ms"))
        XCTAssertNil(DurationText.seconds(""))
        XCTAssertNil(DurationText.seconds("2d"))
    }
}
