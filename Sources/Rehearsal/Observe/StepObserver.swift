import Foundation
import PostgresClient

/// Watches one step from a separate connection, every `interval` seconds, with one catalog
/// query per sample: which relation locks the migration's backend holds or waits for, and
/// which other backends of the database wait on a lock because of it — directly, or queued
/// behind it (`pg_blocking_pids`). Times are on the server's clock (epoch seconds), and a
/// wait's start comes from `pg_locks.waitstart`, so its precision does not depend on the
/// sampling interval. The sampler's cost is one short prepared query per sample on its own
/// backend; it never takes a lock the migration could wait for.
///
/// While nothing waits and the migration takes no new lock (after the step's first 200 ms)
/// the sampler looks every `quietInterval` instead: a new wait is still caught within it
/// (and its start is exact), the end of every wait is timed to `interval`, and a CPU-bound
/// step (a parallel index build, which waits for its slowest worker) is not
/// interrupted 100 times a second: on the scale-12 demo index build, sampling every 10 ms
/// throughout cost about 8 %, every 25 ms about 1 % (medians of 6 runs each).
public final class StepObserver: @unchecked Sendable {
    public let interval: Double
    /// The interval while nothing waits and no new lock is taken: `interval`, or 25 ms if longer.
    public var quietInterval: Double { Self.quietInterval(for: interval) }
    public static func quietInterval(for interval: Double) -> Double { max(interval, 0.025) }
    private let stopFlag = LockedBox(false)
    private let state = LockedBox(Observation())
    private let failure = LockedBox<String?>(nil)
    private let finished = DispatchSemaphore(value: 0)
    private let started = DispatchSemaphore(value: 0)
    /// Ends the wait between two samples when the step ends.
    private let wake = DispatchSemaphore(value: 0)

    /// The sampler's connection, set up once (application name, database, prepared sample)
    /// and kept from step to step, so a step pays for no connection.
    public final class Sampler: @unchecked Sendable {
        let connection: Connection
        let databaseOid: String
        /// False once a sample failed: the connection is not used again.
        public fileprivate(set) var usable = true

        public init(connecting connect: () throws -> Connection) throws {
            connection = try connect()
            _ = try connection.execute("SET application_name = 'rehearse-observer'; SET search_path = ''")
            databaseOid = try connection.scalar("SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()") ?? "0"
            // Parsed and planned once: each sample only executes.
            try connection.prepare("rehearse_sample", StepObserver.sampleQuery(serverVersion: connection.serverVersionNumber), parameterCount: 2)
        }
    }

    /// What the observer saw, on the server's clock.
    public struct Observation: Sendable {
        public var locks: [String: RawLock] = [:]
        public var migrationWaits: [String: RawWait] = [:]
        public var blocked: [String: RawWait] = [:]
        public var samples = 0
    }

    public struct RawLock: Sendable {
        public var relation: String
        public var kind: String
        public var mode: String
        public var granted: Bool
        public var firstSeen: Double
        public var lastSeen: Double
    }

    public struct RawWait: Sendable {
        public var pid: Int32
        public var relation: String
        public var mode: String
        /// `pg_locks.waitstart`, or the first sample that saw the wait on servers before 14.
        public var waitStart: Double
        public var lastSeen: Double
        public var blockers: Set<Int32>
        /// True when the migration itself blocks it; false when it waits behind another
        /// backend that is queued behind the migration.
        public var direct: Bool
        public var blockerDescriptions: [String] = []
    }

    /// One cheap query per sample: pg_locks with names by oid lookups (no pg_stat_activity
    /// scan), and `pg_blocking_pids` only for requests that wait. Waits outside this
    /// database are left out by their database oid (transaction-id waits carry none).
    static func sampleQuery(serverVersion: Int) -> String {
        let waitStart = serverVersion >= 140000 ? "extract(epoch FROM l.waitstart)::float8" : "NULL::float8"
        return """
            SELECT l.pid, coalesce(pg_catalog.format('%I.%I', n.nspname, c.relname), l.locktype), coalesce(c.relkind::text, ''),
                   l.mode, l.granted, \(waitStart),
                   CASE WHEN l.granted THEN NULL ELSE pg_catalog.pg_blocking_pids(l.pid)::text END,
                   extract(epoch FROM clock_timestamp())::float8
            FROM pg_catalog.pg_locks l
            LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid <> pg_catalog.pg_backend_pid()
              AND (l.database = $2::oid OR l.database IS NULL)
              AND (NOT l.granted
                   OR (l.pid = $1 AND l.locktype = 'relation' AND l.relation >= 16384
                       AND n.nspname NOT IN ('pg_toast', 'information_schema')))
            """
    }

    /// Starts observing backend `pid`; returns once connected, so no part of the step goes
    /// unobserved. `sampler` gives the sampler's connection (a kept one, or a new one).
    public init(pid: Int32, interval: Double, sampler connect: @escaping @Sendable () throws -> Sampler) {
        self.interval = interval
        let thread = Thread { [self] in
            run(pid: pid, connect: connect)
        }
        thread.start()
        started.wait()
    }

    /// Stops and returns what was seen.
    public func stop() -> Observation {
        stopFlag.value = true
        wake.signal()
        finished.wait()
        return state.value
    }

    /// Why observation stopped early, if it did.
    public var error: String? { failure.value }

    private func run(pid: Int32, connect: () throws -> Sampler) {
        defer { finished.signal() }
        let sampler: Sampler
        do {
            sampler = try connect()
        } catch {
            failure.value = "\(error)"
            started.signal()
            return
        }
        started.signal()
        let start = Date()
        var quiet = false
        repeat {
            do {
                let rows = try sampler.connection.query(prepared: "rehearse_sample", [String(pid), sampler.databaseOid]).rows
                let news = state.withValue { $0.fold(rows, migration: pid) }
                if !news.freshWaits.isEmpty { describeBlockers(of: news.freshWaits, on: sampler.connection) }
                // Fast while anything waits, while the migration takes new locks, and for
                // the step's first 200 ms, when most statements take theirs.
                quiet = !news.anyWaiting && !news.newLock && Date().timeIntervalSince(start) > 0.2
            } catch {
                sampler.usable = false
                failure.value = "\(error)"
                return
            }
            _ = wake.wait(timeout: .now() + (quiet ? quietInterval : interval))
        } while !stopFlag.value
    }

    /// Names who holds what the migration waits for: application name, state and query.
    private func describeBlockers(of keys: [String], on connection: Connection) {
        let pids = state.value.migrationWaits.filter { keys.contains($0.key) }.flatMap(\.value.blockers)
        guard !pids.isEmpty else { return }
        let list = "{" + pids.map(String.init).joined(separator: ",") + "}"
        guard let rows = try? connection.query(
            "SELECT pid, coalesce(nullif(application_name, ''), usename::text, '?'), coalesce(state, '?'), left(coalesce(query, ''), 120) FROM pg_catalog.pg_stat_activity WHERE pid = ANY($1::int[])",
            [list]).rows
        else { return }
        let descriptions = rows.map { row in
            "pid \(row[0] ?? "?") (\(row[1] ?? "?"), \(row[2] ?? "?")): \((row[3] ?? "").replacingOccurrences(of: "\n", with: " "))"
        }
        state.withValue { observation in
            for key in keys { observation.migrationWaits[key]?.blockerDescriptions = descriptions }
        }
    }

    static func pids(_ text: String?) -> Set<Int32> {
        guard let text else { return [] }
        return Set(text.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap { Int32($0) })
    }
}

extension StepObserver.Observation {
    /// What one sample brought: keys of migration waits seen for the first time, whether the
    /// migration held a lock not seen before, and whether any lock request waited.
    struct SampleNews {
        var freshWaits: [String] = []
        var newLock = false
        var anyWaiting = false
    }

    /// Folds one sample of `sampleQuery` (pid, relation, relkind, mode, granted, waitstart,
    /// blocking pids, server time) into the observation: the migration's own locks and
    /// waits, and every backend it blocks, directly or queued behind one it blocks.
    mutating func fold(_ rows: [[String?]], migration: Int32) -> SampleNews {
        var news = SampleNews()
        samples += 1
        var waiting: [Int32: (row: [String?], blockers: Set<Int32>)] = [:]
        var now = 0.0
        for row in rows {
            guard let pid = row[0].flatMap({ Int32($0) }) else { continue }
            now = row[7].flatMap(Double.init) ?? now
            let relation = row[1] ?? "?"
            let mode = row[3] ?? "?"
            let granted = row[4] == "t"
            if pid == migration, row[2] != "" || granted {
                let key = relation + "|" + mode
                if var lock = locks[key] {
                    lock.lastSeen = now
                    lock.granted = lock.granted || granted
                    locks[key] = lock
                } else {
                    news.newLock = true
                    locks[key] = StepObserver.RawLock(
                        relation: relation, kind: ObservedLock.kindName(row[2] ?? ""), mode: mode,
                        granted: granted, firstSeen: now, lastSeen: now)
                }
            }
            if !granted {
                news.anyWaiting = true
                waiting[pid] = (row, StepObserver.pids(row[6]))
            }
        }
        // Backends blocked by the migration, directly or through a queue behind it.
        var affected: Set<Int32> = [migration]
        var direct: Set<Int32> = []
        var grew = true
        while grew {
            grew = false
            for (pid, entry) in waiting where pid != migration && !affected.contains(pid) {
                if !entry.blockers.isDisjoint(with: affected) {
                    affected.insert(pid)
                    if entry.blockers.contains(migration) { direct.insert(pid) }
                    grew = true
                }
            }
        }
        for (pid, entry) in waiting where affected.contains(pid) {
            let row = entry.row
            let start = row[5].flatMap(Double.init)
            let relation = row[1] ?? "?"
            let mode = row[3] ?? "?"
            let key = "\(pid)|\(relation)|\(mode)|\(start.map { String($0) } ?? "")"
            let isMigration = pid == migration
            if var wait = (isMigration ? migrationWaits[key] : blocked[key]) {
                wait.lastSeen = now
                wait.blockers.formUnion(entry.blockers)
                if isMigration { migrationWaits[key] = wait } else { blocked[key] = wait }
            } else {
                let wait = StepObserver.RawWait(
                    pid: pid, relation: relation, mode: mode, waitStart: start ?? now, lastSeen: now,
                    blockers: entry.blockers, direct: direct.contains(pid))
                if isMigration {
                    migrationWaits[key] = wait
                    news.freshWaits.append(key)
                } else {
                    blocked[key] = wait
                }
            }
        }
        return news
    }
}
