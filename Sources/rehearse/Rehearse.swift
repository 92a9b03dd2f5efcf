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
        subcommands: [Run.self, Plan.self, Check.self, Create.self, ReportCommand.self, DiffCommand.self, CacheCommand.self, SnapshotCommand.self],
        defaultSubcommand: nil)

    /// As ArgumentParser's, except that a usage error exits 2, as documented (its own
    /// default is 64).
    static func main() {
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

    @Flag(name: .long, help: "Skip the traced re-run that attributes locks, rewrites and time to each statement (halves the work for long migrations).")
    var noTrace = false

    @Option(name: .long, help: ArgumentHelp("How often the lock sampler looks at pg_locks during a step, in milliseconds (1 to 1000).", valueName: "ms"))
    var sampleInterval: Double = 10

    func validate() throws {
        guard (1...1000).contains(sampleInterval) else {
            throw ValidationError("--sample-interval must be 1 to 1000 milliseconds, got \(sampleInterval).")
        }
    }

    var resolvedURL: String? {
        if let databaseURL, !databaseURL.isEmpty { return databaseURL }
        if let url = ProcessInfo.processInfo.environment["REHEARSE_DATABASE_URL"], !url.isEmpty { return url }
        return nil
    }
}
