/// A lock the migration's backend was seen holding (or waiting for) during one step.
public struct ObservedLock: Sendable, Codable, Equatable {
    public var relation: String
    /// `table`, `index`, `sequence`, `view`, … (from pg_class.relkind).
    public var relationKind: String
    public var mode: String
    /// Milliseconds from the start of the step to the first and last sample that saw it.
    public var firstSeenMs: Double
    public var lastSeenMs: Double
    public var granted: Bool

    /// How long the lock was seen held; precise to the sampling interval.
    public var heldMs: Double { lastSeenMs - firstSeenMs }

    /// PostgreSQL's table lock modes from weakest to strongest.
    public static let strength = [
        "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
        "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
    ]

    public var strengthRank: Int { Self.strength.firstIndex(of: mode) ?? -1 }
    /// Share and stronger conflict with INSERT/UPDATE/DELETE (RowExclusiveLock).
    public var blocksWrites: Bool { strengthRank >= 4 }
    /// Only AccessExclusiveLock conflicts with plain SELECT (AccessShareLock).
    public var blocksReads: Bool { mode == "AccessExclusiveLock" }
}
