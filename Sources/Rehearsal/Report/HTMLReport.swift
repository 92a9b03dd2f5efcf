import Foundation

/// Renders the report as one self-contained HTML5 page for a release manager: the verdict
/// first, a table of migrations, then per migration its findings, error, a timeline of its
/// steps and locks (inline SVG), its steps, statements, locks, waits, traffic and round-trip
/// differences, then the traffic baseline and where the snapshot came from. The same content
/// as the Markdown report. No scripts and no external resources, so the file can be attached
/// to a CI run, mailed or printed as it is; the same report always renders to the same bytes.
public enum HTMLReport {
    public static func render(_ report: RehearsalReport) -> String {
        var out: [String] = []
        out.append("<!DOCTYPE html>")
        out.append("<html lang=\"en\">")
        out.append("<head>")
        out.append("<meta charset=\"utf-8\">")
        out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        out.append("<meta name=\"generator\" content=\"\(attr(report.tool.name)) \(attr(report.tool.version))\">")
        out.append("<title>\(badge(report.verdict)) — Migration rehearsal: \(esc(report.scenario.name))</title>")
        out.append("<style>")
        out.append(stylesheet)
        out.append("</style>")
        out.append("</head>")
        out.append("<body>")
        out += banner(report)
        out.append("<main>")
        out += overview(report)
        out += migrationsTable(report)
        if !report.findings.isEmpty {
            out.append("<section id=\"plan\">")
            out.append("<h2>Directory and plan</h2>")
            out += findingsList(report.findings)
            out.append("</section>")
        }
        for migration in report.migrations {
            out += section(migration, report: report)
        }
        out += trafficOverview(report)
        out += provenance(report)
        out.append("</main>")
        out.append("</body>")
        out.append("</html>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Page parts

    static func badge(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: return "GO"
        case .warn: return "GO WITH CARE"
        case .fail: return "NO-GO"
        }
    }

    static func banner(_ report: RehearsalReport) -> [String] {
        var out = [
            "<header class=\"banner \(report.verdict.rawValue)\">",
            "<p class=\"badge\">\(badge(report.verdict))</p>",
            "<div class=\"headline\">",
            "<h1>Migration rehearsal: \(esc(report.scenario.name))</h1>",
            "<p class=\"reason\">\(esc(report.verdictReason))</p>",
        ]
        if report.interrupted {
            out.append("<p class=\"interrupted\">This rehearsal was interrupted; the results below are partial.</p>")
        }
        out += ["</div>", "</header>"]
        return out
    }

    static func overview(_ report: RehearsalReport) -> [String] {
        let start = report.startVersion.map(String.init) ?? "none"
        let end = report.endState?.display ?? "none"
        return [
            "<p class=\"overview\">Snapshot at version <strong>\(esc(start))</strong>, \(report.migrations.count) pending migration(s), mode <code>\(esc(report.scenario.mode.rawValue))</code>; tracking table <code>\(esc(report.scenario.trackingTable))</code> ends at <strong>\(esc(end))</strong>.</p>",
        ]
    }

    static func migrationsTable(_ report: RehearsalReport) -> [String] {
        guard !report.migrations.isEmpty else { return [] }
        var out = [
            "<section id=\"migrations\">",
            "<h2>Migrations</h2>",
            "<table class=\"migrations\">",
            "<thead><tr><th class=\"num\">version</th><th>name</th><th class=\"num\">up</th><th class=\"num\">down</th><th class=\"num\">re-up</th><th>strongest lock (held)</th><th class=\"num\">traffic blocked</th><th>round-trip</th><th>verdict</th></tr></thead>",
            "<tbody>",
        ]
        for migration in report.migrations {
            let lock = migration.steps.first { $0.direction == .up && $0.pass == 1 }?.locks
                .filter { $0.granted }.max { $0.strengthRank < $1.strengthRank }
            let lockCell = lock.map {
                "\(esc($0.mode)) on \(esc($0.relation)) (\(esc(MarkdownReport.held($0, interval: report.lockSampleIntervalMs))))"
            } ?? "—"
            out.append(row([
                "<td class=\"num\">\(migration.version)</td>",
                "<td><a href=\"#\(anchor(migration))\">\(esc(migration.name))</a></td>",
                "<td class=\"num\">\(durationCell(migration, .up, 1))</td>",
                "<td class=\"num\">\(durationCell(migration, .down, 1))</td>",
                "<td class=\"num\">\(durationCell(migration, .up, 2))</td>",
                "<td>\(lockCell)</td>",
                "<td class=\"num\">\(blockedCell(migration))</td>",
                "<td>\(roundtripCell(migration))</td>",
                "<td>\(verdictPill(migration))</td>",
            ]))
        }
        out += ["</tbody>", "</table>", "</section>"]
        return out
    }

    static func durationCell(_ migration: MigrationReport, _ direction: MigrationDirection, _ pass: Int) -> String {
        guard let step = migration.steps.first(where: { $0.direction == direction && $0.pass == pass }) else { return "—" }
        switch step.status {
        case .ok: return esc(Format.duration(step.durationMs))
        case .skipped: return "<span class=\"muted\">skipped</span>"
        case .failed: return "<strong class=\"bad\">\(step.interrupted ? "interrupted" : "failed")</strong>"
        }
    }

    static func roundtripCell(_ migration: MigrationReport) -> String {
        let text = MarkdownReport.roundtrip(migration)
        if text.hasPrefix("**") {
            return "<strong class=\"bad\">\(esc(text.trimmingCharacters(in: CharacterSet(charactersIn: "*"))))</strong>"
        }
        return esc(text)
    }

    static func verdictPill(_ migration: MigrationReport) -> String {
        if migration.status == .notRun { return "<span class=\"pill not-run\">not run</span>" }
        return "<span class=\"pill \(migration.verdict.rawValue)\">\(migration.verdict.rawValue)</span>"
    }

    static func anchor(_ migration: MigrationReport) -> String {
        "migration-\(migration.version)"
    }

    static func findingsList(_ findings: [Finding]) -> [String] {
        var out = ["<ul class=\"findings\">"]
        for finding in findings {
            var item = "<li class=\"finding \(finding.severity.rawValue)\"><span class=\"severity\">\(finding.severity.rawValue)</span> <code class=\"rule\">\(esc(finding.rule))</code>"
            if let file = finding.file {
                item += " <span class=\"where\" title=\"\(attr(file))\">\(esc(MarkdownReport.lastComponent(file)))\(finding.line.map { ":\($0)" } ?? "")</span>"
            }
            item += "<div class=\"message\">\(esc(finding.message))</div>"
            if let advice = finding.advice {
                item += "<div class=\"advice\">\(esc(advice))</div>"
            }
            out.append(item + "</li>")
        }
        out.append("</ul>")
        return out
    }

    static func section(_ migration: MigrationReport, report: RehearsalReport) -> [String] {
        var out = ["<section class=\"migration\" id=\"\(anchor(migration))\">"]
        out.append("<h2><span class=\"version\">\(migration.version)</span> \(esc(migration.name)) \(verdictPill(migration))</h2>")
        var files: [String] = []
        if let up = migration.upFile { files.append("up <code>\(esc(up))</code>") }
        if let down = migration.downFile { files.append("down <code>\(esc(down))</code>") }
        if !files.isEmpty { out.append("<p class=\"files\">\(files.joined(separator: " · "))</p>") }
        if migration.status == .notRun {
            out.append("<p class=\"muted\">\(esc(notRunReason(report)))</p>")
            out.append("</section>")
            return out
        }

        out.append("<h3>Findings</h3>")
        if migration.findings.isEmpty {
            out.append("<p class=\"muted\">No findings.</p>")
        } else {
            out += findingsList(migration.findings)
        }

        for step in migration.steps {
            guard let error = step.error else { continue }
            out.append("<h3>Error in \(esc(FindingRules.stepLabel(step)))</h3>")
            var text = error.description
            if let context = error.context, !context.isEmpty { text += "\nContext: \(context)" }
            out.append("<pre class=\"error\">\(esc(text))</pre>")
        }

        if !migration.steps.isEmpty {
            out.append("<h3>Timeline</h3>")
            out += timeline(migration, report: report)
            out += stepsTable(migration)
            out += statementsTables(migration)
            out += locksTable(migration, report: report)
            out += rewritesAndWaits(migration)
            out += trafficTables(migration, report: report)
        }
        out += roundtripSection(migration)
        out.append("</section>")
        return out
    }

    /// The runner marks a migration not-run after a failed one, and after an interrupt (which
    /// fails the step in flight with `interrupted` set).
    static func notRunReason(_ report: RehearsalReport) -> String {
        let failedSteps = report.migrations.filter { $0.status == .failed }.flatMap { $0.steps.filter { $0.status == .failed } }
        if report.interrupted && failedSteps.allSatisfy(\.interrupted) {
            return "Not run: the rehearsal was interrupted before this migration."
        }
        return "Not run: an earlier migration failed, so migrate would have stopped before this one."
    }

    static func stepsTable(_ migration: MigrationReport) -> [String] {
        var out = [
            "<h3>Steps</h3>",
            "<table class=\"steps\">",
            "<thead><tr><th>step</th><th>status</th><th class=\"num\">time</th><th class=\"num\">server</th><th class=\"num\">waited for locks</th><th class=\"num\">WAL</th><th class=\"num\">size change</th><th>statements</th><th>tracking after</th></tr></thead>",
            "<tbody>",
        ]
        for step in migration.steps {
            let statements = step.statements.map { "\($0.command)\($0.line.map { " (l.\($0))" } ?? "")" }.joined(separator: ", ")
            let status = step.status.rawValue + (step.timedOut ? " (timeout)" : "") + (step.interrupted ? " (interrupted)" : "")
            let size = step.sizeChangeBytes.map { ($0 < 0 ? "-" : "+") + Format.bytes($0.magnitude) } ?? "—"
            out.append(row([
                "<td>\(esc(FindingRules.stepLabel(step)))</td>",
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
        out += ["</tbody>", "</table>"]
        let notices = migration.steps.flatMap { step in step.notices.map { (step, $0) } }
        if !notices.isEmpty {
            out.append("<p class=\"label\">Server notices (migrate prints and ignores these)</p>")
            out.append("<ul class=\"notices\">")
            for (step, notice) in notices {
                out.append("<li>\(esc(FindingRules.stepLabel(step))): <code>\(esc(notice.severity))</code> \(esc(notice.message))\(notice.sqlState.map { " (SQLSTATE \(esc($0)))" } ?? "")</li>")
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
            "<table class=\"locks\">",
            "<thead><tr><th>step</th><th>relation</th><th>kind</th><th>mode</th><th class=\"num\">first seen</th><th class=\"num\">last seen</th><th class=\"num\">held (sampled \(esc(MarkdownReport.sampling(report))))</th></tr></thead>",
            "<tbody>",
        ]
        for (step, lock) in locks {
            out.append(row([
                "<td>\(esc(FindingRules.stepLabel(step)))</td>",
                "<td><code>\(esc(lock.relation))</code></td>",
                "<td>\(esc(lock.relationKind))</td>",
                "<td><span class=\"swatch\" style=\"background:\(lockColour(lock.mode))\"></span>\(esc(lock.mode))\(lock.granted ? "" : " (waited)")</td>",
                "<td class=\"num\">\(esc(Format.duration(lock.firstSeenMs)))</td>",
                "<td class=\"num\">\(esc(Format.duration(lock.lastSeenMs)))</td>",
                "<td class=\"num\">\(esc(MarkdownReport.held(lock, interval: report.lockSampleIntervalMs)))</td>",
            ]))
        }
        out += ["</tbody>", "</table>"]
        return out
    }

    /// What each statement of the first up and the down did, when the traced re-run
    /// attributed time, locks or rewrites to it (or says why it could not).
    static func statementsTables(_ migration: MigrationReport) -> [String] {
        var out: [String] = []
        for step in migration.steps where step.pass == 1 && !step.statements.isEmpty {
            let attributed = step.statements.contains { $0.durationMs != nil || !$0.locks.isEmpty || !$0.rewrote.isEmpty }
            guard attributed || step.traceNote != nil else { continue }
            out.append("<h3>Statements of \(esc(FindingRules.stepLabel(step)))</h3>")
            if let note = step.traceNote { out.append("<p class=\"muted\">\(esc(note))</p>") }
            guard attributed else { continue }
            out.append("<table class=\"statements\">")
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
            out += ["</tbody>", "</table>"]
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
                out.append("<li>\(esc(FindingRules.stepLabel(step))) rewrote \(esc(rewrite.kind)) <code>\(esc(rewrite.relation))</code>: \(esc(Format.bytes(rewrite.bytesBefore))) → \(esc(Format.bytes(rewrite.bytesAfter)))</li>")
            }
            out.append("</ul>")
        }
        let waits = migration.steps.flatMap { step in step.migrationWaits.map { (step, $0) } }
        if !waits.isEmpty {
            out.append("<h3>The migration waited</h3>")
            out.append("<ul>")
            for (step, wait) in waits {
                let heldBy = wait.heldBy.isEmpty ? "" : "; held by \(esc(wait.heldBy.joined(separator: "; ")))"
                out.append("<li>\(esc(FindingRules.stepLabel(step))): \(esc(Format.duration(wait.waitMs))) for \(esc(wait.mode)) on <code>\(esc(wait.relation))</code> from \(esc(Format.duration(wait.startMs)))\(heldBy)</li>")
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
            "<table class=\"traffic\">",
            "<thead><tr><th>step</th><th class=\"num\">queries</th><th class=\"num\">errors</th><th class=\"num\">blocked</th><th class=\"num\">longest block</th><th class=\"num\">total blocked</th><th class=\"num\">p50</th><th class=\"num\">p99</th><th class=\"num\">max</th></tr></thead>",
            "<tbody>",
        ]
        // The soak after a first up (deployed code on the new schema) gets a row of its own.
        let periods: [(label: String, traffic: StepTraffic?)] = migration.steps.flatMap { step -> [(label: String, traffic: StepTraffic?)] in
            [(FindingRules.stepLabel(step), step.traffic), ("after \(FindingRules.stepLabel(step)) (soak)", step.trafficAfter)]
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
        out += ["</tbody>", "</table>"]
        let blocked = migration.feltBlocks
        if !blocked.isEmpty {
            out.append("<table class=\"blocked\">")
            out.append("<thead><tr><th>step</th><th>blocked query</th><th>relation</th><th>waited for</th><th class=\"num\">from</th><th class=\"num\">waited</th><th>how</th></tr></thead>")
            out.append("<tbody>")
            for (step, event) in blocked.prefix(10) {
                out.append(row([
                    "<td>\(esc(FindingRules.stepLabel(step)))</td>",
                    "<td><code>\(esc(event.query))</code></td>",
                    "<td><code>\(esc(event.relation))</code></td>",
                    "<td>\(esc(event.mode))</td>",
                    "<td class=\"num\">\(esc(Format.duration(event.startMs)))</td>",
                    "<td class=\"num\">\(esc(Format.duration(event.waitMs)))</td>",
                    "<td>\(esc(event.direct ? "by the migration's lock" : "queued behind the migration"))</td>",
                ]))
            }
            out += ["</tbody>", "</table>"]
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
            "<p>Down restores the schema: \(check(roundtrip.downRestoresSchema)); second up matches the first: \(check(roundtrip.reupMatchesFirstUp)).</p>",
        ]
        guard !roundtrip.differences.isEmpty else { return out }
        out.append("<div class=\"differences\">")
        for difference in roundtrip.differences {
            // The model does not say which comparison a difference came from; its message does.
            let afterDown = difference.message.contains("after down")
            let labels = afterDown ? ("before up (expected)", "after down (actual)") : ("after the first up (expected)", "after the second up (actual)")
            let headline = difference.message.isEmpty ? "\(difference.kind) \(difference.name)" : difference.message
            out.append("<div class=\"difference\">")
            out.append("<p><span class=\"change \(difference.change.rawValue)\">\(difference.change.rawValue)</span> <code>\(esc(difference.kind)) \(esc(difference.name))</code> — \(esc(headline))</p>")
            out.append("<div class=\"definitions\">")
            out.append("<div><p class=\"label\">\(labels.0)</p>\(definition(difference.expected))</div>")
            out.append("<div><p class=\"label\">\(labels.1)</p>\(definition(difference.actual))</div>")
            out.append("</div>")
            out.append("</div>")
        }
        out.append("</div>")
        return out
    }

    static func definition(_ text: String?) -> String {
        guard let text else { return "<pre class=\"absent\">(absent)</pre>" }
        return "<pre>\(esc(text))</pre>"
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
        out.append("<li>scenario <code>\(esc(scenario.file))</code>, migrations <code>\(esc(scenario.migrations))</code>, tracking table <code>\(esc(scenario.trackingTable))</code>, mode <code>\(esc(scenario.mode.rawValue))</code></li>")
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

    // MARK: - Timeline

    /// Where each step sits on the timeline. The axis is linear inside each step; a step too
    /// short to see is widened to `minimumStepWidth`, which shifts the steps after it, so the
    /// axis is piecewise linear and `x(atMs:)` maps through the same pieces.
    struct TimelineLayout {
        struct Placed {
            var step: StepReport
            var startMs: Double
            var x: Double
            var width: Double

            var pixelsPerMs: Double { step.durationMs > 0 ? width / step.durationMs : 0 }
        }

        static let width = 960.0
        static let left = 12.0
        static let right = 948.0
        static let minimumStepWidth = 40.0

        var steps: [Placed]
        var totalMs: Double

        init(_ steps: [StepReport]) {
            let durations = steps.map { max($0.durationMs, 0) }
            let available = Self.right - Self.left
            var widths = [Double](repeating: Self.minimumStepWidth, count: steps.count)
            var pinned = Set<Int>()
            while true {
                let free = steps.indices.filter { !pinned.contains($0) }
                let freeMs = free.reduce(0.0) { $0 + durations[$1] }
                let freePixels = max(available - Double(pinned.count) * Self.minimumStepWidth, 0)
                guard !free.isEmpty, freeMs > 0 else { break }
                let tooNarrow = free.filter { durations[$0] / freeMs * freePixels < Self.minimumStepWidth }
                if tooNarrow.isEmpty {
                    for index in free { widths[index] = durations[index] / freeMs * freePixels }
                    break
                }
                pinned.formUnion(tooNarrow)
            }
            var placed: [Placed] = []
            var x = Self.left
            var startMs = 0.0
            for (index, step) in steps.enumerated() {
                placed.append(Placed(step: step, startMs: startMs, x: x, width: widths[index]))
                x += widths[index]
                startMs += durations[index]
            }
            self.steps = placed
            self.totalMs = startMs
        }

        var endX: Double { steps.last.map { $0.x + $0.width } ?? Self.left }

        func x(atMs time: Double) -> Double {
            for placed in steps where time <= placed.startMs + max(placed.step.durationMs, 0) {
                return placed.x + min(max(time - placed.startMs, 0) * placed.pixelsPerMs, placed.width)
            }
            return endX
        }
    }

    static let stepHeight = 26.0
    static let labelLineHeight = 14.0
    static let lockRowHeight = 16.0
    static let lockRowGap = 4.0
    static let minimumLockWidth = 4.0
    static let trafficLaneHeight = 56.0
    /// A rough width of one character at the timeline's 11 px font, to keep labels apart.
    static let characterWidth = 6.2

    static func timeline(_ migration: MigrationReport, report: RehearsalReport) -> [String] {
        let layout = TimelineLayout(migration.steps)
        var body: [String] = []

        // A step's label goes inside its bar when it fits, else on the first free line above.
        var labelLines: [Int?] = []
        var lineEnds: [Double] = []
        for placed in layout.steps {
            let textWidth = Double(stepText(placed.step).count) * characterWidth
            if textWidth + 8 <= placed.width {
                labelLines.append(nil)
                continue
            }
            var line = lineEnds.firstIndex { $0 + 6 <= placed.x } ?? lineEnds.count
            if line >= 2 {
                line = lineEnds[0] <= lineEnds[1] ? 0 : 1
            }
            if line == lineEnds.count { lineEnds.append(0) }
            lineEnds[line] = placed.x + textWidth
            labelLines.append(line)
        }
        let stepTop = 8 + Double(lineEnds.count) * labelLineHeight
        for (placed, line) in zip(layout.steps, labelLines) {
            let step = placed.step
            let text = stepText(step)
            let style = stepStyle(step)
            let dash = style.dashed ? " stroke-dasharray=\"3 2\"" : ""
            body.append("<rect class=\"step \(step.status.rawValue)\" x=\"\(n(placed.x))\" y=\"\(n(stepTop))\" width=\"\(n(placed.width))\" height=\"\(n(stepHeight))\" fill=\"\(style.fill)\" stroke=\"#ffffff\" stroke-width=\"1\"\(dash)><title>\(esc("\(text) (\(step.status.rawValue))"))</title></rect>")
            if let line {
                body.append("<text class=\"step-label\" x=\"\(n(placed.x + 1))\" y=\"\(n(8 + Double(line) * labelLineHeight + 9))\">\(esc(text))</text>")
            } else {
                body.append("<text class=\"step-label inside\" x=\"\(n(placed.x + 5))\" y=\"\(n(stepTop + stepHeight / 2 + 4))\" style=\"fill:\(style.text)\">\(esc(text))</text>")
            }
        }

        let lockTop = stepTop + stepHeight + 10
        let locks = layout.steps.flatMap { placed in placed.step.locks.map { (placed, $0) } }
        for (index, (placed, lock)) in locks.enumerated() {
            let y = lockTop + Double(index) * (lockRowHeight + lockRowGap)
            let stepEnd = placed.x + placed.width
            let width = min(max(lock.heldMs * placed.pixelsPerMs, minimumLockWidth), placed.width)
            var x = placed.x + max(lock.firstSeenMs, 0) * placed.pixelsPerMs
            if x + width > stepEnd { x = max(placed.x, stepEnd - width) }
            let held = MarkdownReport.held(lock, interval: report.lockSampleIntervalMs)
            let text = "\(lock.relation) · \(lock.mode)\(lock.granted ? "" : " (waited)") · \(held)"
            let title = "\(FindingRules.stepLabel(placed.step)): \(lock.mode)\(lock.granted ? "" : " (waited for)") on \(lock.relation), seen \(Format.duration(lock.firstSeenMs))–\(Format.duration(lock.lastSeenMs)) into the step"
            let waited = lock.granted ? "" : " fill-opacity=\"0.35\" stroke=\"\(lockColour(lock.mode))\" stroke-dasharray=\"3 2\""
            body.append("<rect class=\"lock\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(lockRowHeight))\" fill=\"\(lockColour(lock.mode))\"\(waited)><title>\(esc(title))</title></rect>")
            let textWidth = Double(text.count) * characterWidth
            let baseline = n(y + lockRowHeight / 2 + 4)
            if x + width + 4 + textWidth <= TimelineLayout.right || x - 4 - textWidth < TimelineLayout.left {
                body.append("<text class=\"lock-label\" x=\"\(n(x + width + 4))\" y=\"\(baseline)\">\(esc(text))</text>")
            } else {
                body.append("<text class=\"lock-label\" x=\"\(n(x - 4))\" y=\"\(baseline)\" text-anchor=\"end\">\(esc(text))</text>")
            }
        }
        var lanesBottom = lockTop + Double(locks.count) * (lockRowHeight + lockRowGap)
        if locks.isEmpty {
            body.append("<text class=\"muted-label\" x=\"\(n(TimelineLayout.left))\" y=\"\(n(lockTop + 12))\">no relation locks were sampled</text>")
            lanesBottom = lockTop + lockRowHeight + lockRowGap
        }

        let traffic = trafficLane(migration, layout: layout, top: lanesBottom)
        if !traffic.isEmpty {
            body.append(traffic)
            lanesBottom += trafficLaneHeight
        }

        let axisY = lanesBottom + 6
        for placed in layout.steps.dropFirst() {
            body.append("<line class=\"boundary\" x1=\"\(n(placed.x))\" y1=\"\(n(stepTop))\" x2=\"\(n(placed.x))\" y2=\"\(n(axisY))\" stroke=\"#888888\" stroke-dasharray=\"2 3\"/>")
        }
        body.append("<line class=\"axis\" x1=\"\(n(TimelineLayout.left))\" y1=\"\(n(axisY))\" x2=\"\(n(max(layout.endX, TimelineLayout.left)))\" y2=\"\(n(axisY))\" stroke=\"#444444\"/>")
        let interval = tickInterval(layout.totalMs)
        var lastTickX = -Double.infinity
        for tick in 0...1000 {
            let time = Double(tick) * interval
            guard time <= layout.totalMs * (1 + 1e-9) || tick == 0 else { break }
            let x = layout.x(atMs: time)
            guard x - lastTickX >= 48 else { continue }
            lastTickX = x
            let textAnchor = tick == 0 ? "start" : (x > TimelineLayout.right - 24 ? "end" : "middle")
            body.append("<line class=\"tick\" x1=\"\(n(x))\" y1=\"\(n(axisY))\" x2=\"\(n(x))\" y2=\"\(n(axisY + 5))\" stroke=\"#444444\"/>")
            body.append("<text class=\"tick-label\" x=\"\(n(x))\" y=\"\(n(axisY + 17))\" text-anchor=\"\(textAnchor)\">\(esc(tickLabel(time, interval: interval)))</text>")
        }
        let height = axisY + 24

        let name = "\(migration.version) \(migration.name)"
        var out = ["<figure class=\"timeline\">"]
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 \(n(TimelineLayout.width)) \(n(height))\" width=\"\(n(TimelineLayout.width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(attr("Timeline of migration \(name)"))\">")
        out.append("<title>\(esc("Timeline of migration \(name): steps up, down and up again on one time axis, with the relation locks seen in each"))</title>")
        out += body
        out.append("</svg>")
        out.append("<figcaption>")
        out += legend
        out.append("<p class=\"muted\">Steps in the order they ran; a step shorter than the chart can show is drawn at a minimum width, and the axis stretches with it. A lock is drawn from the first to the last sample that saw it (every \(esc(Format.duration(report.lockSampleIntervalMs)))); a single sample shows as a thin bar.</p>")
        out.append("</figcaption>")
        out.append("</figure>")
        return out
    }

    /// The application's side of the timeline, below the lock bars: the slowest query per
    /// time bucket as a line (scaled to the lane, capped at the step's worst), and each query
    /// the migration blocked as a red bar from its wait start to its end. Lines, not rects,
    /// so the rects of a timeline stay one per step and one per lock.
    static func trafficLane(_ migration: MigrationReport, layout: TimelineLayout, top: Double) -> String {
        guard migration.steps.contains(where: { $0.traffic != nil }) else { return "" }
        let worst = max(migration.steps.compactMap { $0.traffic?.maxMs }.max() ?? 0, 1)
        let laneTop = top + 4
        let laneHeight = trafficLaneHeight - 14
        var parts: [String] = []
        parts.append("<text class=\"muted-label\" x=\"\(n(TimelineLayout.left))\" y=\"\(n(laneTop + 8))\">traffic: slowest query (max \(esc(Format.duration(worst)))), blocked queries in red</text>")
        for placed in layout.steps {
            guard let traffic = placed.step.traffic else { continue }
            let points = traffic.timeline.map { point -> String in
                let x = placed.x + min(point.atMs * placed.pixelsPerMs, placed.width)
                let y = laneTop + laneHeight - min(point.maxMs / worst, 1) * (laneHeight - 10)
                return "\(n(x)),\(n(y))"
            }
            if points.count > 1 {
                parts.append("<polyline class=\"latency\" points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"1.5\"><title>\(esc("\(FindingRules.stepLabel(placed.step)): p99 \(Format.duration(traffic.p99Ms)), max \(Format.duration(traffic.maxMs))"))</title></polyline>")
            }
            let stepEnd = placed.x + placed.width
            for (index, event) in placed.step.blocked.filter(\.isFelt).enumerated() {
                let x1 = placed.x + min(max(event.startMs, 0) * placed.pixelsPerMs, placed.width)
                let x2 = min(max(x1 + event.waitMs * placed.pixelsPerMs, x1 + 2), stepEnd)
                let y = laneTop + laneHeight + 2 - Double(index % 4) * 3
                parts.append("<line class=\"blocked\" x1=\"\(n(x1))\" y1=\"\(n(y))\" x2=\"\(n(x2))\" y2=\"\(n(y))\" stroke=\"#c53030\" stroke-width=\"2.5\"><title>\(esc("\(event.query) blocked \(Format.duration(event.waitMs)) on \(event.mode) \(event.relation)"))</title></line>")
            }
        }
        return parts.joined(separator: "\n")
    }

    static func stepText(_ step: StepReport) -> String {
        let suffix: String
        switch step.status {
        case .ok: suffix = ""
        case .failed: suffix = step.interrupted ? " interrupted" : (step.timedOut ? " timed out" : " failed")
        case .skipped: suffix = " skipped"
        }
        return "\(FindingRules.stepLabel(step)) \(Format.duration(step.durationMs))\(suffix)"
    }

    static func stepStyle(_ step: StepReport) -> (fill: String, text: String, dashed: Bool) {
        switch step.status {
        case .failed: return ("#b3261e", "#ffffff", false)
        case .skipped: return ("#e4e4e4", "#333333", true)
        case .ok:
            if step.direction == .down { return ("#6a4f8f", "#ffffff", false) }
            return step.pass == 1 ? ("#3e5c80", "#ffffff", false) : ("#3e7f77", "#ffffff", false)
        }
    }

    /// Lock colours by how much of the application a mode stops: red stops everything,
    /// orange and amber stop writes, yellow stops DDL and VACUUM, blue and grey stop nothing
    /// that ordinary traffic does.
    static let lockPalette: [(modes: [String], colour: String, label: String)] = [
        (["AccessExclusiveLock"], "#d62728", "AccessExclusiveLock: blocks reads and writes"),
        (["ExclusiveLock", "ShareRowExclusiveLock"], "#f28e2b", "ExclusiveLock, ShareRowExclusiveLock: block writes"),
        (["ShareLock"], "#e8a202", "ShareLock: blocks writes"),
        (["ShareUpdateExclusiveLock"], "#f2d43c", "ShareUpdateExclusiveLock: blocks DDL and VACUUM"),
        (["RowExclusiveLock"], "#7ea6d8", "RowExclusiveLock: ordinary writes"),
        (["RowShareLock", "AccessShareLock"], "#b8b8b8", "RowShareLock, AccessShareLock, other: ordinary reads"),
    ]

    static func lockColour(_ mode: String) -> String {
        lockPalette.first { $0.modes.contains(mode) }?.colour ?? "#b8b8b8"
    }

    static var legend: [String] {
        var out = ["<ul class=\"legend\">"]
        let steps = [("#3e5c80", "up"), ("#6a4f8f", "down"), ("#3e7f77", "second up"), ("#b3261e", "failed step"), ("#e4e4e4", "skipped step")]
        for (colour, label) in steps {
            out.append("<li><span class=\"swatch\" style=\"background:\(colour)\"></span>\(label)</li>")
        }
        for entry in lockPalette {
            out.append("<li><span class=\"swatch\" style=\"background:\(entry.colour)\"></span>\(esc(entry.label))</li>")
        }
        out.append("<li><span class=\"swatch waited\"></span>dashed: lock waited for, not granted</li>")
        out.append("</ul>")
        return out
    }

    /// 1, 2 or 5 times a power of ten, so that about five ticks span `totalMs`.
    static func tickInterval(_ totalMs: Double) -> Double {
        let raw = totalMs / 5
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 ? 1 : (normalized <= 2 ? 2 : (normalized <= 5 ? 5 : 10))
        return factor * magnitude
    }

    static func tickLabel(_ time: Double, interval: Double) -> String {
        if interval >= 1000 {
            let seconds = time / 1000
            let decimals = interval.truncatingRemainder(dividingBy: 1000) == 0 ? 0 : 1
            return String(format: "%.\(decimals)f s", seconds)
        }
        return String(format: interval >= 1 ? "%.0f ms" : "%.1f ms", time)
    }

    // MARK: - Helpers

    static func esc(_ text: String) -> String { HTMLEscaping.text(text) }
    static func row(_ cells: [String]) -> String { "<tr>" + cells.joined() + "</tr>" }
    static func attr(_ text: String) -> String { HTMLEscaping.attribute(text) }

    /// An SVG coordinate with at most one decimal, so output is stable and short.
    static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }

    static func formatNumber(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }

    static let stylesheet = """
        :root { --fg: #1d1d1f; --muted: #666; --line: #d8d8d8; --bad: #b3261e; --good: #1e7b34; --warn: #8a5a00; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 0 24px 48px; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
        pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; border: 1px solid var(--line); padding: 8px 10px; margin: 4px 0; }
        h2 { margin-top: 2em; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { margin: 1.4em 0 0.4em; font-size: 1.05em; }
        .banner { display: flex; gap: 20px; align-items: center; padding: 18px 24px; color: #fff; }
        .banner.pass { background: #1e7b34; }
        .banner.warn { background: #b86e00; }
        .banner.fail { background: #b3261e; }
        .banner .badge { margin: 0; font-size: 1.9em; font-weight: 800; letter-spacing: 0.04em; white-space: nowrap; border: 3px solid #fff; padding: 4px 14px; }
        .banner h1 { margin: 0; font-size: 1.35em; }
        .banner p { margin: 4px 0 0; }
        .banner .interrupted { font-weight: 700; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 0.92em; }
        th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; font-weight: 600; }
        .num { text-align: right; white-space: nowrap; }
        .muted { color: var(--muted); }
        .bad { color: var(--bad); }
        .good { color: var(--good); }
        .pill { display: inline-block; padding: 0 8px; border-radius: 9px; font-size: 0.8em; font-weight: 700; text-transform: uppercase; border: 1px solid currentColor; vertical-align: middle; }
        .pill.pass { color: var(--good); }
        .pill.warn { color: var(--warn); }
        .pill.fail { color: var(--bad); }
        .pill.not-run { color: var(--muted); }
        .version { font-family: ui-monospace, Menlo, Consolas, monospace; color: var(--muted); }
        .files { color: var(--muted); font-size: 0.9em; margin-top: -0.5em; }
        ul.findings { list-style: none; padding: 0; }
        .finding { border-left: 4px solid var(--line); padding: 4px 10px; margin: 6px 0; background: #fafafa; }
        .finding.error { border-left-color: var(--bad); }
        .finding.warning { border-left-color: #e8a202; }
        .finding.info { border-left-color: #7ea6d8; }
        .finding .severity { font-weight: 700; text-transform: uppercase; font-size: 0.8em; }
        .finding.error .severity { color: var(--bad); }
        .finding.warning .severity { color: var(--warn); }
        .finding .where { color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
        .finding .advice { color: var(--muted); font-style: italic; }
        pre.error { border-color: var(--bad); background: #fdf0ef; }
        figure.timeline { margin: 8px 0; }
        svg.timeline { display: block; width: 100%; max-width: 960px; height: auto; }
        svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #222; }
        svg text.inside { font-weight: 600; }
        svg text.muted-label { fill: #777; font-style: italic; }
        svg text.tick-label { fill: #444; }
        figcaption { font-size: 0.85em; }
        ul.legend { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
        .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border: 1px solid rgba(0, 0, 0, 0.25); }
        .swatch.waited { background: #fff; border: 1px dashed #555; }
        .change { font-weight: 700; text-transform: uppercase; font-size: 0.8em; }
        .difference { border: 1px solid var(--line); padding: 6px 10px; margin: 8px 0; }
        .difference p { margin: 2px 0; }
        .definitions { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
        .label { color: var(--muted); font-size: 0.85em; margin: 4px 0 0; }
        pre.absent { color: var(--muted); font-style: italic; }
        #provenance ul { padding-left: 20px; }
        .hash { word-break: break-all; }
        a { color: inherit; }
        @page { margin: 14mm; }
        @media print {
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          body { font-size: 10pt; }
          main { max-width: none; padding: 0; }
          .banner { padding: 10px 14px; }
          figure, table, .finding, .difference, pre { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          a { text-decoration: none; }
        }
        """
}
