import Foundation

/// Scratch databases on a server rehearse runs itself: the snapshot restored once into a
/// template keyed by its SHA-256, each run's database taken from the spare copy an earlier
/// run left (a rename) or copied from the template, and a new spare made once the report is
/// out.
final class TemplateProvisioner: ScratchProvisioner {
    private let own: OwnServer
    private let loading: SnapshotLoading
    private let options: RehearsalOptions
    private let events: (RehearsalEvent) -> Void
    private let created: CreatedDatabases
    private var cache: TemplateCache { TemplateCache(databases: created.databases) }
    private var template: String?

    init(server: DatabaseServer, own: OwnServer, loading: SnapshotLoading, options: RehearsalOptions, events: @escaping (RehearsalEvent) -> Void) {
        self.own = own
        self.loading = loading
        self.options = options
        self.events = events
        created = CreatedDatabases(server: server)
    }

    func provision(_ snapshot: Snapshot, as name: String, purpose: String, info: inout RehearsalReport.SnapshotInfo) throws {
        let clock = ContinuousClock()
        var started = clock.now
        let (template, restored) = try cache.template(for: snapshot) { database in
            try loading.restore(snapshot, into: database)
        }
        self.template = template
        info.restore = restored
        // Cold: everything from an empty server to a ready template, settings switches included.
        info.restoreMs = restored == nil ? 0 : (clock.now - started).milliseconds
        info.fromCache = restored == nil
        events(.cloningTemplate(name: template))
        started = clock.now
        if try cache.takeSpare(of: template, as: name, purpose: purpose) {
            created.record(name)
            info.fromSpare = true
        } else {
            try created.create(name, template: template, purpose: purpose)
            info.fromSpare = false
        }
        info.cloneMs = (clock.now - started).milliseconds
    }

    func pristineCopy(named name: String, purpose: String, lastUse: Bool) throws -> String {
        guard let template else { throw RunnerError.notProvisioned }
        try created.create(name, template: template, purpose: purpose)
        return name
    }

    func discard(_ name: String) {
        created.drop(name)
    }

    func dropAll(keeping: String?) {
        created.dropAll(keeping: keeping)
    }

    /// Copies the template into a spare the next run takes by renaming it, so that run does
    /// not wait for the copy. Best effort: a run never fails because no spare could be made.
    func finish() {
        guard options.keepSpare, let template, !options.interruption.isInterrupted else { return }
        do {
            let outcome = try cache.prepareSpare(
                of: template, dataDirectory: own.dataDirectory, interruption: options.interruption
            ) { events(.preparingSpare) }
            events(.preparedSpare(outcome))
        } catch {
            if !options.interruption.isInterrupted { events(.spareFailed("\(error)")) }
        }
    }
}
