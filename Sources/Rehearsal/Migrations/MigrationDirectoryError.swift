/// Why a migration directory cannot be rehearsed, naming the file and what to do.
public enum MigrationDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADirectory(path: String)
    case duplicate(version: UInt64, direction: MigrationDirection, first: String, second: String)
    case versionOutOfRange(file: String)
    case notUTF8(file: String, byteOffset: Int)
    case unreadable(file: String, reason: String)
    case tooLarge(file: String, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            return "migrations directory \(path) does not exist or is not a directory; check the scenario's `migrations` key."
        case .duplicate(let version, let direction, let first, let second):
            return "duplicate \(direction.rawValue) migration for version \(version): \(first) and \(second); golang-migrate refuses to open the directory (any extension counts, e.g. .up.sql.bak), so remove or rename one."
        case .versionOutOfRange(let file):
            return "\(file): the version does not fit in a signed 64-bit integer (golang-migrate stores it in a bigint); use a smaller version number."
        case .notUTF8(let file, let offset):
            return "\(file): not valid UTF-8 at byte \(offset); save the file as UTF-8."
        case .unreadable(let file, let reason):
            return "cannot read \(file): \(reason)"
        case .tooLarge(let file, let bytes, let limit):
            return "\(file) is \(bytes) bytes, more than golang-migrate's x-multi-statement-max-size limit of \(limit) bytes for one statement; split it."
        }
    }
}
