import ArgumentParser
import Foundation
import Rehearsal

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a migrations directory as golang-migrate would read it, without a database.")

    @Argument(help: "The migrations directory.")
    var directory: String

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let loaded = try MigrationDirectory.load(directory)
            try loaded.validate()
            var problems = 0
            for migration in loaded.migrations {
                var notes: [String] = []
                if migration.up == nil { notes.append("no up file"); problems += 1 }
                if let down = migration.down {
                    if down.isBlank { notes.append("empty down file") } else if down.isCommentOnly { notes.append("comment-only down file") }
                } else {
                    notes.append("no down file")
                }
                print("\(migration.version)  \(migration.identifier)\(notes.isEmpty ? "" : "  — " + notes.joined(separator: ", "))")
                for risk in migration.acceptedRisks {
                    let known = Rule(rawValue: risk.rule).map { $0.acceptable ? "" : " (cannot be accepted)" } ?? " (no such rule)"
                    print("    accepts \(risk.rule.isEmpty ? "?" : risk.rule)\(known): \(risk.reason.isEmpty ? "no reason given" : risk.reason)  (\((risk.file as NSString).lastPathComponent):\(risk.line))")
                    if !known.isEmpty || risk.reason.isEmpty { problems += 1 }
                }
            }
            for name in loaded.ignoredFiles {
                print("warning: \(name) does not match {version}_{name}.up|down.{ext}; migrate ignores it")
                problems += 1
            }
            print("\(loaded.migrations.count) migration(s), \(problems) problem(s)")
            return problems > 0 ? 2 : 0
        }
        throw ExitCode(code)
    }
}
