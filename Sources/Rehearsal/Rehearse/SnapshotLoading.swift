import Foundation
import PostgresClient

/// Restores a snapshot into a database for a run. On a server rehearse runs itself the load
/// uses settings that make it fast (no fsync, minimal WAL, each table truncated in the
/// transaction that loads it) and production-like settings are back before anything is
/// measured; on an existing server it is a plain parallel restore.
struct SnapshotLoading {
    var server: DatabaseServer
    var workers: Int
    var interruption: InterruptionToken
    var events: (RehearsalEvent) -> Void

    func restore(_ snapshot: Snapshot, into database: String) throws -> RestoreSummary {
        let own = server.ownServer
        let clock = ContinuousClock()
        if let own { try own.restart(loading: true) }
        defer { if let own, own.isLoading { try? own.restart(loading: false) } }
        // Without fsync the load leaves its files to the kernel: write them out as it goes,
        // while the CPU is busy, so the final sync has little left.
        let flushing = own.map { _ in PeriodicSync(interval: 1) }
        defer { flushing?.stop() }
        let connection = try server.connect(database: database)
        var restorer = SnapshotRestorer(
            snapshot: snapshot, createMissingRoles: own != nil, serverMajorVersion: connection.serverVersionNumber / 10000)
        let target = server.connectionTarget
        restorer.workers = workers
        restorer.connect = { try Connection(target, database: database, applicationName: "rehearse-restore") }
        restorer.skipWAL = own != nil
        // Production has statistics and a visibility map; a template should too.
        restorer.vacuumAnalyze = own != nil
        // The keys held where the dump was taken; checking them again took 3.3 of the
        // scale-12 restore's 20.9 s. A server that is not rehearse's own gets the check.
        restorer.trustsForeignKeys = own != nil
        let manifest = SnapshotManifest.describing(snapshot)
        restorer.maskedColumns = manifest?.masked ?? []
        restorer.tableSizes = Dictionary(manifest?.tables.map { ($0.name, $0.bytes) } ?? [], uniquingKeysWith: max)
        let interruption = interruption
        restorer.shouldStop = { interruption.isInterrupted }
        interruption.watch(connection.makeCancelHandle())
        defer { interruption.watch(nil) }
        var summary = try restorer.restore(into: connection) { events(.restoring($0)) }
        summary.workers = workers
        if let own {
            let started = clock.now
            // The restart's fast shutdown checkpoints everything the load wrote.
            try own.restart(loading: false)
            // The load ran with fsync off: put the template on disk before trusting it.
            sync()
            summary.finishMs = (clock.now - started).milliseconds
        }
        try interruption.check()
        events(.restored(summary))
        return summary
    }
}
