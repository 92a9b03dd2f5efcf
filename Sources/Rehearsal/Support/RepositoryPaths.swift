import Foundation

/// Paths as a reader of the repository knows them: relative to the git top level that holds
/// them (where CI annotations and links resolve), else to the current directory.
public enum RepositoryPaths {
    /// The nearest directory at or above `path` that holds `.git`, or nil.
    public static func root(containing path: String) -> String? {
        var directory = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) || !isDirectory.boolValue {
            directory.deleteLastPathComponent()
        }
        while true {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path) { return directory.path }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    /// What a report's paths are relative to: the repository root holding `path`, else the
    /// working directory.
    public static func base(for path: String, workingDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        root(containing: path) ?? workingDirectory
    }

    /// `path` relative to the repository root that holds it, else to `workingDirectory`; as
    /// given when it lies in neither.
    public static func relative(_ path: String, workingDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        let full = absolute(path, in: workingDirectory)
        return relative(full, to: root(containing: full) ?? workingDirectory)
    }

    /// `path` relative to `base` when it lies inside it, else as it is (made absolute).
    public static func relative(_ path: String, to base: String) -> String {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        let prefix = URL(fileURLWithPath: base).standardizedFileURL.path + "/"
        return full.hasPrefix(prefix) && prefix != "//" ? String(full.dropFirst(prefix.count)) : full
    }

    /// `path` as a shell user means it: relative ones from `directory`.
    public static func absolute(_ path: String, in directory: String = FileManager.default.currentDirectoryPath) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }
}
