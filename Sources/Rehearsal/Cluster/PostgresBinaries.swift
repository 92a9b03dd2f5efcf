import Foundation

/// Where the installed PostgreSQL server programs live: `pg_config --bindir`, then `PATH`,
/// then the newest `/usr/lib/postgresql/*/bin` (Debian keeps server binaries off `PATH`).
public struct PostgresBinaries: Sendable {
    public var directory: String
    public var majorVersion: Int

    public func path(_ program: String) -> String { directory + "/" + program }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresBinaries {
        var candidates: [String] = []
        if let explicit = environment["REHEARSE_PG_BINDIR"], !explicit.isEmpty { candidates.append(explicit) }
        for dir in (environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            if FileManager.default.isExecutableFile(atPath: dir + "/pg_config"),
                let output = try? Command(executable: dir + "/pg_config", arguments: ["--bindir"]).run(),
                output.status == 0
            {
                candidates.append(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        candidates.append(contentsOf: (environment["PATH"] ?? "").split(separator: ":").map(String.init))
        let debianRoot = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debianRoot)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates.append(contentsOf: versions.map { "\(debianRoot)/\($0)/bin" })
        for dir in candidates {
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/initdb"))
                .map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: dir)).deletingLastPathComponent().path }
                ?? dir
            let fm = FileManager.default
            guard fm.isExecutableFile(atPath: resolved + "/initdb"), fm.isExecutableFile(atPath: resolved + "/pg_ctl"),
                fm.isExecutableFile(atPath: resolved + "/postgres")
            else { continue }
            if let major = version(of: resolved + "/postgres") {
                return PostgresBinaries(directory: resolved, majorVersion: major)
            }
        }
        throw ClusterError.binariesNotFound(searched: candidates.isEmpty ? [debianRoot] : Array(NSOrderedSet(array: candidates)) as! [String])
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
