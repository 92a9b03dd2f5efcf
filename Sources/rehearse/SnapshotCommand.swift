import ArgumentParser
import Foundation
import Rehearsal
import PostgresClient

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Create a snapshot of a database with pg_dump (masking personal data), or inspect one without restoring it.",
        subcommands: [SnapshotCreate.self, SnapshotInspect.self, SnapshotHash.self])
}

struct SnapshotCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Dump a database with pg_dump into a zstd-compressed snapshot and write its manifest beside it.",
        discussion: """
            The source is only read: rehearse runs pg_dump --format=plain and catalog SELECTs, nothing else. \
            The dump streams through masking and compression; until it is complete the file is FILE.partial, \
            removed on failure or interrupt. The manifest (FILE.manifest.json in place of FILE.sql.zst) records \
            the server version, the recorded migration version, tables with rows and sizes, the SHA-256 and \
            the masked columns.

            Masking rules (--mask) map tables to columns and rules:
              public.users:
                email: hash          # h_<16 hex of HMAC-SHA256 keyed by the salt>@example.invalid; equal in, equal out
                display_name: fake   # User 1a2b3c4d5e6f
                phone: null
                notes: "redacted"    # quoted text: a fixed value
              salt: "a secret"       # optional; without it a random salt per snapshot
            """)

    @Option(
        name: .long,
        help: ArgumentHelp("The database to dump: a postgres:// URL or a keyword string; use a read-only role. The password is never printed.", valueName: "url"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The snapshot file to write (must end in .sql.zst).", valueName: "file"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("zstd compression level, 1 (fastest) to 19 (smallest).", valueName: "n"))
    var level: Int = 10

    @Option(name: .long, help: ArgumentHelp("Masking rules (YAML) for personal data, applied while dumping.", valueName: "rules.yaml"))
    var mask: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The golang-migrate tracking table in the source's schema (default: _schema_migrations, else schema_migrations).", valueName: "name"))
    var trackingTable: String?

    func validate() throws {
        guard (1...19).contains(level) else {
            throw ValidationError("--level must be 1 to 19, got \(level).")
        }
        guard out.hasSuffix(".sql.zst"), out.count > 8 else {
            throw ValidationError("--out must name a file ending in .sql.zst (the manifest goes beside it as .manifest.json).")
        }
    }

    func run() throws {
        let terminal = Terminal(quiet: false)
        let token = InterruptionToken()
        let partial = out + ".partial"
        Interruption.install { second in
            if second {
                unlink(partial)
                terminal.error("interrupted again: exiting now")
                Foundation.exit(3)
            }
            terminal.error("interrupted: stopping pg_dump and removing \(partial) (interrupt again to exit now)")
            token.interrupt()
        }
        let source = ConnectionTarget.redact(from)
        let code = Session.perform(terminal: terminal) {
            let rules = try mask.map { try MaskingRules.load($0) }
            let masking = rules.map { " masking \($0.maskedColumns.count) column(s) from \($0.file)" } ?? ""
            terminal.note("dumping \(source) with pg_dump into \(out)\(masking)")
            let meter = DumpMeter(terminal: terminal)
            defer { meter.clear() }
            let manifest: SnapshotManifest
            do {
                manifest = try SnapshotCreator.create(
                    from: from, to: out, level: level, masking: rules, trackingTable: trackingTable, interruption: token
                ) { meter.show($0) }
            } catch is RehearsalInterrupted {
                meter.clear()
                terminal.error("snapshot creation interrupted; nothing was written (\(partial) removed)")
                return 3
            }
            meter.clear()
            let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? NSNumber)?.uint64Value ?? 0
            let rows = manifest.tables.reduce(Int64(0)) { $0 + $1.rows }
            print("snapshot: \(out) (\(Format.bytes(size)), sha256 \(manifest.sha256))")
            print("manifest: \(SnapshotManifest.path(forSnapshot: out))")
            print("source:   PostgreSQL \(manifest.serverVersion), database \(manifest.database)")
            if let version = manifest.recordedVersion {
                print("recorded version: \(version)\(manifest.dirty == true ? " (dirty)" : "") in \(manifest.trackingTable)")
            } else {
                print("recorded version: none (no \(manifest.trackingTable) table, or no row in it)")
            }
            print("tables:   \(manifest.tables.count), \(rows) rows")
            if !manifest.masked.isEmpty { print("masked:   \(manifest.masked.joined(separator: ", "))") }
            return 0
        }
        throw ExitCode(code)
    }
}

struct SnapshotInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a snapshot holds (versions, recorded migration version, tables and rows) and check its manifest, without restoring it.")

    @Argument(help: ArgumentHelp("The snapshot (.sql.zst, or a plain .sql dump).", valueName: "file"))
    var file: String

    @Option(
        name: .long,
        help: ArgumentHelp("The tracking table's name (default: _schema_migrations, else schema_migrations, else any *schema_migrations).", valueName: "name"))
    var trackingTable: String?

    @Flag(name: .long, help: "Print the inspection as JSON.")
    var json = false

    func run() throws {
        let terminal = Terminal(quiet: false)
        let code = Session.perform(terminal: terminal) {
            let inspection = try SnapshotInspector.inspect(file, trackingTable: trackingTable)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(inspection) + Data("\n".utf8))
            } else {
                print(Self.text(inspection))
            }
            if inspection.manifestMatches == false {
                terminal.error("the manifest \(inspection.manifestPath ?? "") describes another file (its sha256 is not this file's); re-create the snapshot or remove the stale manifest")
            }
            return inspection.manifestMatches == false ? 2 : 0
        }
        throw ExitCode(code)
    }

    static func text(_ inspection: SnapshotInspection) -> String {
        var lines: [String] = []
        lines.append("snapshot: \(inspection.path)")
        lines.append("size:     \(Format.bytes(inspection.bytes)) \(inspection.format.label), \(Format.bytes(inspection.uncompressedBytes)) of SQL")
        lines.append("sha256:   \(inspection.sha256)")
        lines.append("dumped:   from PostgreSQL \(inspection.serverVersion ?? "?") by pg_dump \(inspection.pgDumpVersion ?? "?")")
        if let version = inspection.recordedVersion {
            lines.append("recorded: version \(version)\(inspection.dirty == true ? " (dirty)" : "") in \(inspection.trackingTable ?? "?")")
        } else if let table = inspection.trackingTable {
            lines.append("recorded: none (\(table) has no row)")
        } else {
            lines.append("recorded: none (no tracking table in the dump)")
        }
        lines.append("schema:   \(inspection.createTableStatements) CREATE TABLE, \(inspection.createIndexStatements) CREATE INDEX")
        lines.append("tables:   \(inspection.tables.count) with \(inspection.totalRows) rows")
        let width = inspection.tables.map(\.name.count).max() ?? 0
        let rowWidth = inspection.tables.map { String($0.rows).count }.max() ?? 0
        for table in inspection.tables {
            let name = table.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let rows = String(repeating: " ", count: rowWidth - String(table.rows).count) + String(table.rows)
            lines.append("  \(name)  \(rows) rows  \(Format.bytes(table.bytes))")
        }
        if let path = inspection.manifestPath {
            if let manifest = inspection.manifest {
                let verdict = inspection.manifestMatches == true ? "sha256 matches" : "sha256 DOES NOT MATCH this file"
                lines.append("manifest: \(path) (\(verdict); dumped \(manifest.dumpedAt) from database \(manifest.database))")
                if !manifest.masked.isEmpty { lines.append("masked:   \(manifest.masked.joined(separator: ", "))") }
            } else {
                lines.append("manifest: \(path) (unreadable: \(inspection.manifestProblem ?? "unknown problem"))")
            }
        } else {
            lines.append("manifest: none")
        }
        return lines.joined(separator: "\n")
    }
}

/// A dump's progress on standard error: one line redrawn in place on a terminal, a plain
/// line every 15 seconds otherwise (CI logs).
private final class DumpMeter {
    private let terminal: Terminal
    private var shown = false
    private var lastLine = Date()

    init(terminal: Terminal) {
        self.terminal = terminal
    }

    func show(_ progress: SnapshotCreator.Progress) {
        let rate = progress.elapsedSeconds > 0 ? Double(progress.bytesDumped) / progress.elapsedSeconds : 0
        var text = "dumping: \(Format.bytes(progress.bytesDumped)) from pg_dump (\(Format.bytes(UInt64(rate)))/s), \(Format.bytes(progress.bytesWritten)) written"
        if progress.rowsMasked > 0 { text += ", \(progress.rowsMasked) rows masked" }
        if let table = progress.table { text += ", \(table)" }
        if terminal.isTTY {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
            shown = true
        } else if Date().timeIntervalSince(lastLine) >= 15 {
            lastLine = Date()
            terminal.note(text)
        }
    }

    func clear() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        shown = false
    }
}

struct SnapshotHash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print a snapshot's SHA-256 as sha256sum does: the key of its cached template and of its manifest.")

    @Argument(help: ArgumentHelp("The snapshot file.", valueName: "file"))
    var file: String

    func run() throws {
        let terminal = Terminal(quiet: true)
        let code = Session.perform(terminal: terminal) {
            print("\(try Snapshot.open(file).sha256)  \(file)")
            return 0
        }
        throw ExitCode(code)
    }
}
