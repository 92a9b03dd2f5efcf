/// Conditions under which golang-migrate would refuse to run at all; rehearse stops the same
/// way, naming the version and what to do.
public enum MigrationRunError: Error, Sendable, Equatable, CustomStringConvertible {
    case dirty(version: Int64, table: String)
    case recordedVersionMissing(version: Int64, directory: String)
    case trackingTableShape(table: String, found: String)
    case multiStatementTooLarge(file: String, line: Int, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .dirty(let version, let table):
            return "the snapshot's \(table) says: Dirty database version \(version). Fix and force version — migrate would refuse to run; fix production first (`migrate force`) and take a new snapshot."
        case .recordedVersionMissing(let version, let directory):
            return "the snapshot is at version \(version), but \(directory) has no migration \(version): migrate would stop with \"no migration found for version \(version)\"; restore the missing file or use the matching migrations directory."
        case .trackingTableShape(let table, let found):
            return "tracking table \(table) does not have golang-migrate's shape (version bigint, dirty boolean); found: \(found.isEmpty ? "no columns" : found). Check the scenario's tracking_table."
        case .multiStatementTooLarge(let file, let line, let bytes, let limit):
            return "\(file):\(line): a statement of \(bytes) bytes exceeds x-multi-statement-max-size (\(limit) bytes); migrate would fail here."
        }
    }
}
