import ArgumentParser
import Foundation
import Rehearsal

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the next empty up and down files, as `migrate create -ext sql -seq`.")

    @Argument(help: "The migration's name, e.g. add_collections.")
    var name: String

    @Option(name: .long, help: "The migrations directory.")
    var dir: String

    @Option(name: .long, help: "Digits of the zero-padded sequence number.")
    var digits = 6

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let created = try MigrationCreator.create(name: name, in: dir, digits: digits)
            for path in created { print(path) }
            return 0
        }
        throw ExitCode(code)
    }
}
