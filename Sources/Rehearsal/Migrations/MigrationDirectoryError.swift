/// Why a migration directory cannot be rehearsed, naming the file and what to do.
public enum MigrationDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADirectory(path: String)
    case duplicate(version: UInt64, direction: MigrationDirection, first: String, second: String)
    case versionOutOfRange(file: String)
    case notUTF8(file: String, byteOffset: Int)
    case unreadable(file: String, reason: String)
    case tooLarge(file: String, bytes: Int, limit: Int)
    case unrecognisedName(file: String)
    case ambiguousName(file: String, readAs: String)
    case downWithoutUp(version: UInt64, file: String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            return "migrations directory \(path) does not exist or is not a directory; point the scenario's `migrations` key (or the command's directory argument) at the folder of {version}_{name}.up.sql files."
        case .duplicate(let version, let direction, let first, let second):
            return "duplicate \(direction.rawValue) migration for version \(version): \(first) and \(second); golang-migrate refuses to open the directory (any extension counts, e.g. .up.sql.bak), so remove or rename one."
        case .versionOutOfRange(let file):
            return "\(file): the version does not fit in a signed 64-bit integer (golang-migrate stores it in a bigint); use a smaller version number."
        case .notUTF8(let file, let offset):
            return "\(file): not valid UTF-8 at byte \(offset); save the file as UTF-8."
        case .unreadable(let file, let reason):
            return "cannot read \(file): \(reason)"
        case .unrecognisedName(let file):
            return "\(file) looks like a migration but does not match golang-migrate's {version}_{name}.up|down.{ext} pattern, so migrate would silently never run it; rename it (e.g. 000007_name.up.sql) or move it out of the directory."
        case .ambiguousName(let file, let readAs):
            return "\(file) is read by golang-migrate as \(readAs), which is probably not what was meant; rename it to {version}_{name}.up.sql or .down.sql."
        case .downWithoutUp(let version, let file):
            return "\(file) has no up file for version \(version): migrate would record version \(version) without running anything on the way up; add the up file or remove the down file."
        case .tooLarge(let file, let bytes, let limit):
            return "\(file) is \(bytes) bytes, more than golang-migrate's x-multi-statement-max-size limit of \(limit) bytes for one statement; split it."
        }
    }
}
