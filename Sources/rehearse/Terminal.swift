import Foundation
import Rehearsal

/// Everything the tool prints: progress on a terminal (one line redrawn, stderr), plain
/// phase lines otherwise, colours only on a TTY and never with NO_COLOR.
final class Terminal: @unchecked Sendable {
    let quiet: Bool
    let isTTY = isatty(STDERR_FILENO) == 1
    let colours: Bool
    private var progressShown = false
    private let lock = NSLock()

    /// With --json, standard output carries only the JSON report.
    let summaryToStandardError: Bool

    init(quiet: Bool, summaryToStandardError: Bool = false) {
        self.quiet = quiet
        self.summaryToStandardError = summaryToStandardError
        let stream = summaryToStandardError ? STDERR_FILENO : STDOUT_FILENO
        colours = isatty(stream) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    private func say(_ text: String) {
        if summaryToStandardError {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        } else {
            print(text)
        }
    }

    func draw(_ event: RehearsalEvent) {
        guard !quiet else { return }
        switch event {
        case .startingServer:
            status("starting the embedded PostgreSQL server")
        case .waiting(let text):
            note(text)
        case .hashingSnapshot(let path):
            status("hashing snapshot \(path)")
        case .restoring(let progress) where progress.dataLoaded:
            guard isTTY else { return }
            showProgress("restoring snapshot: data in (\(progress.rowsCopied) rows); indexes, keys and statistics: \(progress.jobsDone) of \(progress.jobsTotal) jobs, \(Format.duration(progress.elapsedSeconds * 1000)) elapsed")
        case .restoring(let progress):
            guard isTTY else { return }
            let rate = progress.elapsedSeconds > 0 ? Double(progress.compressedBytesRead) / progress.elapsedSeconds : 0
            let fraction = progress.totalBytes > 0 ? Double(progress.compressedBytesRead) / Double(progress.totalBytes) : 0
            let eta = fraction > 0.01 ? progress.elapsedSeconds * (1 - fraction) / fraction : nil
            showProgress(String(format: "restoring snapshot: %5.1f%%  %@ of %@  %@/s  %lld rows  %@ elapsed%@", fraction * 100,
                          Format.bytes(progress.compressedBytesRead), Format.bytes(progress.totalBytes), Format.bytes(UInt64(rate)),
                          progress.rowsCopied, Format.duration(progress.elapsedSeconds * 1000),
                          eta.map { ", about " + Format.duration($0 * 1000) + " left" } ?? ""))
        case .restored(let summary):
            line("restored snapshot: \(summary.statements) statements, \(summary.rowsCopied) rows in \(Format.duration(summary.durationMs))")
        case .cloningTemplate:
            status("making a scratch database from the cached snapshot")
        case .copyingForReplay:
            status("copying the cached snapshot for the replay without traffic")
        case .preparingSpare:
            status("copying the cached snapshot for the next run (interrupting is safe; --no-spare skips this)")
        case .preparedSpare(.made(let bytes, let milliseconds)):
            line("spare copy of the cached snapshot ready for the next run (\(Format.bytes(bytes)) in \(Format.duration(milliseconds)))")
        case .preparedSpare(.exists):
            break
        case .preparedSpare(.lowDiskSpace(let needed, let free)):
            note("no spare copy for the next run: \(Format.bytes(free)) free, \(Format.bytes(needed)) wanted; the next run clones the template instead")
        case .spareFailed(let reason):
            note("no spare copy for the next run: \(reason)")
        case .trafficBaseline(let seconds):
            status("measuring traffic baseline for \(Format.duration(seconds * 1000))")
        case .foundTrackingTable(let table):
            line(table.map { "tracking table \($0), found in the snapshot (set tracking_table to choose another)" }
                ?? "no tracking table of migrate's shape in the snapshot: migrate would create schema_migrations and run every migration")
        case .planned(let recorded, let pending):
            compact = pending > Self.compactAbove
            line("snapshot at version \(recorded?.display ?? "none"); \(pending) pending migration(s)\(compact ? " (one line per migration)" : "")")
        case .stepStarted(let version, let name, let direction, let pass):
            if compact, release != nil {
                if isTTY { status("release rollback: \(version) \(name) \(StepKind(direction: direction, pass: pass).label)…") }
                return
            }
            if compact, version != migrationLine?.version {
                flushMigrationLine()
                migrationLine = (version, name, [])
            }
            if !compact || isTTY { status("\(version) \(name): \(StepKind(direction: direction, pass: pass).label)…") }
        case .stepFinished(let version, let step):
            let label = step.label
            let outcome: String
            switch step.status {
            case .ok: outcome = paint("ok", .green)
            case .skipped: outcome = paint("skipped", .yellow)
            case .failed: outcome = paint("FAILED", .red)
            }
            if compact, release != nil {
                release?.append(step.status == .failed ? "\(version) \(step.direction.rawValue) " + outcome : "")
            } else if compact, migrationLine?.version == version {
                migrationLine?.steps.append("\(label) \(step.status == .ok ? Format.duration(step.durationMs) : outcome)")
            } else {
                line("  \(version) \(label): \(outcome) in \(Format.duration(step.durationMs))")
            }
        case .tracing(let version):
            flushMigrationLine()
            if !compact || isTTY { status("\(version): replaying on a copy without traffic (statements, data round trip)") }
        case .checkedRoundtrip(let version, let differences):
            if differences > 0 { line("  \(version) round-trip: " + paint("\(differences) difference(s) after down", .red)) }
        case .rollingBackRelease(let target):
            flushMigrationLine()
            if compact { release = [] }
            line("rolling the release back to \(target.map { "version \($0)" } ?? "no version") (migrate goto), then forward again")
        case .rollingForwardRelease:
            status("rolling the release forward again…")
        case .recovering(let version, let reason):
            line("  \(version): \(reason); going back onto production's path (this migration's up applied)")
        }
    }

    /// Above this many pending migrations, progress is one line per migration and the summary
    /// one line per migration with problems.
    static let compactAbove = 10
    private var compact = false
    /// The migration whose steps are being collected into its one line (compact mode).
    private var migrationLine: (version: UInt64, name: String, steps: [String])?

    /// The release rollback's steps (compact mode): "" for each that went well, else what failed.
    private var release: [String]?

    private func flushMigrationLine() {
        if let steps = release {
            release = nil
            let failed = steps.filter { !$0.isEmpty }
            line("  release rollback: \(steps.count) step(s)\(failed.isEmpty ? ", all ok" : ": " + failed.joined(separator: ", "))")
        }
        guard let current = migrationLine else { return }
        migrationLine = nil
        line("  \(current.version) \(current.name): \(current.steps.joined(separator: ", "))")
    }

    /// The verdict and, above it, the warnings and errors by migration (for long runs, one
    /// line per migration: its counts and its worst problem); `directory` nil when the report
    /// could not be written.
    func summary(_ report: RehearsalReport, directory: String?) {
        flushMigrationLine()
        clearProgress()
        failure(of: report)
        let colour: Colour = report.verdict == .fail ? .red : report.verdict == .warn ? .yellow : .green
        let word = report.interrupted ? "INTERRUPTED (partial report)" : report.verdict.headline
        if !quiet {
            for finding in report.findings where finding.severity != .info {
                say("  \(finding.severity == .error ? paint("error", .red) : paint("warning", .yellow)): \(finding.message)")
            }
            for migration in report.migrations {
                let problems = migration.findings.filter { $0.severity != .info }
                if report.migrations.count > Self.compactAbove, let worst = problems.first {
                    let errors = problems.filter { $0.severity == .error }.count
                    let counts = [errors > 0 ? paint("\(errors) error(s)", .red) : nil, problems.count > errors ? paint("\(problems.count - errors) warning(s)", .yellow) : nil]
                    let message = worst.message.count > 140 ? String(worst.message.prefix(139)) + "…" : worst.message
                    say("  \(migration.version) \(migration.name): \(counts.compactMap { $0 }.joined(separator: ", ")); \(message)")
                    continue
                }
                for finding in problems {
                    say("  \(migration.version) \(finding.severity == .error ? paint("error", .red) : paint("warning", .yellow)): \(finding.message)")
                }
            }
        }
        say(paint(word, colour) + ": " + report.verdictReason)
        if !quiet, let directory { say("report: \(directory)/report.md (also report.html, report.json, junit.xml, report.sarif)") }
    }

    /// Why the run stopped, once, as an error line.
    func failure(of report: RehearsalReport) {
        if let failure = report.failure { error(failure) }
    }

    func note(_ text: String) {
        guard !quiet else { return }
        line(text)
    }

    func error(_ text: String) {
        emit("rehearse: error: " + text)
    }

    func clearProgress() {
        lock.lock()
        defer { lock.unlock() }
        if progressShown {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            progressShown = false
        }
    }

    /// A phase line: redrawn in place on a terminal — with the time spent in it, ticking
    /// once a second for long work — and printed once elsewhere.
    private func status(_ text: String) {
        guard isTTY else { return line(text) }
        lock.lock()
        current = (text, Date())
        let generation = statusGeneration &+ 1
        statusGeneration = generation
        lock.unlock()
        redraw(text)
        tick(generation)
    }

    private var current: (text: String, since: Date)?
    private var statusGeneration = 0

    private func tick(_ generation: Int) {
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { [self] in
            lock.lock()
            guard generation == statusGeneration, progressShown, let current else {
                lock.unlock()
                return
            }
            lock.unlock()
            redraw(current.text + "  " + Format.duration(Date().timeIntervalSince(current.since) * 1000))
            tick(generation)
        }
    }

    /// A progress line of its own (the restore's): it replaces the phase line, whose ticking stops.
    private func showProgress(_ text: String) {
        lock.lock()
        statusGeneration &+= 1
        lock.unlock()
        redraw(text)
    }

    private func redraw(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
        progressShown = true
    }

    private func line(_ text: String) {
        emit(text)
    }

    /// A whole line on standard error, in place of the progress line if one is shown; one
    /// write under the lock, so a redraw from another thread never cuts it.
    private func emit(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        statusGeneration &+= 1
        FileHandle.standardError.write(Data(((progressShown ? "\r\u{1B}[2K" : "") + text + "\n").utf8))
        progressShown = false
    }

    enum Colour: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
    }

    private func paint(_ text: String, _ colour: Colour) -> String {
        colours ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }
}
