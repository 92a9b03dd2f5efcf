import Foundation

/// Renders the report as Markdown for a person and a pull-request comment: the verdict, one
/// summary table, then only the warnings and errors (and accepted risks, with their reason),
/// grouped by migration; other notes counted, not listed; each rule's advice once, with a link to its page. Statements, locks and traffic
/// follow in collapsed sections while the whole stays within `budget` characters (GitHub
/// takes at most 65,536 in a comment); what does not fit is in report.html and report.json.
public enum MarkdownReport {
    /// Characters the report may take: under GitHub's 65,536 for a comment, with room for the
    /// text a CI step puts around it.
    public static let defaultBudget = 60_000

    /// Where rule pages are linked: `REHEARSE_RULES_URL` when set (e.g. your copy of
    /// rehearse's `docs/rules/` on your Git host), else the repository-relative path.
    static func ruleLink(_ rule: Rule, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["REHEARSE_RULES_URL"].flatMap { $0.isEmpty ? nil : ($0.hasSuffix("/") ? $0 : $0 + "/") } ?? "docs/rules/"
        return base + rule.rawValue + ".md"
    }

    public static func render(_ report: RehearsalReport, budget: Int = defaultBudget) -> String {
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
                let lockText = StrongestLock(migration).map { escape($0.text(sampleIntervalMs: report.lockSampleIntervalMs)) } ?? "—"
                out.append("| \(migration.version) | \(escape(migration.name)) | \(duration(.up, 1)) | \(duration(.down, 1)) | \(duration(.up, 2)) | \(lockText) | \(blockedText(migration)) | \(roundtrip(migration)) | \(verdictText(migration)) |")
            }
            out.append("")
        }
        var rest: [String] = []
        if let rollback = report.releaseRollback {
            rest += releaseSection(rollback)
        }
        rest += adviceSection(report)
        if let traffic = report.traffic {
            rest.append("## Traffic")
            rest.append("")
            rest.append("\(traffic.connections) connection(s) at \(Int(traffic.ratePerSecond)) queries/s (\(traffic.queries.map { "`\(escape($0))`" }.joined(separator: ", "))); baseline over \(Format.duration(traffic.baselineSeconds * 1000)): \(traffic.baseline.queries) queries, p50 \(Format.duration(traffic.baseline.p50Ms)), p99 \(Format.duration(traffic.baseline.p99Ms)), \(traffic.baseline.errors) error(s). Lock waits are sampled \(sampling(report)); a wait's start comes from pg_locks.waitstart.")
            rest.append("")
        }
        rest += snapshotSection(report)
        // The warnings and errors get what the rest leaves, shortened only when they must be.
        let fixed = (out + rest).joined(separator: "\n").count
        out += problems(report, room: budget - fixed)
        out += rest
        out += details(report, room: budget - out.joined(separator: "\n").count)
        return out.joined(separator: "\n")
    }

    /// How much of each migration's problems `problems` lists, fullest first: at most `limit`
    /// findings each, messages cut at `characters` (nil: whole).
    static let listings: [(limit: Int, characters: Int?)] = [(12, nil), (12, 240), (8, 180), (5, 140), (3, 120), (1, 100)]

    /// The warnings and errors, grouped by migration, worst first, in the fullest listing that
    /// fits in `room` characters; notes only counted.
    static func problems(_ report: RehearsalReport, room: Int) -> [String] {
        var lines: [String] = []
        for listing in listings {
            lines = problems(report, limit: listing.limit, characters: listing.characters)
            if lines.joined(separator: "\n").count <= room { return lines }
        }
        return lines
    }

    /// The warnings and errors, grouped by migration, worst first; notes only counted. Past
    /// `limit` findings in one migration, the rest are counted; messages longer than
    /// `characters` are cut (report.html has them whole).
    static func problems(_ report: RehearsalReport, limit: Int, characters: Int?) -> [String] {
        var out: [String] = []
        // Accepted risks are listed with their reason: a reviewer should see what was accepted.
        func list(_ findings: [Finding]) -> [String] {
            let shown = findings.filter { $0.severity != .info || $0.accepted != nil }
            var lines = shown.prefix(limit).map { findingLine($0, characters: characters) }
            if shown.count > limit { lines.append("- … and \(shown.count - limit) more warning(s) and error(s): see report.html") }
            return lines
        }
        let run = report.findings.filter { ($0.severity != .info || $0.accepted != nil) && $0.rule.category != .release }
        if !run.isEmpty {
            out += ["### Directory and plan", ""] + list(run) + [""]
        }
        for migration in report.migrations where migration.status != .notRun {
            let shown = list(migration.findings)
            var lines: [String] = []
            if let recovery = migration.recovery { lines.append("Back on production's path: \(escape(recovery.summary)).") }
            if let skipped = migration.roundtrip.skipped { lines.append("Round trip not rehearsed: \(escape(skipped)).") }
            guard !shown.isEmpty || !lines.isEmpty else { continue }
            out += ["### \(migration.version) \(escape(migration.name)) — \(verdictText(migration))", ""] + lines + (lines.isEmpty ? [] : [""]) + shown + [""]
        }
        // Migrations not rehearsed, one line per reason.
        var reasons: [(String, [UInt64])] = []
        for migration in report.migrations where migration.status == .notRun {
            let reason = migration.notRunReason ?? "not rehearsed"
            if let index = reasons.firstIndex(where: { $0.0 == reason }) { reasons[index].1.append(migration.version) } else { reasons.append((reason, [migration.version])) }
        }
        for (reason, versions) in reasons {
            out += ["- not rehearsed (\(versions.count == 1 ? "migration \(versions[0])" : "\(versions.count) migrations, \(versions.first!)–\(versions.last!)")): \(escape(reason))", ""]
        }
        let all = report.findings + report.migrations.flatMap(\.findings)
        let notes = all.filter { $0.severity == .info && $0.accepted == nil }.count
        if notes > 0 { out += ["\(notes) note(s) (info) are in report.html and report.json.", ""] }
        if characters != nil || limit < listings[0].limit {
            out.insert(contentsOf: ["Shortened to fit a pull-request comment: report.html and report.json have every finding in full.", ""], at: 0)
        }
        return out.isEmpty ? out : ["## Warnings and errors", ""] + out
    }

    /// Each rule that fired, once: its advice (the first finding's) and a link to its page.
    static func adviceSection(_ report: RehearsalReport) -> [String] {
        var seen: [Rule] = []
        var out: [String] = []
        for finding in (report.findings + report.migrations.flatMap(\.findings)).filter({ $0.severity != .info }) where !seen.contains(finding.rule) {
            seen.append(finding.rule)
            out.append("- [`\(finding.rule)`](\(ruleLink(finding.rule))): \(escape(finding.advice ?? finding.rule.summary))")
        }
        return out.isEmpty ? [] : ["## What to do", ""] + out + [""]
    }

    static func snapshotSection(_ report: RehearsalReport) -> [String] {
        var out = ["## Snapshot and server", ""]
        let snapshot = report.snapshot
        out.append("- snapshot `\(escape(snapshot.path))` (\(snapshot.format.map { $0.label + ", " } ?? "")\(Format.bytes(snapshot.bytes)), sha256 `\(snapshot.sha256.prefix(16))…`)")
        if snapshot.fromCache {
            out.append("- \(snapshot.cacheNote)")
        } else if let restore = snapshot.restore {
            out.append("- restored in \(Format.duration(restore.durationMs)): \(restore.statements) statements, \(restore.rowsCopied) rows, \(Format.bytes(restore.uncompressedBytes)) of SQL\(restore.dumpedFromVersion.map { "; dumped from PostgreSQL \($0)" } ?? "")")
            if let note = restore.trustNote { out.append("- " + note) }
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
        return out
    }

    /// Each rehearsed migration's steps, statements, locks and traffic, collapsed, while they
    /// fit in `room` characters; the rest are named.
    static func details(_ report: RehearsalReport, room: Int) -> [String] {
        var out = ["## Details", ""]
        var left = room - 200
        var omitted: [UInt64] = []
        for migration in report.migrations where migration.status != .notRun {
            var section = MarkdownStepDetails.render(migration, report: report) + [""]
            if let data = migration.roundtrip.data { section.insert(contentsOf: ["", "Data round trip: \(escape(data.summary)).", ""], at: 2) }
            let size = section.joined(separator: "\n").count + 1
            if size > left || !omitted.isEmpty {
                omitted.append(migration.version)
                continue
            }
            left -= size
            out += section
        }
        if !omitted.isEmpty {
            out += ["The details of \(omitted.count) more migration(s) (\(omitted.map(String.init).joined(separator: ", "))) are in report.html and report.json, to keep this report within \(defaultBudget / 1000)k characters.", ""]
        }
        return out.count > 2 ? out : []
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
        held(lock.heldMs, interval: interval)
    }

    static func held(_ milliseconds: Double, interval: Double) -> String {
        milliseconds < interval ? "< \(Format.duration(interval))" : Format.duration(milliseconds)
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

    /// One finding: severity, rule, where, what. Its advice is said once per rule, under
    /// "What to do".
    static func findingLine(_ finding: Finding, characters: Int? = nil) -> String {
        let icon = ["info": "ℹ️", "warning": "⚠️", "error": "❌"][finding.severity.rawValue] ?? ""
        var where_ = ""
        if let file = finding.file {
            where_ = " (`\(escape(characters == nil ? file : lastComponent(file)))\(finding.line.map { ":\($0)" } ?? "")`)"
        }
        var message = finding.message
        if let characters, message.count > characters { message = String(message.prefix(characters - 1)) + "…" }
        var line = "- \(icon) **\(finding.rule)**\(where_): \(escape(message))"
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
