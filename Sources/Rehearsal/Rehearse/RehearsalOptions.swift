import PostgresClient

/// How a rehearsal runs, beyond what the scenario says.
public struct RehearsalOptions: Sendable {
    /// Keep the scratch database at the end (for inspection) instead of dropping it.
    public var keepDatabase = false
    /// Seconds between two looks at pg_locks while a step runs.
    public var lockSampleInterval = 0.01
    /// Attribute locks, rewrites and time to each statement with a traced re-run on a clone.
    public var traceStatements = true
    /// Embedded server: after the report, copy the template into a spare that the next run
    /// takes at once.
    public var keepSpare = true
    /// Extra sessions that load the snapshot in parallel (pg_restore -j style).
    public var restoreWorkers = 2
    /// Set from a signal handler to stop the run cleanly.
    public var interruption = InterruptionToken()

    public init() {}
}
