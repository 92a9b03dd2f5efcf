import Foundation
import PostgresClient

/// Runs the scenario's application traffic against the scratch database on its own
/// threads: a paced open loop at the scenario's total rate, spread over its connections.
/// Every execution is logged with its connection's backend pid and its start and end on the
/// server's clock, so the step observer's lock waits can be matched to the exact query they
/// delayed.
public final class TrafficGenerator: @unchecked Sendable {
    /// One executed query.
    public struct Execution: Sendable {
        public var query: Int
        public var pid: Int32
        /// Seconds since the epoch on the server's clock.
        public var start: Double
        public var end: Double
        public var error: String?
    }

    public let spec: TrafficSpec
    private let pool: KeyPool
    private let target: String
    private let database: String
    /// Server clock minus client clock, measured once at start.
    public let clockOffset: Double
    private let executions = LockedBox<[Execution]>([])
    private let lost = LockedBox<[LostConnection]>([])
    private let stopFlag = LockedBox(false)
    /// Start (server clock) of each worker's query in flight.
    private let inFlight = LockedBox<[Int: Double]>([:])
    private let group = DispatchGroup()
    private let cumulativeWeights: [Double]

    /// Samples keys and starts the workers. Throws if the traffic cannot even begin.
    public init(spec: TrafficSpec, target: String, database: String) throws {
        self.spec = spec
        self.target = target
        self.database = database
        let setup = try Connection(target, database: database, applicationName: "rehearse-traffic")
        pool = try KeyPool.load(for: spec, on: setup)
        let before = Date().timeIntervalSince1970
        let server = try setup.scalar("SELECT extract(epoch FROM clock_timestamp())").flatMap(Double.init) ?? before
        let after = Date().timeIntervalSince1970
        clockOffset = server - (before + after) / 2
        var running = 0.0
        cumulativeWeights = spec.queries.map { running += $0.weight; return running }
        guard !spec.queries.isEmpty else { return }
        let perWorkerInterval = Double(spec.connections) / spec.rate
        for worker in 0..<spec.connections {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                work(index: worker, interval: perWorkerInterval)
            }
            thread.start()
        }
    }

    deinit {
        stop()
    }

    /// A worker whose connection could not be opened or was lost: from then on the scenario's
    /// traffic runs on fewer connections, so what it saw is incomplete.
    public struct LostConnection: Sendable {
        public var worker: Int
        public var reason: String
    }

    /// Workers lost so far, in the order they were lost.
    public var lostConnections: [LostConnection] { lost.value }

    /// The current time on the server's clock.
    public var serverNow: Double { Date().timeIntervalSince1970 + clockOffset }

    /// Executions that ended in `start...end` (server clock).
    public func executions(from start: Double, to end: Double) -> [Execution] {
        executions.value.filter { $0.end >= start && $0.start <= end }
    }

    /// Waits (up to `limit` seconds) until every query that started before `time` has
    /// finished and been logged, so a step's blocked queries can be matched to executions.
    public func settle(before time: Double, limit: Double = 2) {
        let deadline = Date().timeIntervalSince1970 + limit
        while Date().timeIntervalSince1970 < deadline {
            if !inFlight.value.values.contains(where: { $0 <= time }) { return }
            usleep(5_000)
        }
    }

    public func stop() {
        stopFlag.value = true
        group.wait()
    }

    private func work(index: Int, interval: Double) {
        let connection: Connection
        do {
            connection = try Connection(target, database: database, applicationName: "rehearse-traffic")
        } catch {
            lost.withValue { $0.append(LostConnection(worker: index, reason: "\(error)")) }
            return
        }
        // Keep a blocked query from outliving the rehearsal by much.
        _ = try? connection.execute("SET statement_timeout = '5min'")
        let pid = connection.backendPID
        var generator = SystemRandomNumberGenerator()
        // Stagger workers so they do not fire in lockstep.
        var next = Date().timeIntervalSince1970 + interval * Double(index) / Double(max(spec.connections, 1))
        while !stopFlag.value {
            let now = Date().timeIntervalSince1970
            if next > now { usleep(useconds_t(min(next - now, 0.05) * 1_000_000)); continue }
            next += interval
            if next < now - 1 { next = now }  // fell behind (blocked): do not burst afterwards
            let choice = pick(using: &generator)
            let query = spec.queries[choice]
            let parameters = query.parameters.map { pool.value(for: $0, using: &generator) }
            let start = Date().timeIntervalSince1970
            inFlight.withValue { $0[index] = start + clockOffset }
            defer { inFlight.withValue { $0[index] = nil } }
            var failure: String?
            do {
                try connection.query(query.sql, parameters)
            } catch let error as PostgresError {
                failure = error.message + (error.sqlState.map { " (SQLSTATE \($0))" } ?? "")
                if error.kind == .connection {
                    lost.withValue { $0.append(LostConnection(worker: index, reason: error.message)) }
                    break
                }
            } catch {
                failure = "\(error)"
            }
            let end = Date().timeIntervalSince1970
            let execution = Execution(query: choice, pid: pid, start: start + clockOffset, end: end + clockOffset, error: failure)
            executions.withValue { $0.append(execution) }
        }
    }

    private func pick(using generator: inout some RandomNumberGenerator) -> Int {
        let total = cumulativeWeights.last ?? 1
        let draw = Double.random(in: 0..<total, using: &generator)
        return cumulativeWeights.firstIndex { draw < $0 } ?? 0
    }
}
