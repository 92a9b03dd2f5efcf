/// Renders the report as Markdown: the verdict first, then a table of migrations, then per
/// migration its findings, steps and locks, then where the snapshot came from. Readable in
/// a pager and as a CI comment.
public enum MarkdownReport {
    public static func render(_ report: RehearsalReport) -> String {
        var out: [String] = []
        let icon = ["pass": "✅", "warn": "⚠️", "fail": "❌"][report.verdict.rawValue] ?? ""
        let badge = "\(icon) \(report.verdict.headline)"
        out.append("# Migration rehearsal: \(escape(report.scenario.name))")
        out.append("")
        out.append("**\(badge)** — \(escape(report.verdictReason))")
        out.append("")
        if report.interrupted { out.append("> This rehearsal was interrupted; the results below are partial.\n") }
        let start = report.startVersion.map(String.init) ?? "none"
        let end = report.endState?.display ?? "none"
        out.append("Snapshot at version **\(start)**, \(report.migrations.count) pending migration(s), mode `\(report.scenario.mode.rawValue)`; tracking table `\(escape(report.scenario.trackingTable))`\(report.scenario.trackingTableFound == true ? " (found in the snapshot)" : "") ends at **\(end)**.")
        out.append("")
        if !report.migrations.isEmpty {
            out.append("| version | name | up | down | re-up | strongest lock (held) | traffic blocked | round-trip | verdict |")
            out.append("|---:|---|---:|---:|---:|---|---:|---|---|")
            for migration in report.migrations {
                func duration(_ direction: MigrationDirection, _ pass: Int) -> String {
                    guard let step = migration.steps.first(where: { $0.direction == direction && $0.pass == pass }) else { return "—" }
                    switch step.status {
                    case .ok: return Format.duration(step.durationMs)
                    case .skipped: return "skipped"
                    case .failed: return "**failed**"
                    }
                }
                let lock = migration.steps.first { $0.direction == .up && $0.pass == 1 }?.locks
                    .filter { $0.granted }.max { $0.strengthRank < $1.strengthRank }
                let lockText = lock.map { "\($0.mode) on \(escape($0.relation)) (\(held($0, interval: report.lockSampleIntervalMs)))" } ?? "—"
                out.append("| \(migration.version) | \(escape(migration.name)) | \(duration(.up, 1)) | \(duration(.down, 1)) | \(duration(.up, 2)) | \(lockText) | \(blockedText(migration)) | \(roundtrip(migration)) | \(verdictText(migration)) |")
            }
            out.append("")
        }
        if !report.findings.isEmpty {
            out.append("## Directory and plan")
            out.append("")
            out += report.findings.map(findingLine)
            out.append("")
        }
        for migration in report.migrations {
            out.append("## \(migration.version) \(escape(migration.name)) — \(verdictText(migration))")
            out.append("")
            if migration.status == .notRun {
                out.append(escape(migration.notRunReason ?? "not rehearsed"))
                out.append("")
                continue
            }
            if let skipped = migration.roundtrip.skipped { out.append("Round trip not rehearsed: \(escape(skipped)).\n") }
            if let recovery = migration.recovery { out.append("Back on production's path: \(escape(recovery.summary)).\n") }
            if let data = migration.roundtrip.data { out.append("Data round trip: \(escape(data.summary)).\n") }
            if migration.findings.isEmpty {
                out.append("No findings.")
            } else {
                out += migration.findings.map(findingLine)
            }
            out.append("")
            out += MarkdownStepDetails.render(migration, report: report)
            out.append("")
        }
        if let rollback = report.releaseRollback {
            out += releaseSection(rollback)
        }
        if let traffic = report.traffic {
            out.append("## Traffic")
            out.append("")
            out.append("\(traffic.connections) connection(s) at \(Int(traffic.ratePerSecond)) queries/s (\(traffic.queries.map { "`\(escape($0))`" }.joined(separator: ", "))); baseline over \(Format.duration(traffic.baselineSeconds * 1000)): \(traffic.baseline.queries) queries, p50 \(Format.duration(traffic.baseline.p50Ms)), p99 \(Format.duration(traffic.baseline.p99Ms)), \(traffic.baseline.errors) error(s). Lock waits are sampled \(sampling(report)); a wait's start comes from pg_locks.waitstart.")
            out.append("")
        }
        out.append("## Snapshot and server")
        out.append("")
        let snapshot = report.snapshot
        out.append("- snapshot `\(escape(snapshot.path))` (\(Format.bytes(snapshot.bytes)), sha256 `\(snapshot.sha256.prefix(16))…`)")
        if snapshot.fromCache {
            out.append("- \(snapshot.cacheNote)")
        } else if let restore = snapshot.restore {
            out.append("- restored in \(Format.duration(restore.durationMs)): \(restore.statements) statements, \(restore.rowsCopied) rows, \(Format.bytes(restore.uncompressedBytes)) of SQL\(restore.dumpedFromVersion.map { "; dumped from PostgreSQL \($0)" } ?? "")")
            if !restore.createdRoles.isEmpty {
                out.append("- roles missing on the rehearsal server, created as NOLOGIN: \(restore.createdRoles.map(escape).joined(separator: ", "))")
            }
            if !restore.skippedStatements.isEmpty {
                out.append("- \(restore.skippedStatements.count) ownership/grant statement(s) skipped: their roles do not exist on this server")
            }
        }
        out.append("- server: PostgreSQL \(escape(report.server.version)), \(report.server.embedded ? "embedded" : "external") (\(escape(report.server.name)))")
        if !report.scenario.session.isEmpty {
            out.append("- migration session settings: " + report.scenario.session.sorted { $0.key < $1.key }.map { "`\($0.key) = \($0.value)`" }.joined(separator: ", "))
        }
        out.append("- started \(report.startedAt)\(report.finishedAt.map { ", finished \($0)" } ?? ""); rehearse \(report.tool.version)")
        out.append("")
        return out.joined(separator: "\n")
    }

    /// The release rolled back and forward: what happened, then each step.
    static func releaseSection(_ rollback: ReleaseRollback) -> [String] {
        var out = ["## Release rollback", "", escape(rollback.summary) + ".", ""]
        let steps = rollback.steps + rollback.rollForward
        if !steps.isEmpty {
            out.append("| version | name | step | status | time | tracking after |")
            out.append("|---:|---|---|---|---:|---|")
            for release in steps {
                let status = release.step.status == .failed ? "**failed**" : release.step.status.rawValue
                out.append("| \(release.version) | \(escape(release.name)) | \(release.step.direction.rawValue) | \(status) | \(Format.duration(release.step.durationMs)) | \(release.step.trackingAfter?.display ?? "none") |")
            }
            out.append("")
        }
        out += rollback.differences.map { "- \(escape($0.message))" }
        out += rollback.dataDifferences.map { "- \(escape($0.message))" }
        if !rollback.differences.isEmpty || !rollback.dataDifferences.isEmpty { out.append("") }
        return out
    }

    /// A lock seen in one sample only was held for less than the sampling interval.
    /// `every 10 ms`, or `every 10 ms while locks are taken or waited for, 25 ms otherwise`.
    static func sampling(_ report: RehearsalReport) -> String {
        let every = "every \(Format.duration(report.lockSampleIntervalMs))"
        guard let quiet = report.lockSampleQuietIntervalMs, quiet > report.lockSampleIntervalMs else { return every }
        return every + " while locks are taken or waited for, \(Format.duration(quiet)) otherwise"
    }

    static func held(_ lock: ObservedLock, interval: Double) -> String {
        lock.heldMs < interval ? "< \(Format.duration(interval))" : Format.duration(lock.heldMs)
    }

    /// The longest application block during any step, or a dash without traffic.
    static func blockedText(_ migration: MigrationReport) -> String {
        let events = migration.steps.flatMap(\.blocked)
        guard migration.steps.contains(where: { $0.traffic != nil }) else { return "—" }
        guard let worst = events.map(\.waitMs).max() else { return "none" }
        return "\(events.count) (max \(Format.duration(worst)))"
    }

    static func roundtrip(_ migration: MigrationReport) -> String {
        if migration.roundtrip.skipped != nil { return "no down" }
        switch (migration.roundtrip.downRestoresSchema, migration.roundtrip.reupMatchesFirstUp) {
        case (true?, true?): return "ok"
        case (false?, _): return "**down incomplete**"
        case (_, false?): return "**re-up differs**"
        default: return "—"
        }
    }

    static func verdictText(_ migration: MigrationReport) -> String {
        migration.verdict == .fail ? "**fail**" : migration.verdict.rawValue
    }

    static func findingLine(_ finding: Finding) -> String {
        let icon = ["info": "ℹ️", "warning": "⚠️", "error": "❌"][finding.severity.rawValue] ?? ""
        var where_ = ""
        if let file = finding.file {
            where_ = " (`\(escape(lastComponent(file)))\(finding.line.map { ":\($0)" } ?? "")`)"
        }
        var line = "- \(icon) **\(finding.rule)**\(where_): \(escape(finding.message))"
        if let advice = finding.advice { line += " — *\(escape(advice))*" }
        if let accepted = finding.accepted { line += " — accepted: \(escape(accepted))" }
        return line
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Keeps names and messages from breaking tables or injecting markup.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
