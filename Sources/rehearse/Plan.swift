import ArgumentParser
import Foundation
import Rehearsal

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the snapshot's recorded version and the pending migrations, without running any.")

    @OptionGroup var source: ScenarioOptions

    @OptionGroup var server: ServerOptions

    @Flag(name: .long, help: "Print the plan as report.json on standard output (no migration run; the snapshot section says how it was restored or cloned).")
    var json = false

    func run() throws {
        let terminal = Terminal(quiet: server.quiet)
        let options = server.rehearsalOptions()
        let code = Session.perform(terminal: terminal, interruption: options.interruption) {
            let (database, runner) = try Session.prepare(
                scenario: source.load(), options: server, rehearsal: options, terminal: terminal)
            defer { database.shutdown() }
            var code: Int32 = 0
            runner.plan { plan, report in
                terminal.clearProgress()
                guard let plan, report.failure == nil, !report.interrupted else {
                    if report.interrupted { terminal.error("the rehearsal was interrupted") }
                    terminal.failure(of: report)
                    code = report.exitCode
                    return
                }
                if json {
                    if let data = try? JSONReport.encode(report) { FileHandle.standardOutput.write(data + Data("\n".utf8)) }
                    return
                }
                print("tracking table: \(report.scenario.trackingTable)\(report.scenario.trackingTableFound == true ? " (found in the snapshot)" : "")")
                print("recorded version: \(plan.recorded?.display ?? "none")")
                print("pending: \(plan.pending.count)")
                for migration in plan.pending {
                    // As check and the rehearsal judge it: blank or comment-only does nothing.
                    let down = migration.down.map { $0.isNoOp(in: report.scenario.mode) ? ($0.isBlank ? "  (empty down file)" : "  (comment-only down file)") : "" }
                        ?? "  (no down file)"
                    print("  \(migration.version)  \(migration.identifier)\(down)")
                }
                for finding in report.findings where finding.severity != .info {
                    print("\(finding.severity.rawValue): \(finding.message)")
                }
            }
            return code
        }
        throw ExitCode(code)
    }
}
