import Foundation
import PostgresClient

/// Calls sync(2) every `interval` seconds on its own thread until stopped, so a bulk load
/// that runs without fsync writes its files out while the CPU is busy with the rest of the
/// load, instead of all at once at the end.
final class PeriodicSync: @unchecked Sendable {
    private let stopped = LockedBox(false)
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(interval: Double) {
        Thread { [stopped, wake, done] in
            defer { done.signal() }
            while wake.wait(timeout: .now() + interval) == .timedOut, !stopped.value {
                sync()
            }
        }.start()
    }

    /// Stops at once, or after the sync in progress if there is one.
    func stop() {
        stopped.value = true
        wake.signal()
        done.wait()
    }
}
