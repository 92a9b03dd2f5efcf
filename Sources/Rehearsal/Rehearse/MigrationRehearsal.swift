/// Everything one run knows about one pending migration: its report entry and the schema
/// at each point of its round trip, which the checks after the run (round trip, locks,
/// scale) read. A new measurement of a migration is a field here, not another array.
struct MigrationRehearsal {
    var migration: Migration
    /// How migrate sends the files, which decides what a no-op down is.
    let mode: ExecutionMode
    /// The version a down of this migration records: the previous file's, or -1.
    var previousVersion: Int64
    var entry: MigrationReport
    var before: SchemaFingerprint?
    var afterUp: SchemaFingerprint?
    var afterDown: SchemaFingerprint?
    var afterReup: SchemaFingerprint?
    /// Why production's state could not be rebuilt after this migration, when it could not.
    var recoveryFailure: String?

    init(_ migration: Migration, in directory: MigrationDirectory, mode: ExecutionMode = .wholeFile) {
        self.migration = migration
        self.mode = mode
        previousVersion = MigrationPlan.previousVersion(before: migration, in: directory)
        entry = MigrationReport(
            version: migration.version, name: migration.identifier, upFile: migration.up?.path,
            downFile: migration.down?.path, status: .notRun)
    }

    /// A down that does something: missing, blank and comment-only downs are irreversible
    /// by intent (migrate moves the version back and runs nothing), so there is no round
    /// trip to rehearse. A comment that migrate's multi-statement split breaks does something.
    var downToRehearse: MigrationFile? {
        guard let down = migration.down, !down.isNoOp(in: mode) else { return nil }
        return down
    }

    /// Why the round trip is skipped, or nil when there is one to rehearse.
    var roundtripSkipReason: String? {
        guard downToRehearse == nil else { return nil }
        guard let down = migration.down else {
            return "no down file: the migration is irreversible by intent, so only its up is rehearsed"
        }
        return "the down file is \(down.isBlank ? "empty" : "only comments"): the migration is irreversible by intent, so only its up is rehearsed"
    }

    mutating func markNotRun(_ reason: String) {
        entry = entry.notRun(reason)
    }
}

extension MigrationReport {
    /// This entry, marked not rehearsed for `reason`.
    func notRun(_ reason: String) -> MigrationReport {
        var entry = self
        entry.status = .notRun
        entry.notRunReason = reason
        return entry
    }
}
