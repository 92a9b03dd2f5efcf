/// Traffic figures for one period (the baseline, or one step): what the application saw.
public struct StepTraffic: Sendable, Codable, Equatable {
    public var queries: Int = 0
    public var errors: Int = 0
    /// Queries that waited on a lock because of the migration.
    public var blockedQueries: Int = 0
    public var maxBlockedMs: Double = 0
    public var totalBlockedMs: Double = 0
    public var p50Ms: Double = 0
    public var p99Ms: Double = 0
    public var maxMs: Double = 0
    public var perQuery: [QueryStats] = []

    public init() {}
}

/// One named traffic query's figures for a period.
public struct QueryStats: Sendable, Codable, Equatable {
    public var name: String
    public var count: Int
    public var errors: Int
    public var p50Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    public var blocked: Int
    public var blockedMs: Double
    /// The first error message, when it failed.
    public var firstError: String?
}

/// A traffic query that waited on a lock because of the migration.
public struct BlockedEvent: Sendable, Codable, Equatable {
    public var query: String
    public var pid: Int32
    public var relation: String
    public var mode: String
    /// When the wait began, in milliseconds from the start of the step.
    public var startMs: Double
    public var waitMs: Double
    /// True when the migration itself held the conflicting lock; false when the query was
    /// queued behind the migration's own waiting request.
    public var direct: Bool
}

/// A lock the migration had to wait for, and who held it.
public struct MigrationWait: Sendable, Codable, Equatable {
    public var relation: String
    public var mode: String
    public var startMs: Double
    public var waitMs: Double
    public var heldBy: [String]
}

/// How the traffic was run, and its baseline before any migration.
public struct TrafficSummary: Sendable, Codable, Equatable {
    public var connections: Int
    public var ratePerSecond: Double
    public var baselineSeconds: Double
    public var queries: [String]
    public var baseline: StepTraffic
}

/// A long transaction rehearse held open during a step, on the step's clock.
public struct HeldTransaction: Sendable, Codable, Equatable {
    public var name: String
    /// When it had taken its locks and when it committed, in ms from the step's start.
    public var lockedAtMs: Double
    public var endedAtMs: Double
    public var error: String?
}
