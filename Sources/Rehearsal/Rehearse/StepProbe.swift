import PostgresClient

/// One before/after measurement around a step, taken on the observer connection: the step
/// runner asks every probe to look before the body and again right after it (before the
/// tracking table is written again), in order. A new check is one probe and one rule.
protocol StepProbe: AnyObject {
    func before(on observer: Connection) throws
    func after(on observer: Connection, into step: inout StepReport, evidence: inout StepEvidence) throws
}

/// What probes measured that the report does not carry as it is, for the checks after the
/// step (the round trip).
struct StepEvidence {
    /// The schema right after the step.
    var schema: SchemaFingerprint?
}

/// The probes every step runs, freshly made for each step (they keep their before-readings).
enum StepProbes {
    static func standard() -> [StepProbe] {
        [RelationFilesProbe(), WALProbe(), DatabaseSizeProbe(), SchemaProbe()]
    }
}

/// Tables and indexes the step wrote anew (a new relfilenode): a rewrite under its lock.
final class RelationFilesProbe: StepProbe {
    private var files: RelationFiles?

    func before(on observer: Connection) throws {
        files = try RelationFiles.read(on: observer)
    }

    func after(on observer: Connection, into step: inout StepReport, evidence: inout StepEvidence) throws {
        guard let files else { return }
        step.rewrote = files.rewrites(to: try RelationFiles.read(on: observer))
    }
}

/// WAL written during the step (traffic's writes included when traffic runs).
final class WALProbe: StepProbe {
    private var lsn: String?

    func before(on observer: Connection) throws {
        lsn = try observer.scalar("SELECT pg_catalog.pg_current_wal_lsn()::text")
    }

    func after(on observer: Connection, into step: inout StepReport, evidence: inout StepEvidence) throws {
        guard let lsn else { return }
        step.walBytes = try observer.scalar(
            "SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), $1::pg_lsn)::bigint", [lsn]
        ).flatMap { Int64($0) }
    }
}

/// How much the database grew or shrank over the step.
final class DatabaseSizeProbe: StepProbe {
    private var bytes: Int64?
    private static let query = "SELECT pg_catalog.pg_database_size(current_database())"

    func before(on observer: Connection) throws {
        bytes = try observer.scalar(Self.query).flatMap { Int64($0) }
    }

    func after(on observer: Connection, into step: inout StepReport, evidence: inout StepEvidence) throws {
        guard let bytes, let now = try observer.scalar(Self.query).flatMap({ Int64($0) }) else { return }
        step.sizeChangeBytes = now - bytes
    }
}

/// The catalog fingerprint after the step; the state before it is the previous step's.
final class SchemaProbe: StepProbe {
    func before(on observer: Connection) throws {}

    func after(on observer: Connection, into step: inout StepReport, evidence: inout StepEvidence) throws {
        evidence.schema = try SchemaFingerprint.read(on: observer)
    }
}
