import Foundation

/// Polls `pg_locks` for one backend from a separate connection while a step runs, recording
/// which relation locks it held and for how long. Sampling (default every 10 ms) is cheap:
/// one indexed catalog query per sample on its own connection, so the migration is not
/// slowed by its observer.
public final class LockSampler: @unchecked Sendable {
    public let interval: Double
    private let stopFlag = LockedBox(false)
    private let observed = LockedBox<[String: ObservedLock]>([:])
    private let failure = LockedBox<String?>(nil)
    private let finished = DispatchSemaphore(value: 0)
    private let started = DispatchSemaphore(value: 0)

    static let query = """
        SELECT n.nspname || '.' || c.relname, c.relkind::text, l.mode, l.granted
        FROM pg_catalog.pg_locks l
        JOIN pg_catalog.pg_class c ON c.oid = l.relation
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE l.pid = $1 AND l.locktype = 'relation'
          AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        """

    /// Starts sampling `pid` with a new connection made by `connect`; returns once the
    /// sampler is connected, so no part of the step goes unobserved.
    public init(pid: Int32, interval: Double = 0.01, connect: @escaping @Sendable () throws -> Connection) {
        self.interval = interval
        let thread = Thread { [self] in
            sample(pid: pid, connect: connect)
        }
        thread.start()
        started.wait()
    }

    private func sample(pid: Int32, connect: () throws -> Connection) {
        defer { finished.signal() }
        let connection: Connection
        do {
            connection = try connect()
        } catch {
            failure.value = "\(error)"
            started.signal()
            return
        }
        let origin = DispatchTime.now()
        started.signal()
        while !stopFlag.value {
            let at = Double(DispatchTime.now().uptimeNanoseconds - origin.uptimeNanoseconds) / 1e6
            do {
                let rows = try connection.query(Self.query, [String(pid)]).rows
                observed.withValue { locks in
                    for row in rows {
                        let relation = row[0] ?? "?"
                        let mode = row[2] ?? "?"
                        let key = relation + "|" + mode
                        if var lock = locks[key] {
                            lock.lastSeenMs = at
                            lock.granted = lock.granted || row[3] == "t"
                            locks[key] = lock
                        } else {
                            locks[key] = ObservedLock(
                                relation: relation, relationKind: Self.kindName(row[1] ?? ""), mode: mode,
                                firstSeenMs: at, lastSeenMs: at, granted: row[3] == "t")
                        }
                    }
                }
            } catch {
                failure.value = "\(error)"
                return
            }
            usleep(useconds_t(interval * 1_000_000))
        }
    }

    /// Stops sampling and returns the locks seen, strongest first.
    public func stop() -> [ObservedLock] {
        stopFlag.value = true
        finished.wait()
        return observed.value.values.sorted {
            ($0.strengthRank, $0.heldMs, $0.relation) > ($1.strengthRank, $1.heldMs, $1.relation)
        }
    }

    /// Why sampling stopped early, if it did.
    public var error: String? { failure.value }

    static func kindName(_ relkind: String) -> String {
        switch relkind {
        case "r": return "table"
        case "p": return "partitioned table"
        case "i", "I": return "index"
        case "S": return "sequence"
        case "v": return "view"
        case "m": return "materialized view"
        case "t": return "toast table"
        case "f": return "foreign table"
        default: return relkind
        }
    }
}
