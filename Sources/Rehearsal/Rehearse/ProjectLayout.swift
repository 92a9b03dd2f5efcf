import Foundation

/// Where a project keeps what `rehearse init` needs: its migrations directory and its
/// backup, found by looking, never by guessing from a name alone (a directory counts only if
/// it holds an up file migrate would read; a file only if it is a dump rehearse restores).
public enum ProjectLayout {
    static let skipped: Set<String> = [".git", ".build", "node_modules", "vendor", "reports", "target", "dist"]

    /// Directories under `root` (at most `depth` levels down) holding `{version}_{name}.up.sql`
    /// files, those named `migrations` first, then the shallowest.
    public static func migrationDirectories(under root: String, depth: Int = 4) -> [String] {
        var found: [(path: String, level: Int)] = []
        func visit(_ directory: String, level: Int) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            if names.contains(where: { name in
                guard name.hasSuffix(".up.sql"), case .migration = MigrationDirectory.parse(fileName: name) else { return false }
                return true
            }) {
                found.append((directory, level))
            }
            guard level < depth else { return }
            for name in names where !name.hasPrefix(".") && !skipped.contains(name) {
                var isDirectory: ObjCBool = false
                let path = directory + "/" + name
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    visit(path, level: level + 1)
                }
            }
        }
        visit(root, level: 0)
        return found.sorted {
            let (a, b) = ($0.path.hasSuffix("/migrations"), $1.path.hasSuffix("/migrations"))
            return a != b ? a : ($0.level, $0.path) < ($1.level, $1.path)
        }.map(\.path)
    }

    /// Dumps in `root` and its `snapshots`, `backups`, `backup` and `dumps` folders, newest first.
    public static func snapshots(under root: String) -> [String] {
        var found: [(path: String, modified: Date)] = []
        for folder in [root] + ["snapshots", "backups", "backup", "dumps"].map({ root + "/" + $0 }) {
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() where !name.hasPrefix(".") {
                let path = folder + "/" + name
                guard (try? SnapshotFormat.check(path)) != nil else { continue }
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantPast
                found.append((path, modified))
            }
        }
        return found.sorted { $0.modified > $1.modified }.map(\.path)
    }
}
