import ArgumentParser
import Foundation
import Rehearsal

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint a migrations directory as golang-migrate would run it, without a database (for pull requests).",
        discussion: """
            Errors (exit 1): a statement that cannot run in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, …) beside others in a whole-file migration; a ';' that migrate's multi-statement split breaks; a byte-order mark.
            Warnings (exit 0): a blocking lock with no lock_timeout before it, missing and empty downs, files migrate ignores, invalid accepts.
            A directory migrate cannot read (duplicate versions, no migrations) exits 2.
            """)

    @Argument(help: "The migrations directory (default: the scenario's).")
    var directory: String?

    @Option(name: .long, help: ArgumentHelp("The scenario whose migrations, mode and session to use (default: ./rehearse.yaml when there is one).", valueName: "file"))
    var scenario: String?

    @Option(name: .long, help: ArgumentHelp("whole-file (migrate's default) or multi-statement (default: the scenario's).", valueName: "mode"))
    var mode: String?

    @Option(name: .long, help: ArgumentHelp("text, github (workflow annotations), sarif or json.", valueName: "format"))
    var format: LintFormat = .text

    enum LintFormat: String, ExpressibleByArgument, CaseIterable {
        case text, github, sarif, json
    }

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let scenario = try scenarioToUse()
            guard let path = directory.map({ $0 }) ?? scenario?.migrationsPath else {
                throw UsageError("check needs the migrations directory: rehearse check DIR (or a rehearse.yaml here that names it)")
            }
            var chosen = scenario?.mode ?? .wholeFile
            if let mode {
                guard let parsed = ExecutionMode(rawValue: mode) else {
                    throw UsageError("--mode: " + ExecutionMode.unknown(mode))
                }
                chosen = parsed
            }
            let loaded = try MigrationDirectory.load(path).validated()
            guard !loaded.migrations.isEmpty else {
                throw UsageError("\(path) holds no migrations ({version}_{name}.up.sql / .down.sql); check the path")
            }
            let results = MigrationLint(mode: chosen, sessionSetsLockTimeout: scenario?.sessionSetsLockTimeout ?? false).check(loaded)
            try emit(results, directory: loaded)
            return results.contains { $0.finding.severity == .error } ? 1 : 0
        }
        throw ExitCode(code)
    }

    /// The scenario named, else ./rehearse.yaml when there is one and no directory is given.
    private func scenarioToUse() throws -> Scenario? {
        if let scenario { return try Scenario.load(scenario) }
        guard directory == nil, FileManager.default.fileExists(atPath: ScenarioSource.defaultFile) else { return nil }
        return try ScenarioSource().load()
    }

    private func emit(_ results: [MigrationLint.Result], directory: MigrationDirectory) throws {
        let items = results.map { FindingAnnotations.Item(finding: $0.finding, file: $0.finding.file.map { RepositoryPaths.relative($0) }) }
        switch format {
        case .github:
            let lines = FindingAnnotations.github(items)
            if !lines.isEmpty { print(lines) }
        case .sarif:
            FileHandle.standardOutput.write(try FindingAnnotations.sarif(items, toolVersion: RehearseVersion.current) + Data("\n".utf8))
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            struct Output: Encodable {
                var migrations: Int
                var errors: Int
                var warnings: Int
                var findings: [Finding]
            }
            let findings = zip(results, items).map { result, item in
                var finding = result.finding
                finding.file = item.file
                return finding
            }
            FileHandle.standardOutput.write(try encoder.encode(Output(
                migrations: directory.migrations.count, errors: results.count { $0.finding.severity == .error },
                warnings: results.count { $0.finding.severity == .warning }, findings: findings)) + Data("\n".utf8))
        case .text:
            for migration in directory.migrations {
                let own = zip(results, items).filter { $0.0.version == migration.version }
                print("\(migration.version)  \(migration.identifier)")
                for (result, item) in own {
                    let finding = result.finding
                    let place = item.file.map { "\($0)\(finding.line.map { ":\($0)" } ?? "")  " } ?? ""
                    let label = finding.accepted != nil ? "accepted" : finding.severity.rawValue
                    print("    \(label) \(finding.rule.rawValue): \(place)\(finding.message)\(finding.accepted.map { " (accepted: \($0))" } ?? "")")
                    if finding.severity == .error, let advice = finding.advice { print("        → \(advice)") }
                }
            }
            for (result, _) in zip(results, items) where result.version == nil {
                print("\(result.finding.severity.rawValue) \(result.finding.rule.rawValue): \(result.finding.message)")
            }
            let errors = results.count { $0.finding.severity == .error }
            let warnings = results.count { $0.finding.severity == .warning }
            print("\(directory.migrations.count) migration(s): \(errors) error(s), \(warnings) warning(s)")
        }
    }
}
