import Foundation

/// Where the installed PostgreSQL server programs live: `pg_config --bindir`, then `PATH`,
/// then the newest `/usr/lib/postgresql/*/bin` (Debian keeps server binaries off `PATH`).
public struct PostgresBinaries: Sendable {
    public var directory: String
    public var majorVersion: Int

    public func path(_ program: String) -> String { directory + "/" + program }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresBinaries {
        var searched: [String] = []
        func usable(_ dir: String) -> PostgresBinaries? {
            guard !searched.contains(dir) else { return nil }
            searched.append(dir)
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/initdb"))
                .map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: dir)).deletingLastPathComponent().path }
                ?? dir
            let fm = FileManager.default
            guard fm.isExecutableFile(atPath: resolved + "/initdb"), fm.isExecutableFile(atPath: resolved + "/pg_ctl"),
                fm.isExecutableFile(atPath: resolved + "/postgres"), let major = version(of: resolved + "/postgres")
            else { return nil }
            return PostgresBinaries(directory: resolved, majorVersion: major)
        }
        if let explicit = environment["REHEARSE_PG_BINDIR"], !explicit.isEmpty, let found = usable(explicit) { return found }
        // The same directory twice on PATH (/bin and /usr/bin, one a link to the other) asks
        // its pg_config once; the first answer that names the server programs is taken.
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        var asked: Set<String> = []
        for dir in path where FileManager.default.isExecutableFile(atPath: dir + "/pg_config")
            && asked.insert(URL(fileURLWithPath: dir).resolvingSymlinksInPath().path).inserted
        {
            if let output = try? Command(executable: dir + "/pg_config", arguments: ["--bindir"]).run(), output.status == 0,
                let found = usable(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return found
            }
        }
        for dir in path { if let found = usable(dir) { return found } }
        let debianRoot = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debianRoot)) ?? []).compactMap(Int.init).sorted(by: >)
        for dir in versions.map({ "\(debianRoot)/\($0)/bin" }) { if let found = usable(dir) { return found } }
        throw ClusterError.binariesNotFound(searched: searched.isEmpty ? [debianRoot] : searched)
    }

    /// A client program (pg_dump, pg_restore): from `REHEARSE_PG_BINDIR`, then beside the
    /// server binaries, then on `PATH`; nil with the directories searched when there is none.
    public static func clientProgram(
        _ name: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (path: String?, searched: [String]) {
        var directories: [String] = []
        if let explicit = environment["REHEARSE_PG_BINDIR"], !explicit.isEmpty { directories.append(explicit) }
        if let binaries = try? locate(environment: environment) { directories.append(binaries.directory) }
        directories += (environment["PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/" + name) {
            return (directory + "/" + name, directories)
        }
        return (nil, directories)
    }

    /// `postgres (PostgreSQL) 15.18 (Debian …)` → 15.
    static func version(of postgres: String) -> Int? {
        guard let output = try? Command(executable: postgres, arguments: ["--version"]).run(), output.status == 0 else { return nil }
        let words = output.stdout.split(separator: " ")
        guard let number = words.first(where: { $0.first?.isNumber == true }) else { return nil }
        return Int(number.split(separator: ".").first ?? "")
    }
}
