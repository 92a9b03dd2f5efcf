/// Progress a rehearsal reports while it works; the executable draws it, the library never
/// prints.
public enum RehearsalEvent: Sendable {
    case startingServer
    case waiting(String)
    case hashingSnapshot(path: String)
    case restoring(RestoreProgress)
    case restored(RestoreSummary)
    case cloningTemplate(name: String)
    /// Before the first migration: a copy of the cached snapshot for the replay without traffic.
    case copyingForReplay
    /// After the report: copying the template into a spare for the next run.
    case preparingSpare
    case preparedSpare(TemplateCache.SpareOutcome)
    case spareFailed(String)
    case trafficBaseline(seconds: Double)
    /// The scenario named no tracking table: the one found in the snapshot, or nil for none
    /// (migrate's default `schema_migrations`, created on the first up).
    case foundTrackingTable(String?)
    case planned(recorded: TrackingTable.State?, pending: Int)
    case stepStarted(version: UInt64, name: String, direction: MigrationDirection, pass: Int)
    case stepFinished(version: UInt64, step: StepReport)
    /// Replaying a migration on a copy without traffic: statements, the data round trip.
    case tracing(version: UInt64)
    case checkedRoundtrip(version: UInt64, differences: Int)
    /// A failure only the rehearsal caused: the database goes back onto production's path.
    case recovering(version: UInt64, reason: String)
    /// After the last migration: every down in reverse order, to the snapshot's version.
    case rollingBackRelease(to: Int64?)
    /// Then every up again.
    case rollingForwardRelease
}
