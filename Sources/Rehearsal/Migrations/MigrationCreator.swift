import Foundation

/// `migrate create -ext sql -seq NAME`: the next zero-padded sequence number, with an empty
/// up and down file.
public enum MigrationCreator {
    public static func create(name: String, in directory: String, digits: Int = 6) throws -> [String] {
        guard !name.isEmpty, !name.contains("/") else {
            throw MigrationCreatorError.invalidName(name)
        }
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } else if !isDirectory.boolValue {
            throw MigrationDirectoryError.notADirectory(path: directory)
        }
        let existing = try MigrationDirectory.load(directory)
        let next = (existing.migrations.last?.version ?? 0) + 1
        var number = String(next)
        if number.count < digits { number = String(repeating: "0", count: digits - number.count) + number }
        var created: [String] = []
        for direction in ["up", "down"] {
            let path = (directory as NSString).appendingPathComponent("\(number)_\(name).\(direction).sql")
            guard !FileManager.default.fileExists(atPath: path) else { throw MigrationCreatorError.exists(path) }
            guard FileManager.default.createFile(atPath: path, contents: Data()) else {
                throw MigrationDirectoryError.unreadable(file: path, reason: "cannot create the file")
            }
            created.append(path)
        }
        return created
    }
}

public enum MigrationCreatorError: Error, CustomStringConvertible {
    case invalidName(String)
    case exists(String)

    public var description: String {
        switch self {
        case .invalidName(let name): return "\"\(name)\" is not a usable migration name; use letters, digits and underscores"
        case .exists(let path): return "\(path) already exists; migrate create would refuse too"
        }
    }
}
