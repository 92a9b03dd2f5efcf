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
    /// The schema is read before the relation files, which read again only what it saw
    /// change when they can (see `RelationFilesProbe`).
    static func standard(for session: MigrationSession, traffic: Bool) -> [StepProbe] {
        [SchemaProbe(reader: session.schema), RelationFilesProbe(session: session, traffic: traffic)]
    }
}

/// Tables and indexes the step wrote anew (a new relfilenode): a rewrite under its lock;
/// and how much the relations' files grew or shrank over the step. One reading per state:
/// the reading after a step is the next one's before (the session keeps it), so what lies
/// between them — migrate's tracking-table writes — is left out of both figures.
///
/// A step of catalog commands only (`catalogOnly`), with no traffic and no event trigger,
/// writes no row into a relation whose catalog rows it left alone, and replaces no file of
/// one: only the relations the schema read saw change are read again.
final class RelationFilesProbe: StepProbe {
    private let session: MigrationSession
    private let traffic: Bool
    private var files: RelationFiles?

    init(session: MigrationSession, traffic: Bool) {
        self.session = session
        self.traffic = traffic
    }

    /// Command tags of statements that change catalogs and write no table's rows (a
    /// `CREATE TABLE … AS` is tagged `SELECT`).
    static let catalogOnly: Set<String> = [
        "ALTER TABLE", "CREATE TABLE", "DROP TABLE", "CREATE INDEX", "ALTER INDEX", "DROP INDEX", "CREATE VIEW",
        "ALTER VIEW", "DROP VIEW", "CREATE FUNCTION", "ALTER FUNCTION", "DROP FUNCTION", "CREATE PROCEDURE",
        "ALTER PROCEDURE", "DROP PROCEDURE", "CREATE TYPE", "ALTER TYPE", "DROP TYPE", "CREATE DOMAIN", "ALTER DOMAIN",
        "DROP DOMAIN", "CREATE SEQUENCE", "ALTER SEQUENCE", "DROP SEQUENCE", "CREATE TRIGGER", "ALTER TRIGGER",
        "DROP TRIGGER", "CREATE POLICY", "ALTER POLICY", "DROP POLICY", "CREATE RULE", "DROP RULE", "COMMENT", "GRANT",
        "REVOKE", "SET", "RESET", "BEGIN", "START TRANSACTION", "COMMIT", "SAVEPOINT", "RELEASE",
    ]

    func before(on observer: Connection) throws {
        files = try session.relationFiles ?? RelationFiles.read(on: observer)
    }

    private func eventTriggers(on observer: Connection) throws -> Bool {
        if let known = session.eventTriggers { return known }
        let found = try observer.scalar("SELECT count(*) FROM pg_catalog.pg_event_trigger WHERE evtenabled <> 'D'") != "0"
        session.eventTriggers = found
        return found
    }

    func after(on observer: Connection, into step: inout StepReport, evidence: inout StepEvidence) throws {
        guard let files else { return }
        let now: RelationFiles
        // None of these commands makes an event trigger: the answer stands until a step of others.
        let catalogOnly = step.statements.allSatisfy { Self.catalogOnly.contains($0.command) }
        if !catalogOnly { session.eventTriggers = nil }
        if !traffic, let changed = session.schema.changedRelations, catalogOnly, try !eventTriggers(on: observer) {
            now = try files.rereading(changed, on: observer)
        } else {
            now = try RelationFiles.read(on: observer)
        }
        session.relationFiles = now
        let tracking = session.trackingRelation
        step.rewrote = files.rewrites(to: now).filter { $0.table != tracking }
        step.sizeChangeBytes = now.bytes(excludingTable: tracking) - files.bytes(excludingTable: tracking)
    }
}

/// The catalog fingerprint after the step; the state before it is the previous step's.
final class SchemaProbe: StepProbe {
    private let reader: SchemaReader

    init(reader: SchemaReader) {
        self.reader = reader
    }

    func before(on observer: Connection) throws {}

    func after(on observer: Connection, into step: inout StepReport, evidence: inout StepEvidence) throws {
        evidence.schema = try reader.read()
    }
}
