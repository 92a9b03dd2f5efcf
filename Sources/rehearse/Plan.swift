import ArgumentParser
import Foundation
import Rehearsal

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the snapshot's recorded version and the pending migrations, without running any.")

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @OptionGroup var server: ServerOptions

    @Flag(name: .long, help: "Print the plan as report.json on standard output (no migration run; the snapshot section says how it was restored or cloned).")
    var json = false

    func run() throws {
        let terminal = Terminal(quiet: server.quiet)
        let options = server.rehearsalOptions
        let code = Session.perform(terminal: terminal, interruption: options.interruption) {
            let (_, database, runner) = try Session.prepare(
                scenarioPath: self.scenario, options: server, rehearsal: options, terminal: terminal)
            defer { database.shutdown() }
            let (plan, report) = try runner.plan()
            terminal.clearProgress()
            defer { runner.prepareSpare() }
            if json {
                FileHandle.standardOutput.write(try JSONReport.encode(report) + Data("\n".utf8))
                return 0
            }
            print("recorded version: \(plan.recorded?.display ?? "none")")
            print("pending: \(plan.pending.count)")
            for migration in plan.pending {
                let down = migration.down == nil ? "  (no down file)" : (migration.down!.isBlank ? "  (empty down file)" : "")
                print("  \(migration.version)  \(migration.identifier)\(down)")
            }
            for finding in report.findings where finding.severity != .info {
                print("\(finding.severity.rawValue): \(finding.message)")
            }
            return 0
        }
        throw ExitCode(code)
    }
}
