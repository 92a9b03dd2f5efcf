import Foundation
import PostgresClient

/// golang-migrate's connection to one database, as migrate opens it: one session with the
/// scenario's settings (as connection parameters would set them), the tracking table's
/// schema fixed at that moment, and migrate's session-level advisory lock. Beside it, the
/// observer connection rehearse reads catalogs and the tracking table on; it never takes a
/// lock the migration could wait for.
final class MigrationSession {
    let database: String
    let connection: Connection
    let observer: Connection
    /// The schema fingerprint, read on the observer, only what changed deparsed again.
    let schema: SchemaReader
    let table: TrackingTable
    /// The tracking table as catalog queries name it (`format('%I.%I')`).
    let trackingRelation: String
    /// The relations' files as the last step left them (see `RelationFilesProbe`).
    var relationFiles: RelationFiles?
    /// Whether an enabled event trigger exists, while no step since it was read could have
    /// made or changed one (see `RelationFilesProbe`).
    var eventTriggers: Bool?
    private let lockKey: UInt32
    private let interruption: InterruptionToken
    private var open = true

    init(server: DatabaseServer, database: String, scenario: Scenario, interruption: InterruptionToken) throws {
        self.database = database
        self.interruption = interruption
        connection = try server.connect(database: database)
        observer = try server.connect(database: database)
        // The observer runs only rehearse's own catalog queries, each naming its objects
        // schema-qualified: compiling them with JIT would cost more than running them, and
        // the schema reader's settings can stay for the connection's life.
        try observer.execute("SET jit = off")
        schema = try SchemaReader(owning: observer)
        for (name, value) in scenario.session {
            do {
                try connection.execute("SET \(name) = \(Identifier.literal(value))")
            } catch let error as PostgresError where error.kind == .server {
                throw ScenarioError(file: scenario.file, key: "session.\(name)", problem: "PostgreSQL rejects it: \(error.message)")
            }
        }
        table = try scenario.tracking.located(on: connection)
        trackingRelation = try observer.scalar("SELECT pg_catalog.format('%I.%I', $1::text, $2::text)", [table.schema ?? "public", table.name]) ?? ""
        lockKey = AdvisoryLock.key(schema: table.schema ?? "public", table: table.name, database: "/" + database)
        try connection.query("SELECT pg_advisory_lock($1::bigint)", [String(lockKey)])
        interruption.watch(connection.makeCancelHandle())
    }

    private let samplers = LockedBox<StepObserver.Sampler?>(nil)

    /// The lock sampler's connection for a step: the one kept from the previous step while
    /// it works, else a new one.
    func sampler(target: String) -> @Sendable () throws -> StepObserver.Sampler {
        let database = database
        return { [samplers] in
            if let kept = samplers.value, kept.usable { return kept }
            let fresh = try StepObserver.Sampler { try Connection(target, database: database, applicationName: "rehearse-observer") }
            samplers.value = fresh
            return fresh
        }
    }

    /// Releases migrate's lock; the connections close when the session goes.
    func close() {
        guard open else { return }
        open = false
        interruption.watch(nil)
        _ = try? connection.query("SELECT pg_advisory_unlock($1::bigint)", [String(lockKey)])
    }

    deinit {
        close()
    }
}
