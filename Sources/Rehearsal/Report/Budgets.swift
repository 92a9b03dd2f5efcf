/// Limits a rehearsal checks; exceeding one is a finding and makes the verdict fail.
/// Defaults follow GitLab's migration guidelines: a regular migration should finish within
/// 3 minutes.
public struct Budgets: Sendable, Codable, Equatable {
    /// Longest acceptable duration of one up or down step, in seconds.
    public var stepDuration: Double = 180
    /// A down step this many times slower than its up is reported (warning).
    public var downSlowerFactor: Double = 10
    /// Longest acceptable time a lock that blocks the application (Share and stronger on an
    /// existing table) is held, in seconds. Past it, traffic queues visibly.
    public var lockHold: Double = 0.5
    /// Longest acceptable time one application query is blocked by the migration, in seconds
    /// (GitLab's guideline for a query is 100 ms; a blocked request on top of that is what
    /// users feel).
    public var trafficBlocked: Double = 0.2

    public init() {}

    enum CodingKeys: String, CodingKey {
        case stepDuration, downSlowerFactor, lockHold, trafficBlocked
    }

    /// Budgets missing from an older report.json take today's defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Budgets()
        stepDuration = try c.decodeIfPresent(Double.self, forKey: .stepDuration) ?? defaults.stepDuration
        downSlowerFactor = try c.decodeIfPresent(Double.self, forKey: .downSlowerFactor) ?? defaults.downSlowerFactor
        lockHold = try c.decodeIfPresent(Double.self, forKey: .lockHold) ?? defaults.lockHold
        trafficBlocked = try c.decodeIfPresent(Double.self, forKey: .trafficBlocked) ?? defaults.trafficBlocked
    }
}
