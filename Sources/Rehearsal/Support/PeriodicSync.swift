import Foundation

/// Calls sync(2) every `interval` seconds on its own thread until stopped, so a bulk load
/// that runs without fsync writes its files out while the CPU is busy with the rest of the
/// load, instead of all at once at the end.
final class PeriodicSync: @unchecked Sendable {
    private let stopped = LockedBox(false)
    private let done = DispatchSemaphore(value: 0)

    init(interval: Double) {
        Thread { [stopped, done] in
            defer { done.signal() }
            while true {
                Thread.sleep(forTimeInterval: interval)
                if stopped.value { return }
                sync()
            }
        }.start()
    }

    /// Stops, after the sync in progress if there is one.
    func stop() {
        stopped.value = true
        done.wait()
    }
}
