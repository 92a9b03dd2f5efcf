/// How a step's duration relates to the data it touched, and what that predicts for
/// production. The model is deliberately simple and says so: a step's time is taken to
/// grow linearly with the rows of the largest existing table it locked or changed (a full
/// scan, a backfill, a rewrite, an index build — the last grows slightly faster, n log n).
/// `scripts/bench` checks the method across two snapshot scales.
enum ScaleModel {
    static let assumption = "linear in the rows of the largest table the step locked or changed (index builds grow slightly faster, as n log n)"

    static func annotate(_ report: inout RehearsalReport, rows: [String: Int64], production: [String: Int64]) {
        for m in report.migrations.indices {
            for s in report.migrations[m].steps.indices {
                let step = report.migrations[m].steps[s]
                guard step.status == .ok, let scale = scale(of: step, rows: rows, production: production) else { continue }
                report.migrations[m].steps[s].scale = scale
            }
        }
    }

    /// Below this a step's time is fixed overhead (catalog work, commit), not data work.
    static let minimumMs = 10.0

    static func scale(of step: StepReport, rows: [String: Int64], production: [String: Int64]) -> StepScale? {
        guard step.durationMs >= minimumMs else { return nil }
        let touched = Set(step.locks.map(\.relation) + step.statements.flatMap { $0.locks.map(\.relation) })
        guard let table = touched.filter({ rows[$0] != nil }).max(by: { rows[$0]! < rows[$1]! }), let count = rows[table], count > 0 else {
            return nil
        }
        var scale = StepScale(table: table, rows: count, rowsPerSecond: step.durationMs > 0 ? Double(count) / step.durationMs * 1000 : nil)
        if let target = production[table] {
            scale.productionRows = target
            scale.estimatedProductionMs = step.durationMs * Double(target) / Double(count)
            scale.assumption = assumption
        }
        return scale
    }
}
