import ArgumentParser
import Foundation
import Rehearsal

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore the snapshot, run each pending migration up, down and up again, and write the report.")

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(name: .long, help: ArgumentHelp("Where to write report.md and report.json (default: reports/<scenario>-<timestamp>/).", valueName: "dir"))
    var out: String?

    @OptionGroup var server: ServerOptions

    func run() throws {
        let terminal = Terminal(quiet: server.quiet)
        let code = Session.perform(terminal: terminal) {
            let scenario = try Scenario.load(self.scenario)
            _ = try MigrationDirectory.load(scenario.migrationsPath)
            let database = try Session.startServer(server, terminal: terminal)
            defer { database.shutdown() }
            let runner = RehearsalRunner(scenario: scenario, server: database, options: server.rehearsalOptions, events: terminal.draw)
            Session.onInterrupt(runner: runner, server: database, terminal: terminal)
            let report = try runner.run()
            let directory = out ?? "reports/\(scenario.name)-\(Session.fileTimestamp())"
            try ReportWriter.write(report, to: directory)
            terminal.summary(report, directory: directory)
            return report.verdict == .fail ? 1 : 0
        }
        throw ExitCode(code)
    }
}

extension ServerOptions {
    var rehearsalOptions: RehearsalOptions {
        var options = RehearsalOptions()
        options.keepDatabase = keep
        return options
    }
}
