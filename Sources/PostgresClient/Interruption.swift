/// Lets another thread (a signal handler) stop a rehearsal cleanly: the statement in flight
/// is cancelled through libpq's cancel object, and the work stops at its next check. Long
/// work (a restore, a dump) throws `RehearsalInterrupted`; the runner turns that into a
/// report marked interrupted.
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
    public func watch(_ cancel: CancelHandle?) {
        let interruptedAlready = state.withValue { value -> Bool in
            value.cancel = cancel
            return value.interrupted
        }
        if interruptedAlready { cancel?.cancel() }
    }

    public func check() throws {
        if isInterrupted { throw RehearsalInterrupted() }
    }
}

/// Thrown by long work that stopped because of an interrupt.
public struct RehearsalInterrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
