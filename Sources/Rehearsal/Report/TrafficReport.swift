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
    /// Latency over the step, in buckets from the step's start, for the timeline.
    public var timeline: [LatencyPoint] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case queries, errors, blockedQueries, maxBlockedMs, totalBlockedMs, p50Ms, p99Ms, maxMs, perQuery, timeline
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        queries = try c.value(.queries, or: 0)
        errors = try c.value(.errors, or: 0)
        blockedQueries = try c.value(.blockedQueries, or: 0)
        maxBlockedMs = try c.value(.maxBlockedMs, or: 0)
        totalBlockedMs = try c.value(.totalBlockedMs, or: 0)
        p50Ms = try c.value(.p50Ms, or: 0)
        p99Ms = try c.value(.p99Ms, or: 0)
        maxMs = try c.value(.maxMs, or: 0)
        perQuery = try c.value(.perQuery, or: [])
        timeline = try c.value(.timeline, or: [])
    }
}

/// The slowest query that started in one time bucket of a step.
public struct LatencyPoint: Sendable, Codable, Equatable {
    /// Start of the bucket, in ms from the step's start.
    public var atMs: Double
    public var maxMs: Double
    public var count: Int
    public var errors: Int
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

    /// False for waits under a millisecond: lock-manager noise, not something a user feels.
    /// Findings and reports leave those out.
    public var isFelt: Bool { waitMs >= MigrationWait.feltMs }
}

/// A lock the migration had to wait for, and who held it.
public struct MigrationWait: Sendable, Codable, Equatable {
    public var relation: String
    public var mode: String
    public var startMs: Double
    public var waitMs: Double
    public var heldBy: [String]

    /// Lock waits shorter than this are lock-manager noise, not something a user feels.
    public static let feltMs = 1.0
    public var isFelt: Bool { waitMs >= Self.feltMs }
}

extension MigrationReport {
    /// Every application query a step of this migration blocked long enough to be felt,
    /// with its step, longest first.
    public var feltBlocks: [(step: StepReport, event: BlockedEvent)] {
        steps.flatMap { step in step.blocked.filter(\.isFelt).map { (step, $0) } }.sorted { $0.event.waitMs > $1.event.waitMs }
    }
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
