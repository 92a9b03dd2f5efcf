import Foundation

/// Holds the scenario's long transactions open during a step: each begins, runs its query
/// (taking its locks) and stays open for its hold time, the way a slow report or batch job
/// in production makes a migration wait — and everything behind the migration queue.
final class LongTransactions: @unchecked Sendable {
    private let group = DispatchGroup()
    private let failures = LockedBox<[String]>([])

    /// Starts them and returns once each has taken its locks.
    init(_ specs: [TrafficSpec.LongTransaction], target: String, database: String) {
        let ready = DispatchSemaphore(value: 0)
        for spec in specs {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                do {
                    let connection = try Connection(target, database: database, applicationName: "rehearse-long-transaction")
                    try connection.execute("BEGIN")
                    let result = connection.runScript(spec.sql)
                    ready.signal()
                    if let error = result.error {
                        failures.withValue { $0.append("\(spec.name): \(error.message)") }
                        return
                    }
                    Thread.sleep(forTimeInterval: spec.hold)
                    _ = connection.runScript("COMMIT")
                } catch {
                    failures.withValue { $0.append("\(spec.name): \(error)") }
                    ready.signal()
                }
            }
            thread.start()
        }
        for _ in specs { ready.wait() }
    }

    /// Waits until every transaction has ended; returns those that failed.
    func finish() -> [String] {
        group.wait()
        return failures.value
    }
}
