import ArgumentParser
import Foundation
import Rehearsal

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented rehearse.yaml with every key and its default, ready for `rehearse run`.",
        discussion: "Without --migrations, the directory holding migrate's up files is looked for below the current directory; without --snapshot, the newest dump here or in snapshots/, backups/ or dumps/.")

    @Option(name: .long, help: ArgumentHelp("The backup to rehearse on: a pg_dump in any format.", valueName: "file"))
    var snapshot: String?

    @Option(name: .long, help: ArgumentHelp("golang-migrate's migrations directory.", valueName: "dir"))
    var migrations: String?

    @Option(name: .long, help: ArgumentHelp("Where to write the scenario.", valueName: "file"))
    var output = ScenarioSource.defaultFile

    @Flag(name: .long, help: "Replace an existing scenario file.")
    var force = false

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let here = FileManager.default.currentDirectoryPath
            let target = RepositoryPaths.absolute(output, in: here)
            let base = (target as NSString).deletingLastPathComponent
            if FileManager.default.fileExists(atPath: target), !force {
                throw UsageError("\(output) exists; edit it, or pass --force to replace it")
            }
            let migrationsPath = try migrations.map { RepositoryPaths.absolute($0, in: here) } ?? {
                guard let found = ProjectLayout.migrationDirectories(under: here).first else {
                    throw UsageError("no directory of migrate's {version}_{name}.up.sql files below \(here); give --migrations DIR")
                }
                terminal.note("migrations: \(RepositoryPaths.relative(found, to: here)) (found)")
                return found
            }()
            _ = try MigrationDirectory.load(migrationsPath).validated()
            let snapshotPath = try snapshot.map { RepositoryPaths.absolute($0, in: here) } ?? {
                let dumps = ProjectLayout.snapshots(under: here)
                guard let found = dumps.first else {
                    throw UsageError("no pg_dump here or in snapshots/, backups/ or dumps/; give --snapshot FILE (any pg_dump format)")
                }
                terminal.note("snapshot: \(RepositoryPaths.relative(found, to: here)) (found\(dumps.count > 1 ? ", the newest of \(dumps.count) dumps" : ""))")
                return found
            }()
            let format = try SnapshotFormat.check(snapshotPath)
            let text = ScenarioTemplate.text(
                name: ScenarioSource.name(for: base),
                snapshot: RepositoryPaths.relative(snapshotPath, to: base), migrations: RepositoryPaths.relative(migrationsPath, to: base))
            do {
                try text.write(toFile: target, atomically: true, encoding: .utf8)
            } catch {
                throw UsageError("cannot write \(target): \(error.localizedDescription)")
            }
            print("wrote \(output): snapshot \(RepositoryPaths.relative(snapshotPath, to: base)) (\(format.label)), migrations \(RepositoryPaths.relative(migrationsPath, to: base))")
            print("next: rehearse run\(output == ScenarioSource.defaultFile ? "" : " " + output)")
            return 0
        }
        throw ExitCode(code)
    }
}
