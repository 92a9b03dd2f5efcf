import Foundation

/// Scratch databases on an existing server: the snapshot is restored straight into the
/// run's database, and (when the run traces statements) a pristine copy of it is made
/// before any session opens, for the trace and for rebuilding production's state. Without
/// that copy a pristine database is restored again from the snapshot.
final class DirectProvisioner: ScratchProvisioner {
    private let loading: SnapshotLoading
    private let keepsPristineCopy: Bool
    private let created: CreatedDatabases
    private var snapshot: Snapshot?
    private var pristine: String?

    init(server: DatabaseServer, loading: SnapshotLoading, keepsPristineCopy: Bool) {
        self.loading = loading
        self.keepsPristineCopy = keepsPristineCopy
        created = CreatedDatabases(server: server)
    }

    func provision(_ snapshot: Snapshot, as name: String, purpose: String, info: inout RehearsalReport.SnapshotInfo) throws {
        self.snapshot = snapshot
        try created.create(name, purpose: purpose)
        let summary = try loading.restore(snapshot, into: name)
        info.restore = summary
        info.restoreMs = summary.durationMs
        guard keepsPristineCopy else { return }
        // Copied before any session opens on the scratch database (a template must be idle).
        let copy = name + "_p"
        try created.create(copy, template: name, purpose: "pristine copy of the snapshot (\(purpose))")
        pristine = copy
        // Let the copy reach the disk now rather than during the measured steps.
        sync()
    }

    func pristineCopy(named name: String, purpose: String, lastUse: Bool) throws -> String {
        if let pristine {
            if lastUse {
                self.pristine = nil
                return pristine
            }
            try created.create(name, template: pristine, purpose: purpose)
            return name
        }
        guard let snapshot else { throw RunnerError.notProvisioned }
        try created.create(name, purpose: purpose)
        _ = try loading.restore(snapshot, into: name)
        return name
    }

    /// The copy is made with the scratch database, before any session opens on it.
    func keepPristineCopy(named name: String, purpose: String) throws {}

    func waitForPristineCopy() throws {}

    func discard(_ name: String) {
        created.drop(name)
    }

    func discardInBackground(_ name: String) {
        created.dropInBackground([name])
    }

    func dropAll(keeping: String?) {
        created.dropAll(keeping: keeping)
    }

    func stepsDone() {}

    func finish() {
        created.waitForDrops()
    }
}
