import Foundation
import PostgresClient

/// Runs one step the way migrate would — record (target, dirty), run the body, record
/// (target, clean) only on success — while observing it: the lock sampler, the traffic's
/// blocked queries, the scenario's long transactions, the WAL it wrote, and the step probes
/// (rewrites, size, schema).
struct StepRunner {
    var migrationSession: MigrationSession
    var executor: MigrationExecutor
    var target: String
    var mode: ExecutionMode
    var interval: Double
    var traffic: TrafficGenerator?
    var interruption: InterruptionToken
    var stepTimeout: Double?
    var probes: (MigrationSession, Bool) -> [StepProbe] = StepProbes.standard
    var events: (RehearsalEvent) -> Void

    private var session: Connection { migrationSession.connection }
    private var observer: Connection { migrationSession.observer }
    private var table: TrackingTable { migrationSession.table }
    private var database: String { migrationSession.database }

    /// A step's report and what its probes measured.
    struct Outcome {
        var step: StepReport
        var evidence: StepEvidence
    }

    func run(
        _ migration: Migration, direction: MigrationDirection, pass: Int, previous: Int64,
        longTransactions: [TrafficSpec.LongTransaction]
    ) throws -> Outcome {
        events(.stepStarted(version: migration.version, name: migration.identifier, direction: direction, pass: pass))
        let version = direction == .up ? Int64(migration.version) : previous
        let file = migration.file(direction)
        try table.write(version, dirty: true, on: session)

        let probes = self.probes(migrationSession, traffic != nil)
        for probe in probes { try probe.before(on: observer) }
        let holders = longTransactions.isEmpty ? nil : LongTransactions(longTransactions, target: target, database: database)
        let lostBefore = traffic?.lostConnections.count ?? 0

        let sampler = migrationSession.sampler(target: target)
        let watcher = StepObserver(pid: session.backendPID, interval: interval, sampler: sampler)
        let clock = ContinuousClock()
        // The server's clock and WAL insert position (traffic's writes included when traffic
        // runs) on migrate's session, right before and after the body.
        let opening = try session.query("SELECT extract(epoch FROM clock_timestamp()), pg_catalog.pg_current_wal_insert_lsn()::text").rows.first
        let serverStart = opening?[0].flatMap(Double.init) ?? 0
        let walStart = opening?[1] ?? "0/0"
        let started = clock.now
        let outcome = executor.run(file, on: session)
        let wall = (clock.now - started).milliseconds
        let walSince = "pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_insert_lsn(), $1::pg_lsn)::bigint"
        let closing = try? session.query("SELECT extract(epoch FROM clock_timestamp()), \(walSince)", [walStart]).rows.first
        let serverEnd = closing?[0].flatMap(Double.init) ?? serverStart + wall / 1000
        let observation = watcher.stop()
        var step = StepReport(direction: direction, pass: pass, status: .ok, durationMs: wall)
        let walWritten: String?
        if let closing {
            walWritten = closing[1]
        } else {
            // A file that failed inside its own BEGIN leaves the session unable to answer.
            walWritten = try observer.scalar("SELECT \(walSince)", [walStart])
        }
        step.walBytes = walWritten.flatMap { Int64($0) }
        var evidence = StepEvidence()
        let lines = file.map { StatementLines.startLines(of: $0.body) } ?? []
        step.statements = outcome.statements.enumerated().map { index, result in
            StatementReport(line: index < lines.count ? lines[index] : nil, command: result.command, rows: result.rowsAffected)
        }
        // migrate records the clean version while the probes read what the body left: that
        // write touches only the tracking table, which no probe figure counts (its new file
        // is no rewrite), and the next body waits for both.
        let recording = outcome.error == nil ? Self.recordClean(version, in: table, on: session) : nil
        // In one transaction: the catalogs the probes read are locked once for all their queries.
        let probed = Result {
            try observer.execute("BEGIN")
            do {
                for probe in probes { try probe.after(on: observer, into: &step, evidence: &evidence) }
                try observer.execute("COMMIT")
            } catch {
                _ = observer.runScript("ROLLBACK")
                throw error
            }
        }
        let recorded = recording?.wait()
        try probed.get()
        let held = holders?.finish() ?? []
        if let failure = watcher.error {
            step.observationGaps.append("the lock sampler stopped (\(failure)): locks, lock waits and blocked traffic after that moment are unknown, not absent")
        }
        for lost in traffic?.lostConnections.dropFirst(lostBefore) ?? [] {
            step.observationGaps.append("traffic connection \(lost.worker + 1) of \(traffic?.spec.connections ?? 0) was lost (\(lost.reason)): blocked traffic is under-counted from then on")
        }
        step.serverMs = (serverEnd - serverStart) * 1000
        step.notices = outcome.notices
        step.timedOut = outcome.timedOut
        if outcome.skipped {
            step.status = .skipped
            step.skipReason = file == nil ? "no \(direction.rawValue) file: migrate records the version change without running SQL" : "blank file: migrate sends nothing"
        }
        if var error = outcome.error {
            // Without a server position, the failing statement is the one after those that completed.
            if error.line == nil, outcome.statements.count < lines.count {
                error.line = lines[outcome.statements.count]
            }
            if interruption.isInterrupted {
                step.interrupted = true
                error.message = "interrupted: " + error.message
            } else if outcome.timedOut {
                error.message = "cancelled after the scenario's step_timeout of \(stepTimeout.map { Format.duration($0 * 1000) } ?? "?"): " + error.message
            }
            step.status = .failed
            step.error = error
            // A file with its own BEGIN leaves the session in a failed transaction.
            _ = session.runScript("ROLLBACK")
        }
        // Long transactions ran on this machine's clock; the step's clock is the server's.
        let offset = traffic?.clockOffset ?? 0
        step.longTransactions = held.map { record in
            HeldTransaction(
                name: record.name, lockedAtMs: (record.locked + offset - serverStart) * 1000,
                endedAtMs: (record.ended + offset - serverStart) * 1000, error: record.error)
        }

        step.migrationWaits = observation.migrationWaits.values.map { wait in
            let end = min(wait.lastSeen + interval / 2, serverEnd)
            return MigrationWait(
                relation: wait.relation, mode: wait.mode, startMs: (wait.waitStart - serverStart) * 1000,
                waitMs: max(0, end - wait.waitStart) * 1000, heldBy: wait.blockerDescriptions)
        }.sorted { $0.startMs < $1.startMs }
        step.migrationWaitMs = step.migrationWaits.map(\.waitMs).reduce(0, +)
        if let traffic {
            let names = traffic.spec.queries.map(\.name)
            traffic.settle(before: serverEnd)
            let executions = traffic.executions(from: serverStart, to: serverEnd + 60)
            step.blocked = TrafficAnalysis.blockedEvents(
                Array(observation.blocked.values), executions: executions, names: names, stepStart: serverStart, interval: interval)
            let during = executions.filter { $0.start >= serverStart && $0.start <= serverEnd }
            step.traffic = TrafficAnalysis.stats(
                during, names: names, blocked: step.blocked,
                expectedInterval: Double(traffic.spec.connections) / traffic.spec.rate)
            step.traffic?.timeline = TrafficAnalysis.timeline(during, stepStart: serverStart, durationMs: (serverEnd - serverStart) * 1000)
        }

        step.locks = locks(observation, serverStart: serverStart, serverEnd: serverEnd)
        try recorded?.get()
        step.trackingAfter = try table.readChecked(on: observer)
        events(.stepFinished(version: migration.version, step: step))
        return Outcome(step: step, evidence: evidence)
    }

    /// Writes (`version`, clean) on a thread of its own; the caller leaves `session` alone
    /// until it has waited.
    private static func recordClean(_ version: Int64, in table: TrackingTable, on session: Connection) -> BackgroundJob<Void> {
        let session = UncheckedSendable(session)
        return BackgroundJob { try table.write(version, dirty: false, on: session.value) }
    }

    /// Locks on the step's clock. In whole-file mode a lock is released at the end of the
    /// file (one transaction), so it is held from first sight to the end of the step.
    /// A query blocked directly by the migration proves its strongest lock on that relation
    /// was held at the wait's start, which may be before the first sample saw it.
    private func locks(_ observation: StepObserver.Observation, serverStart: Double, serverEnd: Double) -> [ObservedLock] {
        var earliestBlock: [String: Double] = [:]
        for wait in observation.blocked.values where wait.direct {
            earliestBlock[wait.relation] = min(earliestBlock[wait.relation] ?? .infinity, wait.waitStart)
        }
        let strongest = Dictionary(
            observation.locks.values.filter(\.granted).map { ($0.relation, ObservedLock.strength.firstIndex(of: $0.mode) ?? -1) },
            uniquingKeysWith: max)
        return observation.locks.values.map { raw in
            var firstSeen = raw.firstSeen
            if raw.granted, strongest[raw.relation] == ObservedLock.strength.firstIndex(of: raw.mode) ?? -1,
                let blocked = earliestBlock[raw.relation]
            {
                firstSeen = min(firstSeen, blocked)
            }
            let first = max(0, (firstSeen - serverStart) * 1000)
            let last = max(first, (raw.lastSeen - serverStart) * 1000)
            let end = mode == .wholeFile && raw.granted ? max(last, (serverEnd - serverStart) * 1000) : last
            return ObservedLock(
                relation: raw.relation, relationKind: raw.kind, mode: raw.mode, firstSeenMs: first, lastSeenMs: last,
                granted: raw.granted, heldMs: raw.granted ? end - first : 0)
        }.sorted { ($0.strengthRank, $0.heldMs, $0.relation) > ($1.strengthRank, $1.heldMs, $1.relation) }
    }
}
