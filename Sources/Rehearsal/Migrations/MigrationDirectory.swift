import Foundation

/// A golang-migrate source directory, read the way migrate's file source reads it: one
/// level, names `^([0-9]+)_(.*)\.(down|up)\.(.*)$`, numeric order, duplicates refused.
/// Where migrate would silently ignore a `.sql` file, rehearse says so.
public struct MigrationDirectory: Sendable {
    public var path: String
    public var migrations: [Migration]
    /// `.sql` files whose names migrate does not recognise: it would never run them.
    public var ignoredFiles: [String]

    static let namePattern = try! NSRegularExpression(pattern: #"^([0-9]+)_(.*)\.(down|up)\.(.*)$"#)

    /// The parts of a migration file name, or nil when migrate would ignore the file.
    public struct ParsedName: Equatable, Sendable {
        public var version: UInt64
        public var identifier: String
        public var direction: MigrationDirection
        public var fileExtension: String
    }

    public enum NameParse: Equatable, Sendable {
        case migration(ParsedName)
        case ignored
        case versionOutOfRange
    }

    public static func parse(fileName: String) -> NameParse {
        let range = NSRange(fileName.startIndex..., in: fileName)
        guard let match = namePattern.firstMatch(in: fileName, range: range), match.numberOfRanges == 5 else {
            return .ignored
        }
        func group(_ index: Int) -> String {
            Range(match.range(at: index), in: fileName).map { String(fileName[$0]) } ?? ""
        }
        // golang-migrate parses an unsigned 64-bit version but stores it in a bigint.
        guard let version = UInt64(group(1)), version <= UInt64(Int64.max) else { return .versionOutOfRange }
        return .migration(ParsedName(
            version: version, identifier: group(2), direction: MigrationDirection(rawValue: group(3))!,
            fileExtension: group(4)))
    }

    public static func load(_ path: String) throws -> MigrationDirectory {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MigrationDirectoryError.notADirectory(path: path)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw MigrationDirectoryError.unreadable(file: path, reason: error.localizedDescription)
        }
        var byVersion: [UInt64: Migration] = [:]
        var ignored: [String] = []
        for name in names {
            let full = (path as NSString).appendingPathComponent(name)
            var entryIsDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: full, isDirectory: &entryIsDirectory)
            if entryIsDirectory.boolValue { continue }
            switch parse(fileName: name) {
            case .ignored:
                if name.lowercased().hasSuffix(".sql") { ignored.append(name) }
            case .versionOutOfRange:
                throw MigrationDirectoryError.versionOutOfRange(file: full)
            case .migration(let parsed):
                var migration = byVersion[parsed.version]
                    ?? Migration(version: parsed.version, identifier: parsed.identifier, up: nil, down: nil)
                if let existing = migration.file(parsed.direction) {
                    throw MigrationDirectoryError.duplicate(
                        version: parsed.version, direction: parsed.direction, first: existing.fileName, second: name)
                }
                let file = MigrationFile(path: full, fileName: name, body: try readBody(full))
                if parsed.direction == .up {
                    migration.up = file
                    migration.identifier = parsed.identifier
                } else {
                    migration.down = file
                }
                byVersion[parsed.version] = migration
            }
        }
        return MigrationDirectory(
            path: path, migrations: byVersion.values.sorted { $0.version < $1.version }, ignoredFiles: ignored)
    }

    static func readBody(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MigrationDirectoryError.unreadable(file: path, reason: "permission denied or vanished")
        }
        // The standard library's validation keeps a leading byte-order mark, which migrate
        // sends to the server as it is; Foundation's String(data:encoding:) would drop it.
        if let text = String(validating: data, as: UTF8.self) { return text }
        throw MigrationDirectoryError.notUTF8(file: path, byteOffset: firstInvalidUTF8([UInt8](data)) ?? 0)
    }

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// Refuses what would make migrate silently do something else than intended: a `.sql`
    /// file that looks like a migration but is ignored, a name migrate reads differently from
    /// how it looks, a down file without its up. (Files like notes.sql stay warnings.)
    public func validate() throws {
        for name in ignoredFiles where Self.looksLikeMigration(name) {
            throw MigrationDirectoryError.unrecognisedName(file: (path as NSString).appendingPathComponent(name))
        }
        for migration in migrations {
            for file in [migration.up, migration.down].compactMap({ $0 }) {
                guard case .migration(let parsed) = Self.parse(fileName: file.fileName) else { continue }
                let lowered = parsed.identifier.lowercased()
                if lowered.hasSuffix(".up") || lowered.hasSuffix(".down") || lowered.contains(".up.") || lowered.contains(".down.") {
                    throw MigrationDirectoryError.ambiguousName(
                        file: file.path, readAs: "version \(parsed.version) \(parsed.direction.rawValue), named \"\(parsed.identifier)\", extension \"\(parsed.fileExtension)\"")
                }
            }
            if migration.up == nil, let down = migration.down {
                throw MigrationDirectoryError.downWithoutUp(version: migration.version, file: down.path)
            }
        }
    }

    /// The directory, once `validate()` accepts it.
    public func validated() throws -> MigrationDirectory {
        try validate()
        return self
    }

    static func looksLikeMigration(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.first?.isNumber == true || lowered.contains("up.sql") || lowered.contains("down.sql")
    }

    /// The migration for `version`, if any file names it.
    public func migration(_ version: UInt64) -> Migration? {
        migrations.first { $0.version == version }
    }
}
