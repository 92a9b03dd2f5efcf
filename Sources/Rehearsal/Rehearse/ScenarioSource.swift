import Foundation

/// Where a run's scenario comes from: a file named on the command line, `./rehearse.yaml`,
/// or the command line alone (`--snapshot` and `--migrations`), with command-line options
/// taking the place of the file's keys.
public struct ScenarioSource: Sendable {
    public static let defaultFile = "rehearse.yaml"

    public var file: String?
    public var snapshot: String?
    public var migrations: String?
    public var trackingTable: String?
    public var mode: String?

    public init(file: String? = nil, snapshot: String? = nil, migrations: String? = nil, trackingTable: String? = nil, mode: String? = nil) {
        self.file = file
        self.snapshot = snapshot
        self.migrations = migrations
        self.trackingTable = trackingTable
        self.mode = mode
    }

    /// The scenario, with options applied; relative option paths are relative to
    /// `workingDirectory`, as a shell user means them.
    public func load(workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> Scenario {
        func absolute(_ path: String) -> String { RepositoryPaths.absolute(path, in: workingDirectory) }
        let defaultPath = absolute(Self.defaultFile)
        var scenario: Scenario
        if let file {
            scenario = try Scenario.load(absolute(file))
        } else if FileManager.default.fileExists(atPath: defaultPath) {
            scenario = try Scenario.load(defaultPath)
        } else {
            guard let snapshot, let migrations else {
                let missing = snapshot == nil && migrations == nil ? "--snapshot FILE and --migrations DIR" : snapshot == nil ? "--snapshot FILE" : "--migrations DIR"
                throw ScenarioError(
                    file: "command line",
                    problem: "no scenario: there is no \(Self.defaultFile) here, and \(missing) \(missing.contains(" and ") ? "are" : "is") missing; give both, name a scenario file, or write \(Self.defaultFile) with `rehearse init`")
            }
            let name = Self.name(for: workingDirectory)
            scenario = try Scenario.parse(
                "name: \(name)\nsnapshot: \(ScenarioTemplate.quoted(absolute(snapshot)))\nmigrations: \(ScenarioTemplate.quoted(absolute(migrations)))\n",
                file: "command line")
        }
        if let snapshot { scenario.snapshotPath = absolute(snapshot) }
        if let migrations { scenario.migrationsPath = absolute(migrations) }
        if let trackingTable {
            do {
                _ = try TrackingTable.parse(trackingTable)
            } catch let error as TrackingTableNameError {
                throw ScenarioError(file: "command line", key: "--tracking-table", problem: error.description)
            }
            scenario.trackingTable = trackingTable
            scenario.trackingTableGiven = true
        }
        if let mode {
            guard let parsed = ExecutionMode(rawValue: mode) else {
                throw ScenarioError(file: "command line", key: "--mode", problem: ExecutionMode.unknown(mode))
            }
            scenario.mode = parsed
        }
        return scenario
    }

    /// A scenario name from the directory the run starts in: its last component, with what a
    /// file name or a report title cannot hold replaced.
    public static func name(for directory: String) -> String {
        let last = URL(fileURLWithPath: directory).lastPathComponent
        let cleaned = String(last.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" }.prefix(60))
        return cleaned.isEmpty || cleaned == "/" ? "rehearsal" : cleaned
    }
}
