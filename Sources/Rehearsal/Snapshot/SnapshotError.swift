import PostgresClient

/// Why a snapshot could not be read or restored, with the byte offset or dump line that
/// caused it and what to do.
public enum SnapshotError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case corrupt(path: String, offset: UInt64, reason: String)
    case truncated(path: String, offset: UInt64, format: SnapshotFormat)
    case notADump(path: String)
    /// A file rehearse does not restore: what it is, and the command that makes a snapshot of it.
    case unsupported(path: String, what: String, convert: String)
    /// pg_restore could not read an archive.
    case archiveToolFailed(path: String, tool: String, message: String)
    case newerDump(path: String, dumpVersion: Int, serverVersion: Int)
    case metaCommandRefused(path: String, line: Int, command: String)
    case unterminated(path: String, line: Int, what: String)
    case statementFailed(path: String, line: Int, error: PostgresError)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read snapshot \(path): \(reason)"
        case .empty(let path):
            return "snapshot \(path) is empty; make one with `rehearse snapshot create` or scripts/make-snapshot."
        case .corrupt(let path, let offset, let reason):
            return "snapshot \(path) is corrupt at compressed byte offset \(offset): \(reason); re-create or re-download it."
        case .truncated(let path, let offset, let format):
            return "snapshot \(path) ends in the middle of a \(format == .gzip ? "gzip member" : "zstd frame") at byte offset \(offset): the file is truncated; re-create or re-download it."
        case .notADump(let path):
            return "snapshot \(path) is not a pg_dump (no \"PostgreSQL database dump\" header); make one with `pg_dump --format=custom -f backup.dump DBNAME` or `rehearse snapshot create`."
        case .unsupported(let path, let what, let convert):
            return "snapshot \(path) is \(what); \(convert)."
        case .archiveToolFailed(let path, let tool, let message):
            let advice = message.contains("unsupported version")
                ? "the archive was written by a newer pg_dump than \(tool) reads; install that version's PostgreSQL client and set REHEARSE_PG_BINDIR to its bin directory"
                : "check the archive with `pg_restore --list \(path)`; re-create or re-download it if it is damaged"
            return "snapshot \(path): \(tool) cannot read it: \(message); \(advice)."
        case .newerDump(let path, let dumpVersion, let serverVersion):
            return "snapshot \(path) was written by pg_dump \(dumpVersion), newer than the PostgreSQL \(serverVersion) server it would be restored into; use a server of version \(dumpVersion) or later (--database-url)."
        case .metaCommandRefused(let path, let line, let command):
            return "snapshot \(path) line \(line): psql meta-command \(command) refused; a snapshot may only contain SQL, COPY data and \\restrict/\\unrestrict, never commands for the rehearsal host."
        case .unterminated(let path, let line, let what):
            return "snapshot \(path) ends inside \(what) that starts at line \(line): the dump is incomplete."
        case .statementFailed(let path, let line, let error):
            return "restoring snapshot \(path) failed at line \(line): \(error)"
        }
    }
}
