import Foundation
import PostgresClient

/// Scratch databases on a server rehearse runs itself: the snapshot restored once into a
/// template keyed by its SHA-256, each run's database taken from the spare copy an earlier
/// run left (a rename) or copied from the template, and a new spare made for the next run
/// once the faithful run's steps are done, beside the rest of the replay (its figures are
/// per statement, and its locks and rewrites do not depend on time) and the report.
final class TemplateProvisioner: ScratchProvisioner {
    private let own: OwnServer
    private let loading: SnapshotLoading
    private let options: RehearsalOptions
    private let events: (RehearsalEvent) -> Void
    private let created: CreatedDatabases
    private var cache: TemplateCache { TemplateCache(databases: created.databases) }
    private var template: String?
    /// The copy `keepPristineCopy` makes, until it is handed over, and its making.
    private var kept: String?
    private var keeping: BackgroundJob<Void>?
    /// The spare being made beside the replay, once started.
    private var spare: BackgroundJob<TemplateCache.SpareOutcome>?

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
        if lastUse, let kept {
            try waitForPristineCopy()
            self.kept = nil
            return kept
        }
        guard let template else { throw RunnerError.notProvisioned }
        try created.create(name, template: template, purpose: purpose)
        return name
    }

    /// Starts the copy; `waitForPristineCopy` waits for it.
    func keepPristineCopy(named name: String, purpose: String) throws {
        guard kept == nil, let template else { return }
        events(.copyingForReplay)
        let created = created
        keeping = BackgroundJob { try created.create(name, template: template, purpose: purpose) }
        kept = name
    }

    func waitForPristineCopy() throws {
        guard let keeping else { return }
        self.keeping = nil
        if case .failure(let error) = keeping.wait() {
            kept = nil
            throw error
        }
    }

    func discard(_ name: String) {
        created.drop(name)
    }

    func discardInBackground(_ name: String) {
        created.dropInBackground([name])
    }

    func dropAll(keeping: String?) {
        // A copy still being made would be made after its drop.
        _ = self.keeping?.wait()
        created.dropAll(keeping: keeping)
    }

    /// Copies the template into a spare the next run takes by renaming it, so that run does
    /// not wait for the copy; or waits for the copy started beside the replay. Best effort:
    /// a run never fails because no spare could be made.
    func finish() {
        defer { created.waitForDrops() }
        let outcome: Result<TemplateCache.SpareOutcome, Error>
        if let spare {
            outcome = spare.wait { events(.preparingSpare) }
        } else {
            guard options.keepSpare, let template, !options.interruption.isInterrupted else { return }
            outcome = Result {
                try cache.prepareSpare(of: template, dataDirectory: own.dataDirectory, interruption: options.interruption) {
                    events(.preparingSpare)
                }
            }
        }
        switch outcome {
        case .success(let made): events(.preparedSpare(made))
        case .failure(let error): if !options.interruption.isInterrupted { events(.spareFailed("\(error)")) }
        }
    }

    /// The spare is made beside what is left once the steps are done.
    func stepsDone() {
        startSpare()
    }

    private func startSpare() {
        guard options.keepSpare, spare == nil, let template, !options.interruption.isInterrupted else { return }
        let (created, directory, interruption) = (created, own.dataDirectory, options.interruption)
        spare = BackgroundJob {
            try TemplateCache(databases: created.databases).prepareSpare(of: template, dataDirectory: directory, interruption: interruption)
        }
    }
}
