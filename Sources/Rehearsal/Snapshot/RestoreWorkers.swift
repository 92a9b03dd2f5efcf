import Foundation

/// Extra sessions that build a dump's post-data section (indexes, constraints) for several
/// tables at once, as pg_restore -j does. Each worker owns its connection on its own
/// thread; a job is the group of post-data statements of one table.
final class RestoreWorkers: @unchecked Sendable {
    enum Job {
        case statements([(sql: String, line: Int)])
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var busy = 0
    private var closing = false
    private var failure: SnapshotError?
    private let group = DispatchGroup()
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
            // Foreign-key validation is a join over whole tables: give it memory to hash in.
            try connection.execute("SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET work_mem = '256MB'")
            let box = UncheckedConnection(connection)
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                work(box.connection)
            }.start()
        }
    }

    func setSessionStatements(_ statements: [String]) {
        condition.lock()
        sessionStatements = statements
        condition.unlock()
    }

    /// Queues a job once a worker is free, so at most `count` jobs are in flight.
    func submit(_ job: Job) throws {
        condition.lock()
        defer { condition.unlock() }
        while busy + queue.count >= count && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(job)
        condition.broadcast()
    }

    /// Waits for every queued job; throws the first failure.
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while (busy > 0 || !queue.isEmpty) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        condition.unlock()
        group.wait()
    }

    var firstFailure: SnapshotError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    private func work(_ connection: Connection) {
        var applied: [String] = []
        while true {
            condition.lock()
            while queue.isEmpty && !closing { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            busy += 1
            let settings = sessionStatements
            condition.unlock()

            var error: SnapshotError?
            if settings != applied {
                for statement in settings { _ = connection.runScript(statement) }
                applied = settings
            }
            switch job {
            case .statements(let statements):
                for statement in statements {
                    if let failure = connection.runScript(statement.sql).error {
                        error = .statementFailed(path: path, line: statement.line, error: failure)
                        break
                    }
                }
            }

            condition.lock()
            busy -= 1
            if let error, failure == nil { failure = error }
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// Moves a connection into the worker thread that will own it from then on.
private struct UncheckedConnection: @unchecked Sendable {
    let connection: Connection
    init(_ connection: Connection) { self.connection = connection }
}
