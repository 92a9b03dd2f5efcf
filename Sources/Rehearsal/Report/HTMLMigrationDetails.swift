import Foundation

/// The per-migration detail of the HTML report: steps, statements, locks, rewrites, waits,
/// traffic, the round trip, and where the snapshot and server came from.
extension HTMLReport {
    static func stepsTable(_ migration: MigrationReport) -> [String] {
        var out = [
            "<h3>Steps</h3>",
            "<div class=\"scroll\"><table class=\"steps\">",
            "<thead><tr><th>step</th><th>status</th><th class=\"num\">time</th><th class=\"num\">server</th><th class=\"num\">waited for locks</th><th class=\"num\">WAL</th><th class=\"num\">size change</th><th>statements</th><th>tracking after</th></tr></thead>",
            "<tbody>",
        ]
        for step in migration.steps {
            let statements = step.statements.map { "\($0.command)\($0.line.map { " (l.\($0))" } ?? "")" }.joined(separator: ", ")
            let status = step.status.rawValue + (step.timedOut ? " (timeout)" : "") + (step.interrupted ? " (interrupted)" : "")
            let size = step.sizeChangeBytes.map { ($0 < 0 ? "-" : "+") + Format.bytes($0.magnitude) } ?? "—"
            out.append(row([
                "<td>\(esc(step.label))</td>",
                "<td class=\"status \(step.status.rawValue)\">\(esc(status))</td>",
                "<td class=\"num\">\(esc(Format.duration(step.durationMs)))</td>",
                "<td class=\"num\">\(step.serverMs.map { esc(Format.duration($0)) } ?? "—")</td>",
                "<td class=\"num\">\(step.migrationWaitMs > 0 ? esc(Format.duration(step.migrationWaitMs)) : "—")</td>",
                "<td class=\"num\">\(step.walBytes.map { esc(Format.bytes($0)) } ?? "—")</td>",
                "<td class=\"num\">\(esc(size))</td>",
                "<td>\(esc(statements.isEmpty ? (step.skipReason ?? "—") : statements))</td>",
                "<td>\(esc(step.trackingAfter?.display ?? "none"))</td>",
            ]))
        }
        out += ["</tbody>", "</table></div>"]
        let notices = migration.steps.flatMap { step in step.notices.map { (step, $0) } }
        if !notices.isEmpty {
            out.append("<p class=\"label\">Server notices (migrate prints and ignores these)</p>")
            out.append("<ul class=\"notices\">")
            for (step, notice) in notices {
                out.append("<li>\(esc(step.label)): <code>\(esc(notice.severity))</code> \(esc(notice.message))\(notice.sqlState.map { " (SQLSTATE \(esc($0)))" } ?? "")</li>")
            }
            out.append("</ul>")
        }
        return out
    }

    static func locksTable(_ migration: MigrationReport, report: RehearsalReport) -> [String] {
        let locks = migration.steps.flatMap { step in step.locks.map { (step, $0) } }
        guard !locks.isEmpty else { return [] }
        var out = [
            "<h3>Locks</h3>",
            "<div class=\"scroll\"><table class=\"locks\">",
            "<thead><tr><th>step</th><th>relation</th><th>kind</th><th>mode</th><th class=\"num\">first seen</th><th class=\"num\">last seen</th><th class=\"num\">held (sampled \(esc(MarkdownReport.sampling(report))))</th></tr></thead>",
            "<tbody>",
        ]
        for (step, lock) in locks {
            out.append(row([
                "<td>\(esc(step.label))</td>",
                "<td><code>\(esc(lock.relation))</code></td>",
                "<td>\(esc(lock.relationKind))</td>",
                "<td><span class=\"swatch\" style=\"background:\(lockColour(lock.mode))\"></span>\(esc(lock.mode))\(lock.granted ? "" : " (waited)")</td>",
                "<td class=\"num\">\(esc(Format.duration(lock.firstSeenMs)))</td>",
                "<td class=\"num\">\(esc(Format.duration(lock.lastSeenMs)))</td>",
                "<td class=\"num\">\(esc(MarkdownReport.held(lock, interval: report.lockSampleIntervalMs)))</td>",
            ]))
        }
        out += ["</tbody>", "</table></div>"]
        return out
    }

    /// What each statement of the first up and the down did, when the traced re-run
    /// attributed time, locks or rewrites to it (or says why it could not).
    static func statementsTables(_ migration: MigrationReport) -> [String] {
        var out: [String] = []
        for step in migration.steps where step.pass == 1 && !step.statements.isEmpty {
            let attributed = step.statements.contains { $0.durationMs != nil || !$0.locks.isEmpty || !$0.rewrote.isEmpty }
            guard attributed || step.traceNote != nil else { continue }
            out.append("<h3>Statements of \(esc(step.label))</h3>")
            if let note = step.traceNote { out.append("<p class=\"muted\">\(esc(note))</p>") }
            guard attributed else { continue }
            out.append("<div class=\"scroll\"><table class=\"statements\">")
            out.append("<thead><tr><th class=\"num\">line</th><th>statement</th><th class=\"num\">rows</th><th class=\"num\">time</th><th>locks taken</th><th>rewrote</th></tr></thead>")
            out.append("<tbody>")
            for statement in step.statements {
                let locks = statement.locks.map { "\($0.mode) \($0.relation)" }.joined(separator: ", ")
                let rewrote = statement.rewrote.map { "\($0.relation) (\(Format.bytes($0.bytesAfter)))" }.joined(separator: ", ")
                out.append(row([
                    "<td class=\"num\">\(statement.line.map(String.init) ?? "—")</td>",
                    "<td>\(esc(statement.command))</td>",
                    "<td class=\"num\">\(statement.rows.map(String.init) ?? "—")</td>",
                    "<td class=\"num\">\(statement.durationMs.map { esc(Format.duration($0)) } ?? "—")</td>",
                    "<td>\(locks.isEmpty ? "—" : esc(locks))</td>",
                    "<td>\(rewrote.isEmpty ? "—" : esc(rewrote))</td>",
                ]))
            }
            out += ["</tbody>", "</table></div>"]
        }
        return out
    }

    static func rewritesAndWaits(_ migration: MigrationReport) -> [String] {
        var out: [String] = []
        let rewrites = migration.steps.flatMap { step in step.rewrote.map { (step, $0) } }
        if !rewrites.isEmpty {
            out.append("<h3>Rewrites</h3>")
            out.append("<ul>")
            for (step, rewrite) in rewrites {
                out.append("<li>\(esc(step.label)) rewrote \(esc(rewrite.kind)) <code>\(esc(rewrite.relation))</code>: \(esc(Format.bytes(rewrite.bytesBefore))) → \(esc(Format.bytes(rewrite.bytesAfter)))</li>")
            }
            out.append("</ul>")
        }
        let waits = migration.steps.flatMap { step in step.migrationWaits.map { (step, $0) } }
        if !waits.isEmpty {
            out.append("<h3>The migration waited</h3>")
            out.append("<ul>")
            for (step, wait) in waits {
                let heldBy = wait.heldBy.isEmpty ? "" : "; held by \(esc(wait.heldBy.joined(separator: "; ")))"
                out.append("<li>\(esc(step.label)): \(esc(Format.duration(wait.waitMs))) for \(esc(wait.mode)) on <code>\(esc(wait.relation))</code> from \(esc(Format.duration(wait.startMs)))\(heldBy)</li>")
            }
            out.append("</ul>")
        }
        return out
    }

    /// What the application traffic saw during each step, and the queries the migration
    /// blocked longest (the rest are in report.json).
    static func trafficTables(_ migration: MigrationReport, report: RehearsalReport) -> [String] {
        guard migration.steps.contains(where: { $0.traffic != nil }) else { return [] }
        var out = [
            "<h3>Traffic\(report.traffic.map { " <span class=\"muted\">(baseline p99 \(esc(Format.duration($0.baseline.p99Ms))))</span>" } ?? "")</h3>",
            "<div class=\"scroll\"><table class=\"traffic\">",
            "<thead><tr><th>step</th><th class=\"num\">queries</th><th class=\"num\">errors</th><th class=\"num\">blocked</th><th class=\"num\">longest block</th><th class=\"num\">total blocked</th><th class=\"num\">p50</th><th class=\"num\">p99</th><th class=\"num\">max</th></tr></thead>",
            "<tbody>",
        ]
        // The soak after a first up (deployed code on the new schema) gets a row of its own.
        let periods: [(label: String, traffic: StepTraffic?)] = migration.steps.flatMap { step -> [(label: String, traffic: StepTraffic?)] in
            [(step.label, step.traffic), ("after \(step.label) (soak)", step.trafficAfter)]
        }
        for (label, period) in periods {
            guard let traffic = period else { continue }
            out.append(row([
                "<td>\(esc(label))</td>",
                "<td class=\"num\">\(traffic.queries)</td>",
                "<td class=\"num\">\(traffic.errors)</td>",
                "<td class=\"num\">\(traffic.blockedQueries)</td>",
                "<td class=\"num\">\(esc(Format.duration(traffic.maxBlockedMs)))</td>",
                "<td class=\"num\">\(esc(Format.duration(traffic.totalBlockedMs)))</td>",
                "<td class=\"num\">\(esc(Format.duration(traffic.p50Ms)))</td>",
                "<td class=\"num\">\(esc(Format.duration(traffic.p99Ms)))</td>",
                "<td class=\"num\">\(esc(Format.duration(traffic.maxMs)))</td>",
            ]))
        }
        out += ["</tbody>", "</table></div>"]
        let blocked = migration.feltBlocks
        if !blocked.isEmpty {
            out.append("<div class=\"scroll\"><table class=\"blocked\">")
            out.append("<thead><tr><th>step</th><th>blocked query</th><th>relation</th><th>waited for</th><th class=\"num\">from</th><th class=\"num\">waited</th><th>how</th></tr></thead>")
            out.append("<tbody>")
            for (step, event) in blocked.prefix(10) {
                out.append(row([
                    "<td>\(esc(step.label))</td>",
                    "<td><code>\(esc(event.query))</code></td>",
                    "<td><code>\(esc(event.relation))</code></td>",
                    "<td>\(esc(event.mode))</td>",
                    "<td class=\"num\">\(esc(Format.duration(event.startMs)))</td>",
                    "<td class=\"num\">\(esc(Format.duration(event.waitMs)))</td>",
                    "<td>\(esc(event.direct ? "by the migration's lock" : "queued behind the migration"))</td>",
                ]))
            }
            out += ["</tbody>", "</table></div>"]
            if blocked.count > 10 { out.append("<p class=\"muted\">…and \(blocked.count - 10) more in report.json</p>") }
        }
        let failing = periods.flatMap { label, traffic in (traffic?.perQuery ?? []).filter { $0.errors > 0 }.map { (label, $0) } }
        if !failing.isEmpty {
            out.append("<ul>")
            for (label, query) in failing {
                out.append("<li>\(esc(label)): <code>\(esc(query.name))</code> failed \(query.errors)× — \(esc(query.firstError ?? ""))</li>")
            }
            out.append("</ul>")
        }
        return out
    }

    /// The longest application block during any step, or a dash without traffic.
    static func blockedCell(_ migration: MigrationReport) -> String {
        guard migration.steps.contains(where: { $0.traffic != nil }) else { return "—" }
        let events = migration.steps.flatMap(\.blocked)
        guard let worst = events.map(\.waitMs).max() else { return "none" }
        return esc("\(events.count) (max \(Format.duration(worst)))")
    }

    static func roundtripSection(_ migration: MigrationReport) -> [String] {
        let roundtrip = migration.roundtrip
        func check(_ value: Bool?) -> String {
            switch value {
            case true?: return "<span class=\"good\">yes</span>"
            case false?: return "<strong class=\"bad\">no</strong>"
            case nil: return "<span class=\"muted\">not checked</span>"
            }
        }
        var out = [
            "<h3>Round-trip</h3>",
            roundtrip.skipped.map { "<p class=\"muted\">Round trip not rehearsed: \(esc($0)).</p>" }
                ?? "<p>Down restores the schema: \(check(roundtrip.downRestoresSchema)); second up matches the first: \(check(roundtrip.reupMatchesFirstUp)).</p>",
        ]
        if let recovery = migration.recovery {
            out.append("<p class=\"recovery\">Back on production's path: \(esc(recovery.summary)).</p>")
        }
        if let data = roundtrip.data {
            out.append("<p>Data round trip: \(esc(data.summary)).</p>")
            if !data.losses.isEmpty {
                out.append("<ul class=\"losses\">" + data.losses.map { "<li>\(esc($0.message))</li>" }.joined() + "</ul>")
            }
        }
        guard !roundtrip.differences.isEmpty else { return out }
        out.append("<div class=\"differences\">")
        for difference in roundtrip.differences {
            let afterDown = difference.comparison == .down
            let labels = afterDown ? ("before up (expected)", "after down (actual)") : ("after the first up (expected)", "after the second up (actual)")
            let headline = difference.message.isEmpty ? "\(difference.kind) \(difference.name)" : difference.message
            out.append("<div class=\"difference\">")
            out.append("<p><span class=\"change \(difference.change.rawValue)\">\(difference.change.rawValue)</span> <code>\(esc(difference.kind)) \(esc(difference.name))</code> — \(esc(headline))</p>")
            if difference.change == .changed, let expected = difference.expected, let actual = difference.actual,
                expected.contains("\n") || actual.contains("\n"), let lines = DefinitionDiff.lines(expected, actual)
            {
                // A multi-line definition (a function's) as a diff: − is \(labels.0), + \(labels.1).
                if DefinitionDiff.onlyCommentsOrWhitespace(expected, actual) {
                    out.append("<p class=\"muted\">The two definitions differ only in comments or whitespace.</p>")
                }
                out.append("<p class=\"label\">− \(labels.0), + \(labels.1)</p>")
                out.append("<pre class=\"diff\">" + lines.map { line -> String in
                    switch line {
                    case .same(let text): return "  " + esc(text)
                    case .removed(let text): return "<del>− \(esc(text))</del>"
                    case .added(let text): return "<ins>+ \(esc(text))</ins>"
                    }
                }.joined(separator: "\n") + "</pre>")
            } else {
                out.append("<div class=\"definitions\">")
                out.append("<div><p class=\"label\">\(labels.0)</p>\(definition(difference.expected))</div>")
                out.append("<div><p class=\"label\">\(labels.1)</p>\(definition(difference.actual))</div>")
                out.append("</div>")
            }
            out.append("</div>")
        }
        out.append("</div>")
        return out
    }

    static func definition(_ text: String?) -> String {
        guard let text else { return "<pre class=\"absent\">(absent)</pre>" }
        return "<pre>\(esc(text))</pre>"
    }

    static func releaseSection(_ report: RehearsalReport) -> [String] {
        guard let rollback = report.releaseRollback else { return [] }
        var out = ["<section id=\"release-rollback\">", "<h2>Release rollback</h2>", "<p>\(esc(rollback.summary)).</p>"]
        let steps = rollback.steps + rollback.rollForward
        if !steps.isEmpty {
            out.append("<div class=\"scroll\"><table class=\"release\">")
            out.append("<thead><tr><th class=\"num\">version</th><th>name</th><th>step</th><th>status</th><th class=\"num\">time</th><th>tracking after</th></tr></thead><tbody>")
            for release in steps {
                let status = release.step.status == .failed ? "<strong class=\"bad\">failed</strong>" : esc(release.step.status.rawValue)
                out.append(row([
                    "<td class=\"num\">\(release.version)</td>", "<td>\(esc(release.name))</td>", "<td>\(esc(release.step.direction.rawValue))</td>",
                    "<td>\(status)</td>", "<td class=\"num\">\(esc(Format.duration(release.step.durationMs)))</td>",
                    "<td>\(esc(release.step.trackingAfter?.display ?? "none"))</td>",
                ]))
            }
            out.append("</tbody></table></div>")
        }
        let differences = rollback.differences.map(\.message) + rollback.dataDifferences.map(\.message)
        if !differences.isEmpty {
            out.append("<ul class=\"losses\">" + differences.map { "<li>\(esc($0))</li>" }.joined() + "</ul>")
        }
        out.append("</section>")
        return out
    }

    static func trafficOverview(_ report: RehearsalReport) -> [String] {
        guard let traffic = report.traffic else { return [] }
        let queries = traffic.queries.map { "<code>\(esc($0))</code>" }.joined(separator: ", ")
        let baseline = traffic.baseline
        return [
            "<section id=\"traffic\">",
            "<h2>Traffic</h2>",
            "<p>\(traffic.connections) connection(s) at \(Int(traffic.ratePerSecond)) queries/s (\(queries)); baseline over \(esc(Format.duration(traffic.baselineSeconds * 1000))): \(baseline.queries) queries, p50 \(esc(Format.duration(baseline.p50Ms))), p99 \(esc(Format.duration(baseline.p99Ms))), \(baseline.errors) error(s). Lock waits are sampled \(esc(MarkdownReport.sampling(report))); a wait&#39;s start comes from pg_locks.waitstart.</p>",
            "</section>",
        ]
    }

    static func provenance(_ report: RehearsalReport) -> [String] {
        var out = ["<section id=\"provenance\">", "<h2>Snapshot and server</h2>", "<ul>"]
        let snapshot = report.snapshot
        out.append("<li>snapshot <code>\(esc(snapshot.path))</code> (\(esc(Format.bytes(snapshot.bytes)))), sha256 <code class=\"hash\">\(esc(snapshot.sha256))</code></li>")
        if snapshot.fromCache {
            out.append("<li>\(esc(snapshot.cacheNote))</li>")
        } else if let restore = snapshot.restore {
            let dumped = restore.dumpedFromVersion.map { "; dumped from PostgreSQL \(esc($0))" } ?? ""
            let pgDump = restore.pgDumpVersion.map { " by pg_dump \(esc($0))" } ?? ""
            out.append("<li>restored in \(esc(Format.duration(restore.durationMs))): \(restore.statements) statements, \(restore.rowsCopied) rows, \(esc(Format.bytes(restore.uncompressedBytes))) of SQL\(dumped)\(pgDump)</li>")
            if let note = restore.trustNote { out.append("<li>\(esc(note))</li>") }
            if !restore.createdRoles.isEmpty {
                out.append("<li>roles missing on the rehearsal server, created as NOLOGIN: \(restore.createdRoles.map { "<code>\(esc($0))</code>" }.joined(separator: ", "))</li>")
            }
            if !restore.skippedStatements.isEmpty {
                out.append("<li>\(restore.skippedStatements.count) ownership/grant statement(s) skipped: their roles do not exist on this server</li>")
            }
        } else {
            out.append("<li>restored in \(esc(Format.duration(snapshot.restoreMs)))</li>")
        }
        out.append("<li>server: PostgreSQL \(esc(report.server.version)), \(report.server.embedded ? "embedded" : "external") (\(esc(report.server.name)))</li>")
        let scenario = report.scenario
        out.append("<li>scenario <code>\(esc(scenario.file))</code>, migrations <code>\(esc(scenario.migrations))</code>, tracking table <code>\(esc(scenario.trackingTable))</code>\(scenario.trackingTableFound == true ? " (found in the snapshot)" : ""), mode <code>\(esc(scenario.mode.rawValue))</code></li>")
        var budgets = "budgets: a step may take \(esc(Format.duration(scenario.budgets.stepDuration * 1000))); a down more than \(esc(formatNumber(scenario.budgets.downSlowerFactor)))× slower than its up is reported"
        if let timeout = scenario.stepTimeoutSeconds { budgets += "; steps are cancelled after \(esc(Format.duration(timeout * 1000)))" }
        out.append("<li>\(budgets)</li>")
        if !scenario.session.isEmpty {
            let settings = scenario.session.sorted { $0.key < $1.key }.map { "<code>\(esc($0.key)) = \(esc($0.value))</code>" }
            out.append("<li>migration session settings: \(settings.joined(separator: ", "))</li>")
        }
        out.append("<li>locks sampled \(esc(MarkdownReport.sampling(report)))</li>")
        out.append("<li>started \(esc(report.startedAt))\(report.finishedAt.map { ", finished \(esc($0))" } ?? ""); \(esc(report.tool.name)) \(esc(report.tool.version)), report schema \(report.schemaVersion)</li>")
        out += ["</ul>", "</section>"]
        return out
    }

}
