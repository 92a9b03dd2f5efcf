import Foundation

/// Traffic measured on its own, with no migration running: the baseline before the first
/// migration, and the soak against each new schema after a first up.
extension TrafficGenerator {
    /// Lets the traffic run for `seconds` and returns what the queries that started in that
    /// time experienced.
    func measure(seconds: Double) -> StepTraffic {
        let start = serverNow
        Thread.sleep(forTimeInterval: seconds)
        let end = serverNow
        settle(before: end)
        let executions = executions(from: start, to: end).filter { $0.start >= start && $0.start <= end }
        return TrafficAnalysis.stats(
            executions, names: spec.queries.map(\.name), blocked: [],
            expectedInterval: Double(spec.connections) / spec.rate)
    }

}
