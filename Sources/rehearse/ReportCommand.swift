import ArgumentParser
import Foundation
import Rehearsal

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render a report.json as Markdown, HTML, JUnit XML, SARIF or GitHub workflow annotations.")

    @Argument(help: "A report.json written by `rehearse run`.")
    var file: String

    @Option(name: .long, help: "md, html, junit, json, sarif or github (workflow annotations).")
    var format: ReportWriter.Format = .md

    @Option(name: [.customShort("o"), .long], help: "Write here instead of standard output.")
    var output: String?

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let report = try ReportFile.load(file)
            let data = try ReportWriter.render(report, as: format)
            if let output {
                try data.write(to: URL(fileURLWithPath: output))
            } else {
                FileHandle.standardOutput.write(data)
            }
            return 0
        }
        throw ExitCode(code)
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two report.json files (e.g. last night's and tonight's): per migration and step, duration, lock and blocked-traffic changes and new findings.",
        discussion: "Exit code 1 when a regression is flagged (a metric both --factor times and --minimum-ms worse, an up judged on the faster of its two runs, or a worse verdict), else 0; 2 for reports of different scenarios or migration sets (unless --force).")

    @Argument(help: "The earlier report.json.")
    var old: String

    @Argument(help: "The later report.json.")
    var new: String

    @Option(name: .long, help: "How many times worse a metric must get to count as a regression.")
    var factor: Double = 1.5

    @Option(name: .long, help: "How many milliseconds worse a metric must get to count as a regression.")
    var minimumMs: Double = 50

    @Flag(name: .long, help: "Print the comparison as JSON.")
    var json = false

    @Flag(name: .long, help: "Compare even reports of different scenarios or migration sets.")
    var force = false

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let before = try ReportFile.load(old)
            let after = try ReportFile.load(new)
            if !force, let reason = ReportDiff.incompatibility(old: before, new: after) {
                throw UsageError("\(reason); compare reports of one scenario, or pass --force")
            }
            let diff = ReportDiff.compare(old: before, new: after, factor: factor, minimumMs: minimumMs)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                FileHandle.standardOutput.write(try encoder.encode(diff) + Data("\n".utf8))
            } else {
                print(diff.markdown(oldLabel: before.startedAt, newLabel: after.startedAt))
            }
            return diff.hasRegressions ? 1 : 0
        }
        throw ExitCode(code)
    }
}

extension ReportWriter.Format: ExpressibleByArgument {}
