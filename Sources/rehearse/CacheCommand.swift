import ArgumentParser
import Foundation
import Rehearsal

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Manage the restored snapshots cached as template databases on the embedded server.",
        subcommands: [CacheList.self, CachePrune.self])
}

struct CacheList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List cached templates, most recently used first.")

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let cluster = try EmbeddedCluster(waiting: { terminal.note($0) })
            defer { cluster.shutdown() }
            let entries = try TemplateCache(databases: ScratchDatabases(server: cluster)).list()
            if entries.isEmpty { print("no cached templates in \(cluster.dataDirectory)") }
            let formatter = ISO8601DateFormatter()
            for entry in entries {
                // The size prune --max-size counts: the template and its spare copy.
                let spare = entry.spareBytes > 0 ? "  (template \(Format.bytes(entry.bytes)) + spare copy \(Format.bytes(entry.spareBytes)))" : ""
                print("\(entry.sha256.prefix(16))  \(Format.bytes(entry.bytes + entry.spareBytes).padding(toLength: 9, withPad: " ", startingAt: 0))  last used \(entry.lastUsed.map { formatter.string(from: $0) } ?? "unknown")  \(entry.snapshotPath)\(spare)")
            }
            let total = entries.map { $0.bytes + $0.spareBytes }.reduce(0, +)
            print("\(entries.count) template(s), \(Format.bytes(total)) in \(cluster.dataDirectory)")
            return 0
        }
        throw ExitCode(code)
    }
}

struct CachePrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Drop cached templates by age or total size (half-restored leftovers always go).")

    @Option(name: .long, help: ArgumentHelp("Drop templates not used for this long, e.g. 7d, 12h, 30m.", valueName: "age"))
    var olderThan: String?

    @Option(name: .long, help: ArgumentHelp("Keep the most recently used templates that fit in this size, e.g. 20GB, 500MB.", valueName: "size"))
    var maxSize: String?

    @Flag(name: .long, help: "Drop every cached template.")
    var all = false

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let age = try olderThan.map { text -> Double in
                guard let seconds = DurationText.seconds(text, allowingDays: true), seconds >= 0 else { throw UsageError("--older-than \"\(text)\" is not an age; write e.g. 7d, 12h, 30m") }
                return seconds
            }
            let size = try maxSize.map { text -> Int64 in
                guard let bytes = SizeText.bytes(text), bytes >= 0 else { throw UsageError("--max-size \"\(text)\" is not a size; write e.g. 20GB, 500MB") }
                return bytes
            }
            guard all || age != nil || size != nil else {
                throw UsageError("cache prune needs to know what to drop: --older-than, --max-size or --all")
            }
            let cluster = try EmbeddedCluster(waiting: { terminal.note($0) })
            defer { cluster.shutdown() }
            let dropped = try TemplateCache(databases: ScratchDatabases(server: cluster)).prune(olderThan: all ? -1 : age, maxBytes: size)
            for entry in dropped { print("dropped \(entry.sha256.prefix(16))  \(Format.bytes(entry.bytes + entry.spareBytes))  \(entry.snapshotPath)") }
            print("\(dropped.count) template(s) dropped, \(Format.bytes(dropped.map { $0.bytes + $0.spareBytes }.reduce(0, +))) freed")
            return 0
        }
        throw ExitCode(code)
    }
}

