import ArgumentParser
import Foundation
import Rehearsal

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore the snapshot, run each pending migration up, down and up again, and write the report.")

    @OptionGroup var source: ScenarioOptions

    @Option(name: .long, help: ArgumentHelp("The folder to write report.json, report.md, report.html, junit.xml and report.sarif into, made if missing (default: reports/<scenario>-<timestamp>/).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Print report.json on standard output (for piping); progress and the summary go to standard error.")
    var json = false

    @OptionGroup var server: ServerOptions

    @OptionGroup var observation: ObservationOptions

    func run() throws {
        let terminal = Terminal(quiet: server.quiet, summaryToStandardError: json)
        let options = server.rehearsalOptions(observation)
        let code = Session.perform(terminal: terminal, interruption: options.interruption) {
            let scenario = try source.load()
            let directory = out ?? "reports/\(scenario.name)-\(Session.fileTimestamp())"
            let madeHere = !FileManager.default.fileExists(atPath: directory)
            if let problem = ReportWriter.prepareDestination(directory) {
                throw UsageError("--out \(directory): \(problem); nothing was run")
            }
            let (database, runner): (DatabaseServer, RehearsalRunner)
            do {
                (database, runner) = try Session.prepare(scenario: scenario, options: server, rehearsal: options, terminal: terminal)
            } catch {
                // Refused before anything ran: no report, so no empty folder left for one.
                if madeHere { try? FileManager.default.removeItem(atPath: directory) }
                throw error
            }
            defer { database.shutdown() }
            var unwritten: Error?
            let report = runner.run { report in
                do {
                    try ReportWriter.write(report, to: directory)
                } catch {
                    unwritten = error
                }
                ReportWriter.appendToGitHubSummary(report)
                if let annotations = ReportWriter.gitHubAnnotations(report) {
                    (json ? FileHandle.standardError : FileHandle.standardOutput).write(Data((annotations + "\n").utf8))
                }
                terminal.summary(report, directory: unwritten == nil ? directory : nil)
                if json, let data = try? JSONReport.encode(report) { FileHandle.standardOutput.write(data + Data("\n".utf8)) }
            }
            if let unwritten { throw unwritten }
            return report.exitCode
        }
        throw ExitCode(code)
    }
}
