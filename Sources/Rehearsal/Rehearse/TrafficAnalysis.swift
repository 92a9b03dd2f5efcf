import Histogram

/// Turns traffic executions and the observer's lock waits into what the report shows:
/// latency percentiles per query (HdrHistogram, microsecond resolution) and the blocked
/// queries with their exact wait, from `pg_locks.waitstart` to the query's end.
enum TrafficAnalysis {
    /// Blocked traffic queries, each matched to the execution it delayed.
    static func blockedEvents(
        _ waits: [StepObserver.RawWait], executions: [TrafficGenerator.Execution], names: [String],
        stepStart: Double, interval: Double
    ) -> [BlockedEvent] {
        waits.map { wait in
            let execution = executions.first { $0.pid == wait.pid && $0.start <= wait.waitStart + 0.001 && $0.end >= wait.waitStart }
            let end = execution?.end ?? (wait.lastSeen + interval / 2)
            return BlockedEvent(
                query: execution.map { names[$0.query] } ?? "pid \(wait.pid)", pid: wait.pid,
                relation: wait.relation, mode: wait.mode,
                startMs: (wait.waitStart - stepStart) * 1000, waitMs: max(0, end - wait.waitStart) * 1000,
                direct: wait.direct)
        }.sorted { $0.startMs < $1.startMs }
    }

    /// Figures for the executions that started in a period.
    /// With `expectedInterval` (seconds between two queries of one connection), latencies are
    /// recorded with HdrHistogram's coordinated-omission correction: a connection stuck
    /// behind a lock sends nothing meanwhile, and the queries it would have sent are counted
    /// as having waited too, as the application's users would have.
    static func stats(
        _ executions: [TrafficGenerator.Execution], names: [String], blocked: [BlockedEvent], expectedInterval: Double? = nil
    ) -> StepTraffic {
        let interval = expectedInterval.map { UInt64(max($0, 0) * 1_000_000) } ?? 0
        func record(_ micros: UInt64, into histogram: inout Histogram<UInt64>) {
            if interval > 0 {
                _ = histogram.recordCorrectedValue(micros, expectedInterval: interval)
            } else {
                _ = histogram.record(micros)
            }
        }
        var traffic = StepTraffic()
        var all = histogram()
        for (index, name) in names.enumerated() {
            let mine = executions.filter { $0.query == index }
            guard !mine.isEmpty else { continue }
            var latencies = histogram()
            for execution in mine {
                let micros = UInt64(max(0, (execution.end - execution.start) * 1_000_000))
                record(micros, into: &latencies)
                record(micros, into: &all)
            }
            let blockedHere = blocked.filter { $0.query == name }
            traffic.perQuery.append(QueryStats(
                name: name, count: mine.count, errors: mine.filter { $0.error != nil }.count,
                p50Ms: Double(latencies.valueAtPercentile(50)) / 1000, p99Ms: Double(latencies.valueAtPercentile(99)) / 1000,
                maxMs: Double(latencies.max) / 1000, blocked: blockedHere.count, blockedMs: blockedHere.map(\.waitMs).reduce(0, +),
                firstError: mine.first { $0.error != nil }?.error))
        }
        traffic.queries = executions.count
        traffic.errors = executions.filter { $0.error != nil }.count
        traffic.blockedQueries = blocked.count
        traffic.maxBlockedMs = blocked.map(\.waitMs).max() ?? 0
        traffic.totalBlockedMs = blocked.map(\.waitMs).reduce(0, +)
        if all.totalCount > 0 {
            traffic.p50Ms = Double(all.valueAtPercentile(50)) / 1000
            traffic.p99Ms = Double(all.valueAtPercentile(99)) / 1000
            traffic.maxMs = Double(all.max) / 1000
        }
        return traffic
    }

    /// The slowest query per time bucket of a step (about 60 buckets, at least 5 ms each).
    static func timeline(_ executions: [TrafficGenerator.Execution], stepStart: Double, durationMs: Double) -> [LatencyPoint] {
        let width = max(durationMs / 60, 5)
        var buckets: [Int: LatencyPoint] = [:]
        for execution in executions {
            let offset = (execution.start - stepStart) * 1000
            let index = Int(max(offset, 0) / width)
            var point = buckets[index] ?? LatencyPoint(atMs: Double(index) * width, maxMs: 0, count: 0, errors: 0)
            point.maxMs = max(point.maxMs, (execution.end - execution.start) * 1000)
            point.count += 1
            if execution.error != nil { point.errors += 1 }
            buckets[index] = point
        }
        return buckets.keys.sorted().compactMap { buckets[$0] }
    }

    private static func histogram() -> Histogram<UInt64> {
        // 1 µs to 1 hour at three significant digits.
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }
}
