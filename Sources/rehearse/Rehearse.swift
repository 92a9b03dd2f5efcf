import ArgumentParser
import Foundation
import Rehearsal

@main
struct Rehearse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Rehearse PostgreSQL migrations (golang-migrate layout) on a production-like snapshot before they reach production.",
        discussion: """
            Exit codes:
              0  go: every check and budget holds (warnings allowed)
              1  no-go: a step, a round-trip check or a budget failed
              2  bad input or usage: scenario, migrations directory, snapshot
              3  interrupted, or the server could not be reached or started
            """,
        version: RehearseVersion.current,
        subcommands: [Run.self, Plan.self, Init.self, Check.self, Create.self, ReportCommand.self, DiffCommand.self, CacheCommand.self, SnapshotCommand.self],
        defaultSubcommand: nil)

    /// As ArgumentParser's, except that a usage error exits 2, as documented (its own
    /// default is 64), and migrate's command line gets one line saying what to type instead.
    static func main() {
        if let mistake = MigrateHabits.mistake(in: Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data("rehearse: error: \(mistake)\n".utf8))
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// Options shared by commands that need a server.
struct ServerOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "An existing PostgreSQL server (URL or keyword string) to create the scratch database on; default: REHEARSE_DATABASE_URL, else an embedded server. DATABASE_URL is never read.",
            valueName: "url"))
    var databaseURL: String?

    @Flag(name: .long, help: "Keep the scratch database at the end, for inspection.")
    var keep = false

    @Flag(name: .long, help: "Embedded server: do not keep a spare copy of the cached snapshot for the next run (saves its disk space; the next run then waits for a copy).")
    var noSpare = false

    @Flag(name: .shortAndLong, help: "Print only the verdict line and errors.")
    var quiet = false

    var resolvedURL: String? {
        if let databaseURL, !databaseURL.isEmpty { return databaseURL }
        if let url = ProcessInfo.processInfo.environment["REHEARSE_DATABASE_URL"], !url.isEmpty { return url }
        return nil
    }

    /// What the runner needs from these options; `observation` adds what only `run` has.
    func rehearsalOptions(_ observation: ObservationOptions? = nil) -> RehearsalOptions {
        var options = RehearsalOptions()
        options.keepDatabase = keep
        options.keepSpare = !noSpare
        if let observation {
            options.traceStatements = !observation.noTrace
            options.lockSampleInterval = observation.sampleInterval / 1000
        }
        return options
    }
}

/// How `run` observes the migrations.
struct ObservationOptions: ParsableArguments {
    @Flag(name: .long, help: "Skip the traced re-run that attributes locks, rewrites and time to each statement (halves the work for long migrations).")
    var noTrace = false

    @Option(name: .long, help: ArgumentHelp("How often the lock sampler looks at pg_locks during a step, in milliseconds (1 to 1000).", valueName: "ms"))
    var sampleInterval: Double = 10

    func validate() throws {
        guard (1...1000).contains(sampleInterval) else {
            throw ValidationError("--sample-interval must be 1 to 1000 milliseconds, got \(sampleInterval).")
        }
    }
}

/// Which scenario: a file, ./rehearse.yaml, or none with --snapshot and --migrations; the
/// options take the place of the file's keys.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "The scenario file (YAML); default: ./rehearse.yaml, or none when --snapshot and --migrations are given.")
    var scenario: String?

    @Option(name: .long, help: ArgumentHelp("The backup to rehearse on: a pg_dump in any format (plain, .sql.zst, .sql.gz, -Fc, -Fd, -Ft).", valueName: "file"))
    var snapshot: String?

    @Option(name: .long, help: ArgumentHelp("golang-migrate's migrations directory.", valueName: "dir"))
    var migrations: String?

    @Option(name: .customLong("tracking-table"), help: ArgumentHelp("migrate's x-migrations-table (default: the one of migrate's shape found in the snapshot).", valueName: "name"))
    var trackingTable: String?

    @Option(name: .long, help: ArgumentHelp("whole-file (migrate's default) or multi-statement (x-multi-statement).", valueName: "mode"))
    var mode: String?

    func load() throws -> Scenario {
        try ScenarioSource(file: scenario, snapshot: snapshot, migrations: migrations, trackingTable: trackingTable, mode: mode).load()
    }
}
