/// The collapsible part of a migration's Markdown section: steps, statements (with the
/// traced attribution), locks, waits and traffic.
enum MarkdownStepDetails {
    static func render(_ migration: MigrationReport, report: RehearsalReport) -> [String] {
        let escape = MarkdownReport.escape
        var out: [String] = []
        out.append("<details><summary>\(migration.version) \(escape(migration.name)): steps, statements, locks and traffic</summary>")
        out.append("")
        out.append("| step | status | time | server | waited for locks | WAL | size change | tracking after |")
        out.append("|---|---|---:|---:|---:|---:|---:|---|")
        for step in migration.steps {
            let size = step.sizeChangeBytes.map { ($0 < 0 ? "-" : "+") + Format.bytes(UInt64(abs($0))) } ?? "—"
            out.append("| \(step.label) | \(step.status.rawValue)\(step.timedOut ? " (timeout)" : "")\(step.skipReason.map { ": " + escape($0) } ?? "") | \(Format.duration(step.durationMs)) | \(step.serverMs.map(Format.duration) ?? "—") | \(step.migrationWaitMs > 0 ? Format.duration(step.migrationWaitMs) : "—") | \(step.walBytes.map { Format.bytes($0) } ?? "—") | \(size) | \(step.trackingAfter?.display ?? "none") |")
        }
        for step in migration.steps where !step.statements.isEmpty && (step.pass == 1) {
            out.append("")
            out.append("**Statements of \(step.label)**\(step.traceNote.map { " — " + escape($0) } ?? "")")
            out.append("")
            out.append("| line | statement | rows | time | locks taken | rewrote |")
            out.append("|---:|---|---:|---:|---|---|")
            for statement in step.statements {
                let locks = statement.locks.map { "\($0.mode) \(escape($0.relation))" }.joined(separator: ", ")
                let rewrote = statement.rewrote.map { "\(escape($0.relation)) (\(Format.bytes($0.bytesAfter)))" }.joined(separator: ", ")
                out.append("| \(statement.line.map(String.init) ?? "—") | \(statement.command) | \(statement.rows.map(String.init) ?? "—") | \(statement.durationMs.map(Format.duration) ?? "—") | \(locks.isEmpty ? "—" : locks) | \(rewrote.isEmpty ? "—" : rewrote) |")
            }
        }
        let scaled = migration.steps.compactMap { step in step.scale.map { (step, $0) } }
        if !scaled.isEmpty {
            out.append("")
            out.append("**Scale**")
            out.append("")
            for (step, scale) in scaled {
                var line = "- \(step.label): \(Format.duration(step.durationMs)) on \(escape(scale.table)) (\(scale.rows) rows\(scale.rowsPerSecond.map { ", \(Int($0)) rows/s" } ?? ""))"
                if let rows = scale.productionRows, let estimate = scale.estimatedProductionMs {
                    line += "; with production's \(rows) rows about **\(Format.duration(estimate))**, assuming \(escape(scale.assumption ?? ""))"
                }
                out.append(line)
            }
        }
        let locks = migration.steps.flatMap { step in step.locks.map { (step, $0) } }
        if !locks.isEmpty {
            out.append("")
            out.append("**Locks held** (sampled \(MarkdownReport.sampling(report)); in whole-file mode held to the end of the file)")
            out.append("")
            out.append("| step | relation | kind | mode | held |")
            out.append("|---|---|---|---|---:|")
            for (step, lock) in locks {
                out.append("| \(step.label) | \(escape(lock.relation)) | \(lock.relationKind) | \(lock.mode)\(lock.granted ? "" : " (waited)") | \(MarkdownReport.held(lock, interval: report.lockSampleIntervalMs)) |")
            }
        }
        let rewrites = migration.steps.flatMap { step in step.rewrote.map { (step, $0) } }
        if !rewrites.isEmpty {
            out.append("")
            out += rewrites.map { step, rewrite in
                "- \(step.label) rewrote \(rewrite.kind) \(escape(rewrite.relation)): \(Format.bytes(rewrite.bytesBefore)) → \(Format.bytes(rewrite.bytesAfter))"
            }
        }
        let waits = migration.steps.flatMap { step in step.migrationWaits.map { (step, $0) } }
        if !waits.isEmpty {
            out.append("")
            out.append("**The migration waited**")
            out.append("")
            out += waits.map { step, wait in
                "- \(step.label): \(Format.duration(wait.waitMs)) for \(wait.mode) on \(escape(wait.relation)) from \(Format.duration(wait.startMs))\(wait.heldBy.isEmpty ? "" : "; held by " + escape(wait.heldBy.joined(separator: "; ")))"
            }
        }
        if migration.steps.contains(where: { $0.traffic != nil }) {
            out += traffic(migration, report: report)
        }
        if let error = migration.steps.compactMap(\.error).first {
            out.append("")
            out.append("```")
            out.append(error.description)
            out.append("```")
        }
        out.append("")
        out.append("</details>")
        return out
    }

    static func traffic(_ migration: MigrationReport, report: RehearsalReport) -> [String] {
        let escape = MarkdownReport.escape
        var out: [String] = []
        out.append("")
        out.append("**Traffic**\(report.traffic.map { " (baseline p99 \(Format.duration($0.baseline.p99Ms)))" } ?? "")")
        out.append("")
        out.append("| step | queries | errors | blocked | longest block | total blocked | p50 | p99 | max |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for step in migration.steps {
            guard let traffic = step.traffic else { continue }
            out.append("| \(step.label) | \(traffic.queries) | \(traffic.errors) | \(traffic.blockedQueries) | \(Format.duration(traffic.maxBlockedMs)) | \(Format.duration(traffic.totalBlockedMs)) | \(Format.duration(traffic.p50Ms)) | \(Format.duration(traffic.p99Ms)) | \(Format.duration(traffic.maxMs)) |")
        }
        let blocked = migration.feltBlocks
        if !blocked.isEmpty {
            out.append("")
            out.append("| step | blocked query | relation | waited for | from | waited | how |")
            out.append("|---|---|---|---|---:|---:|---|")
            for (step, event) in blocked.prefix(10) {
                out.append("| \(step.label) | \(escape(event.query)) | \(escape(event.relation)) | \(event.mode) | \(Format.duration(event.startMs)) | \(Format.duration(event.waitMs)) | \(event.direct ? "by the migration's lock" : "queued behind the migration") |")
            }
            if blocked.count > 10 { out.append("\n…and \(blocked.count - 10) more in report.json") }
        }
        let failing = migration.steps.flatMap { step in (step.traffic?.perQuery ?? []).filter { $0.errors > 0 }.map { (step, $0) } }
        for (step, query) in failing {
            out.append("- \(step.label): `\(escape(query.name))` failed \(query.errors)× — \(escape(query.firstError ?? ""))")
        }
        return out
    }
}
