/// What golang-migrate would do from the snapshot's recorded version: the pending
/// migrations in order, and what it would do silently that a person should know.
public struct MigrationPlan: Sendable {
    public var recorded: TrackingTable.State?
    public var pending: [Migration]
    /// Versions at or below the recorded one that have files: migrate never runs them.
    /// Only those never recorded can be detected from one row, so these are all older files.
    public var belowRecorded: [Migration]
    public var ignoredFiles: [String]

    /// Builds the plan, refusing as migrate would on a dirty database or a recorded version
    /// that has no file.
    public static func make(directory: MigrationDirectory, recorded: TrackingTable.State?, table: String) throws -> MigrationPlan {
        if let recorded {
            if recorded.dirty { throw MigrationRunError.dirty(version: recorded.version, table: table) }
            if recorded.version >= 0, directory.migration(UInt64(recorded.version)) == nil {
                throw MigrationRunError.recordedVersionMissing(version: recorded.version, directory: directory.path)
            }
        }
        let floor = recorded?.version ?? -1
        let pending = directory.migrations.filter { Int64($0.version) > floor }
        let below = directory.migrations.filter { Int64($0.version) <= floor }
        return MigrationPlan(recorded: recorded, pending: pending, belowRecorded: below, ignoredFiles: directory.ignoredFiles)
    }

    /// The version a down of `migration` records: the previous file's version, or -1.
    public static func previousVersion(before migration: Migration, in directory: MigrationDirectory) -> Int64 {
        directory.migrations.last { $0.version < migration.version }.map { Int64($0.version) } ?? -1
    }
}
