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
    /// How long it was held: from the first sample that saw it to the end of the step when
    /// the step runs as one transaction (locks are released at commit), else to the last
    /// sample that saw it.
    public var heldMs: Double

    public init(relation: String, relationKind: String, mode: String, firstSeenMs: Double, lastSeenMs: Double, granted: Bool, heldMs: Double? = nil) {
        self.relation = relation
        self.relationKind = relationKind
        self.mode = mode
        self.firstSeenMs = firstSeenMs
        self.lastSeenMs = lastSeenMs
        self.granted = granted
        self.heldMs = heldMs ?? lastSeenMs - firstSeenMs
    }

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

extension ObservedLock {
    static func kindName(_ relkind: String) -> String {
        switch relkind {
        case "r": return "table"
        case "p": return "partitioned table"
        case "i", "I": return "index"
        case "S": return "sequence"
        case "v": return "view"
        case "m": return "materialized view"
        case "t": return "toast table"
        case "f": return "foreign table"
        default: return relkind
        }
    }
}
