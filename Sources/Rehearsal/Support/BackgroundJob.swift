import Foundation
import PostgresClient

/// Work started on a thread of its own, whose outcome the starter waits for later.
final class BackgroundJob<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = LockedBox<Result<Value, Error>?>(nil)

    init(_ work: @escaping @Sendable () throws -> Value) {
        Thread { [self] in
            result.value = Result { try work() }
            done.signal()
        }.start()
    }

    /// Whether the work is done, without waiting.
    var isDone: Bool { result.value != nil }

    /// The outcome, once the work is done; `waiting` is called first if it is not yet.
    /// Safe to call more than once.
    func wait(waiting: () -> Void = {}) -> Result<Value, Error> {
        if done.wait(timeout: .now()) == .timedOut {
            waiting()
            done.wait()
        }
        done.signal()
        guard let outcome = result.value else { preconditionFailure("a background job signalled before its outcome was kept") }
        return outcome
    }
}
