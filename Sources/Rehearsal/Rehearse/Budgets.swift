/// Limits a rehearsal checks; exceeding one is a finding and makes the verdict fail.
/// Defaults follow GitLab's migration guidelines: a regular migration should finish within
/// 3 minutes.
public struct Budgets: Sendable, Codable, Equatable {
    /// Longest acceptable duration of one up or down step, in seconds.
    public var stepDuration: Double = 180
    /// A down step this many times slower than its up is reported (warning).
    public var downSlowerFactor: Double = 10

    public init() {}
}
