import Foundation
import PostgresClient

/// Where a run's databases come from. Each database it makes carries rehearse's marker and
/// is dropped by `dropAll`; the runner never needs to know which kind of server it is on.
///
/// - `TemplateProvisioner` (a server rehearse runs itself): the snapshot is restored once into
///   a template kept between runs; a run takes the spare copy an earlier run left, or copies
///   the template, and leaves a new spare behind when it is done.
/// - `DirectProvisioner` (an existing server): the snapshot is restored into the scratch
///   database, and a pristine copy of it is kept aside before anything runs.
protocol ScratchProvisioner: AnyObject {
    /// Puts the snapshot into a new database `name`, restoring it when needed, and says how
    /// in `info`.
    func provision(_ snapshot: Snapshot, as name: String, purpose: String, info: inout RehearsalReport.SnapshotInfo) throws

    /// A new database `name` holding the snapshot exactly as restored, untouched by the run:
    /// to rebuild production's state, or for the statement trace. With `lastUse`, nothing
    /// needs the pristine state afterwards, so a kept copy may be handed over as it is;
    /// returns the database to use.
    func pristineCopy(named name: String, purpose: String, lastUse: Bool) throws -> String

    /// Starts making, before any migration runs, the copy the `lastUse` call of
    /// `pristineCopy` hands over (a no-op where one is kept already): made after the
    /// migrations, the copy would wait for their writes to reach the disk.
    func keepPristineCopy(named name: String, purpose: String) throws

    /// Waits for the copy `keepPristineCopy` started, which must not run beside the steps.
    func waitForPristineCopy() throws

    /// Drops one database this run made and no longer needs.
    func discard(_ name: String)

    /// Starts dropping one database this run made and no longer needs; `finish` waits.
    func discardInBackground(_ name: String)

    /// Starts dropping every database this run made, except `keeping` (`--keep`); `finish`
    /// waits for the drops. Safe to call twice.
    func dropAll(keeping: String?)

    /// The faithful run's steps are done: nothing the provisioner does from now on can
    /// change their figures.
    func stepsDone()

    /// The last step, once the report is out (embedded server: the spare for the next
    /// run); returns once every drop is done.
    func finish()
}

/// The databases a provisioner made, for dropping them at the end; a signal handler may
/// read them from another thread.
final class CreatedDatabases: @unchecked Sendable {
    private let names = LockedBox<[String]>([])
    private let dropping = DispatchGroup()
    let databases: ScratchDatabases

    init(server: DatabaseServer) {
        databases = ScratchDatabases(server: server)
    }

    func create(_ name: String, template: String? = nil, purpose: String) throws {
        try databases.create(name, template: template, purpose: purpose)
        record(name)
    }

    func record(_ name: String) {
        names.withValue { $0.append(name) }
    }

    func drop(_ name: String) {
        names.withValue { $0.removeAll { $0 == name } }
        try? databases.drop(name)
    }

    /// Drops the databases on threads of their own, at once: each drop waits for a
    /// checkpoint and the removal of its files.
    func dropInBackground(_ dropped: [String]) {
        names.withValue { list in list.removeAll { dropped.contains($0) } }
        for name in dropped {
            DispatchQueue.global().async(group: dropping) { [self] in try? databases.drop(name) }
        }
    }

    func dropAll(keeping: String?) {
        dropInBackground(names.value.filter { $0 != keeping })
    }

    /// Returns once every drop started is done.
    func waitForDrops() {
        dropping.wait()
    }
}
