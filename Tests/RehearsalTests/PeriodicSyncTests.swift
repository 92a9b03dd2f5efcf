import Foundation
import XCTest
@testable import Rehearsal

final class PeriodicSyncTests: XCTestCase {
    /// A restore shorter than the interval must not wait for the interval to end.
    func testStopDoesNotWaitForTheNextInterval() {
        let flushing = PeriodicSync(interval: 3600)
        let stopped = expectation(description: "stopped")
        DispatchQueue.global().async {
            flushing.stop()
            stopped.fulfill()
        }
        wait(for: [stopped], timeout: 60)
    }
}
