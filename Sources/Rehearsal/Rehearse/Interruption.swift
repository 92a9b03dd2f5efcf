/// Lets another thread (a signal handler) stop a rehearsal cleanly: the statement in flight
/// is cancelled through libpq's cancel object, and the runner stops at its next check,
/// returning a partial report marked interrupted.
public final class InterruptionToken: @unchecked Sendable {
    private let state = LockedBox<(interrupted: Bool, cancel: CancelHandle?)>((false, nil))

    public init() {}

    public var isInterrupted: Bool { state.value.interrupted }

    /// Marks the run interrupted and cancels the statement in flight, if any.
    public func interrupt() {
        let cancel = state.withValue { value -> CancelHandle? in
            value.interrupted = true
            return value.cancel
        }
        cancel?.cancel()
    }

    /// Registers the connection whose statement an interruption must cancel.
    func watch(_ cancel: CancelHandle?) {
        let interruptedAlready = state.withValue { value -> Bool in
            value.cancel = cancel
            return value.interrupted
        }
        if interruptedAlready { cancel?.cancel() }
    }

    func check() throws {
        if isInterrupted { throw RehearsalInterrupted(partial: nil) }
    }
}

/// Thrown when a rehearsal was interrupted; carries the report as far as it got, when the
/// rehearsal had started.
public struct RehearsalInterrupted: Error, CustomStringConvertible {
    public var partial: RehearsalReport?
    public var description: String { "interrupted" }
}

/// Thrown when the server went away or failed mid-rehearsal; carries the report as far as
/// it got, so the run still leaves a (partial) report behind.
public struct RehearsalAborted: Error, CustomStringConvertible {
    public var partial: RehearsalReport
    public var reason: Error
    public var description: String { "the rehearsal stopped: \(reason)" }
}
