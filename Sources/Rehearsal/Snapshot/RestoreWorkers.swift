import Foundation
import PostgresClient

/// Extra sessions that build a dump's post-data section (indexes, constraints) for several
/// tables at once, as pg_restore -j does. Each worker owns its connection on its own
/// thread. A job waits for its prerequisites (other jobs, or a table's data, which the
/// loaders report with `complete`); of the jobs ready, the one with the highest priority
/// runs first. While loaders are busy they hold some of the `count` slots (`occupy`), so
/// the sessions never outnumber the cores the restore was given.
final class RestoreWorkers: @unchecked Sendable {
    struct Job {
        var key: String
        var statements: [(sql: String, line: Int)]
        var prerequisites: Set<String> = []
        var priority: Int = 0
    }

    private let condition = NSCondition()
    /// Jobs whose prerequisites are all complete.
    private var ready: [Job] = []
    /// The others, with how many prerequisites each still misses, and for each missing
    /// prerequisite the jobs it holds back: completing one updates only those.
    private var blocked: [String: (job: Job, missing: Int)] = [:]
    private var dependents: [String: [String]] = [:]
    private var completed: Set<String> = []
    private var busy = 0
    private var submitted = 0
    private var finished = 0
    private var occupied = 0
    private var closing = false
    private var failure: SnapshotError?
    private let group = DispatchGroup()
    private var cancelHandles: [CancelHandle] = []
    private let path: String
    let count: Int

    /// Session statements (`SET …`, `set_config`) every worker replays before a job, so it
    /// runs with the dump's settings (search_path '', encodings, …).
    private var sessionStatements: [String] = []

    init(count: Int, path: String, connect: @escaping @Sendable () throws -> Connection) throws {
        self.count = count
        self.path = path
        for _ in 0..<count {
            let connection = try connect()
            // Index builds sort in runs of 32 MB that are merged: on rows in no particular
            // order, a few cache-sized runs sort faster than one sort of everything in memory
            // (the scale-12 snapshot's 4.8 M-row two-column key: 4.2–4.9 s against 5.4–6.4 s
            // with 512 MB, on this project's 2-core machine; 4 alternating cold restores, a
            // median 14.7 against 15.9 s). A table already in key order, which one in-memory
            // pass finds sorted, loses a little (3.6 M ids: 1.5–1.8 against 1.35–1.45 s).
            // Foreign-key validation (which sorts in the same memory) is an anti-join of two
            // whole tables that PostgreSQL plans as a hash join; a merge join over the referenced
            // table's unique index (and the referencing column's index, when there is one)
            // does the same check with half the CPU or less on large tables, as measured
            // on the scale-12 demo snapshot (scripts/bench-scale): 8.5 against 4.1 core-seconds.
            // JIT compiling a validation query costs more than it saves: 0.3–0.4 s of inlining
            // and optimisation for the 4.8 M-row check of the same snapshot, run once.
            try connection.execute(
                "SET synchronous_commit = off; SET maintenance_work_mem = '32MB'; SET enable_hashjoin = off; SET jit = off")
            if let handle = connection.makeCancelHandle() { cancelHandles.append(handle) }
            let box = UncheckedSendable(connection)
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                work(box.value)
            }.start()
        }
    }

    func setSessionStatements(_ statements: [String]) {
        withLock { sessionStatements = statements }
    }

    /// Queues jobs; each starts once its prerequisites are complete and a slot is free.
    func submit(_ jobs: [Job]) {
        withLock {
            for job in jobs {
                let missing = job.prerequisites.subtracting(completed)
                if missing.isEmpty {
                    ready.append(job)
                } else {
                    blocked[job.key] = (job, missing.count)
                    for key in missing { dependents[key, default: []].append(job.key) }
                }
            }
            submitted += jobs.count
        }
    }

    /// Marks a prerequisite done that no job of this pool produces (a table's data).
    func complete(_ key: String) {
        withLock { markCompleted(key) }
    }

    /// Records `key` as done and releases the jobs that waited only for it (lock held).
    private func markCompleted(_ key: String) {
        guard completed.insert(key).inserted else { return }
        for dependent in dependents.removeValue(forKey: key) ?? [] {
            guard var entry = blocked[dependent] else { continue }
            entry.missing -= 1
            if entry.missing == 0 {
                blocked[dependent] = nil
                ready.append(entry.job)
            } else {
                blocked[dependent] = entry
            }
        }
    }

    /// Takes (positive) or gives back (negative) slots for work done outside the pool.
    func occupy(_ slots: Int) {
        withLock { occupied += slots }
    }

    /// Jobs finished and jobs submitted so far.
    var jobs: (finished: Int, submitted: Int) { reading { (finished, submitted) } }

    /// Waits for every queued job, calling `tick` every 0.1 s; throws the first failure.
    /// When `shouldStop` turns true, cancels the statements in flight and throws
    /// `RehearsalInterrupted`.
    func drain(shouldStop: () -> Bool, tick: () -> Void = {}) throws {
        condition.lock()
        defer { condition.unlock() }
        while (busy > 0 || !ready.isEmpty || !blocked.isEmpty) && failure == nil {
            // The caller's `close` cancels what is still running.
            if shouldStop() { throw RehearsalInterrupted() }
            condition.wait(until: Date().addingTimeInterval(0.1))
            condition.unlock()
            tick()
            condition.lock()
        }
        if let failure { throw failure }
    }

    /// Ends the workers; a statement still running (the restore failed elsewhere) is
    /// cancelled rather than waited for.
    func close() {
        withLock { closing = true }
        for handle in cancelHandles { _ = handle.cancel() }
        group.wait()
    }

    /// Reads under the lock without waking anyone.
    private func reading<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// Changes under the lock, then wakes the workers to look again.
    private func withLock<T>(_ body: () -> T) -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return body()
    }

    /// Takes the ready job with the highest priority (lock held). When nothing runs, no
    /// loader is left and no job is ready, a prerequisite can no longer arrive (a table with
    /// no data, say): then a held-back job runs regardless.
    private func takeNext() -> Job? {
        if let best = ready.indices.max(by: { ready[$0].priority < ready[$1].priority }) {
            return ready.remove(at: best)
        }
        guard busy == 0, occupied == 0, let key = blocked.max(by: { $0.value.job.priority < $1.value.job.priority })?.key else { return nil }
        return blocked.removeValue(forKey: key)?.job
    }

    private func work(_ connection: Connection) {
        var applied: [String] = []
        while true {
            condition.lock()
            var next: Job?
            while !closing && failure == nil {
                next = busy + occupied < count ? takeNext() : nil
                if next != nil { break }
                condition.wait()
            }
            guard let job = next, !closing, failure == nil else {
                condition.unlock()
                return
            }
            busy += 1
            // A parallel index build costs about 6 % more CPU than a serial one (measured on
            // the scale-12 demo snapshot), worth it only on slots no other job can use.
            let parallel = max(0, count - busy - occupied - ready.count)
            let settings = sessionStatements + ["SET max_parallel_maintenance_workers = \(parallel)"]
            condition.unlock()

            if settings != applied {
                for statement in settings { _ = connection.runScript(statement) }
                applied = settings
            }
            var error: SnapshotError?
            for statement in job.statements {
                if reading({ closing }) { break }
                if let failure = Self.run(statement.sql, on: connection) {
                    error = .statementFailed(path: path, line: statement.line, error: failure)
                    break
                }
            }

            condition.lock()
            busy -= 1
            if let error, failure == nil { failure = error }
            if error == nil {
                markCompleted(job.key)
                finished += 1
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Runs a statement, again if PostgreSQL broke a deadlock by cancelling it: two jobs
    /// adding foreign keys between the same two tables from both ends can deadlock.
    private static func run(_ sql: String, on connection: Connection) -> PostgresError? {
        var attempts = 0
        while true {
            guard let error = connection.runScript(sql).error else { return nil }
            attempts += 1
            guard error.sqlState == SQLState.deadlockDetected, attempts < 5 else { return error }
        }
    }
}
