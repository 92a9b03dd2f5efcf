import Foundation
import PostgresClient

/// Holds the scenario's long transactions open during a step: each begins, runs its query
/// (taking its locks) and stays open for its hold time, the way a slow report or batch job
/// in production makes a migration wait — and everything behind the migration queue.
final class LongTransactions: @unchecked Sendable {
    private let group = DispatchGroup()
    private let records = LockedBox<[Record]>([])

    /// What each transaction did, on the client's clock (epoch seconds).
    struct Record: Sendable {
        var name: String
        var locked: Double
        var ended: Double
        var error: String?
    }

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
                    let locked = Date().timeIntervalSince1970
                    ready.signal()
                    if let error = result.error {
                        records.withValue { $0.append(Record(name: spec.name, locked: locked, ended: locked, error: error.message)) }
                        return
                    }
                    Thread.sleep(forTimeInterval: spec.hold)
                    _ = connection.runScript("COMMIT")
                    records.withValue { $0.append(Record(name: spec.name, locked: locked, ended: Date().timeIntervalSince1970)) }
                } catch {
                    let now = Date().timeIntervalSince1970
                    records.withValue { $0.append(Record(name: spec.name, locked: now, ended: now, error: "\(error)")) }
                    ready.signal()
                }
            }
            thread.start()
        }
        for _ in specs { ready.wait() }
    }

    /// Waits until every transaction has ended.
    func finish() -> [Record] {
        group.wait()
        return records.value
    }
}
