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

    @Flag(name: .long, help: "Print report.json on standard output (for piping); progress and the summary go to standard error.")
    var json = false

    @OptionGroup var server: ServerOptions

    func run() throws {
        let terminal = Terminal(quiet: server.quiet, summaryToStandardError: json)
        let options = server.rehearsalOptions
        let code = Session.perform(terminal: terminal, interruption: options.interruption) {
            let (scenario, database, runner) = try Session.prepare(
                scenarioPath: self.scenario, options: server, rehearsal: options, terminal: terminal)
            defer { database.shutdown() }
            let directory = out ?? "reports/\(scenario.name)-\(Session.fileTimestamp())"
            do {
                let report = try runner.run()
                try ReportWriter.write(report, to: directory)
                ReportWriter.appendToGitHubSummary(report)
                terminal.summary(report, directory: directory)
                if json { FileHandle.standardOutput.write(try JSONReport.encode(report) + Data("\n".utf8)) }
                runner.prepareSpare()
                return report.verdict == .fail ? 1 : 0
            } catch let aborted as RehearsalAborted {
                try ReportWriter.write(aborted.partial, to: directory)
                terminal.error("\(aborted); partial report in \(directory)/report.md")
                return 3
            } catch let interrupted as RehearsalInterrupted {
                if let partial = interrupted.partial {
                    try ReportWriter.write(partial, to: directory)
                    terminal.summary(partial, directory: directory)
                }
                return 3
            }
        }
        throw ExitCode(code)
    }
}

extension ServerOptions {
    var rehearsalOptions: RehearsalOptions {
        var options = RehearsalOptions()
        options.keepDatabase = keep
        options.traceStatements = !noTrace
        options.keepSpare = !noSpare
        options.lockSampleInterval = min(max(sampleInterval, 1), 1000) / 1000
        return options
    }
}
