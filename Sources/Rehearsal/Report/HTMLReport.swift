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
        out += releaseSection(report)
        out += trafficOverview(report)
        out += provenance(report)
        out.append("</main>")
        out.append("</body>")
        out.append("</html>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Page parts

    static func badge(_ verdict: Verdict) -> String {
        verdict.headline
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
            "<div class=\"scroll\"><table class=\"migrations\">",
            "<thead><tr><th class=\"num\">version</th><th>name</th><th class=\"num\">up</th><th class=\"num\">down</th><th class=\"num\">re-up</th><th>strongest lock (held)</th><th class=\"num\">traffic blocked</th><th>round-trip</th><th>verdict</th></tr></thead>",
            "<tbody>",
        ]
        for migration in report.migrations {
            let lockCell = StrongestLock(migration).map { esc($0.text(sampleIntervalMs: report.lockSampleIntervalMs)) } ?? "—"
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
        out += ["</tbody>", "</table></div>", "</section>"]
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
        return "<span class=\"pill \(migration.verdict.rawValue)\">\(migration.verdict.rawValue)</span>"
    }

    static func anchor(_ migration: MigrationReport) -> String {
        "migration-\(migration.version)"
    }

    static func findingsList(_ findings: [Finding]) -> [String] {
        var out = ["<ul class=\"findings\">"]
        for finding in findings {
            var item = "<li class=\"finding \(finding.severity.rawValue)\"><span class=\"severity\">\(finding.severity.rawValue)</span> <a class=\"rule\" href=\"\(attr(MarkdownReport.ruleLink(finding.rule)))\"><code>\(esc(finding.rule.rawValue))</code></a>"
            if let file = finding.file {
                item += " <span class=\"where\" title=\"\(attr(file))\">\(esc(MarkdownReport.lastComponent(file)))\(finding.line.map { ":\($0)" } ?? "")</span>"
            }
            item += "<div class=\"message\">\(esc(finding.message))</div>"
            if let advice = finding.advice {
                item += "<div class=\"advice\">\(esc(advice))</div>"
            }
            if let accepted = finding.accepted {
                item += "<div class=\"accepted\">accepted: \(esc(accepted))</div>"
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
            out.append("<p class=\"muted\">\(esc(migration.notRunReason ?? "not rehearsed"))</p>")
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
            out.append("<h3>Error in \(esc(step.label))</h3>")
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

}
