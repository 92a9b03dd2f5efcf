/// How a step's duration relates to the data it works on, and what that predicts for
/// production. Whether a step grows with a table is a structural fact, the same on every
/// run: it rewrote the table or one of its indexes, built an index on it, validated a
/// constraint or a NOT NULL over its rows, or changed a share of its rows. A step that does
/// none of these (catalog changes only) takes about as long on any size. A step that does
/// is taken to grow linearly with the rows of the largest such table (index builds grow
/// slightly faster, n log n); `scripts/bench-scale` checks the method across two scales.
enum ScaleModel {
    static let assumption = "linear in the rows of the largest existing table the step works through row by row (index builds grow slightly faster, as n log n)"

    /// A DML statement grows with its table when it touches at least this share of it.
    static let dmlShare = 0.01

    /// What a step does row by row: the table and, in words, why.
    struct Work: Equatable {
        enum Kind {
            case rewrite
            case indexBuild
            case validation
            case dataChange
        }

        var kind: Kind
        var table: String
        var what: String
    }

    /// Gives each step that works row by row through an existing table its scale.
    static func annotate(_ state: inout MigrationRehearsal, rows: [String: Int64], production: [String: Int64]) {
        for index in state.entry.steps.indices {
            let step = state.entry.steps[index]
            guard step.status == .ok else { continue }
            let (before, after) = schemas(around: step.kind, in: state)
            state.entry.steps[index].scale = scale(
                of: step, work: work(of: step, before: before, after: after, rows: rows), rows: rows, production: production)
        }
    }

    static func schemas(around kind: StepKind, in state: MigrationRehearsal) -> (SchemaFingerprint?, SchemaFingerprint?) {
        switch kind {
        case .up: return (state.before, state.afterUp)
        case .down: return (state.afterUp, state.afterDown)
        case .secondUp: return (state.afterDown, state.afterReup)
        }
    }

    static func scale(of step: StepReport, work: [Work], rows: [String: Int64], production: [String: Int64]) -> StepScale? {
        guard let largest = work.filter({ (rows[$0.table] ?? 0) > 0 }).max(by: { rows[$0.table]! < rows[$1.table]! }),
            let count = rows[largest.table]
        else { return nil }
        var scale = StepScale(
            table: largest.table, rows: count, rowsPerSecond: step.durationMs > 0 ? Double(count) / step.durationMs * 1000 : nil)
        scale.work = largest.what
        if let target = production[largest.table] {
            scale.productionRows = target
            scale.estimatedProductionMs = step.durationMs * Double(target) / Double(count)
            scale.assumption = assumption
        }
        return scale
    }

    /// The existing tables `step` works through row by row, from what it measurably did: the
    /// relation files it replaced, and the schema before and after it.
    static func work(of step: StepReport, before: SchemaFingerprint?, after: SchemaFingerprint?, rows: [String: Int64]) -> [Work] {
        var work: [Work] = []
        // The traced statements' rewrites are the step's again, one by one.
        var rewritten = Set<String>()
        for rewrite in step.rewrote + step.statements.flatMap(\.rewrote) where rewritten.insert(rewrite.relation).inserted {
            let table = rewrite.table ?? rewrite.relation
            work.append(Work(kind: .rewrite, table: table, what: "rewrites \(rewrite.kind) \(rewrite.relation)"))
        }
        if let before, let after {
            // Only what the step changed or made can be work it did.
            for (key, definition) in after.objects.filter({ before.objects[$0.key] != $0.value }).sorted(by: { $0.key < $1.key }) {
                guard let table = after.parents[key], before.objects[.init(kind: "table", name: table)] != nil else { continue }
                let previous = before.objects[key]
                switch key.kind {
                case "index" where previous != definition:
                    work.append(Work(kind: .indexBuild, table: table, what: "builds index \(key.name) on \(table)"))
                case "constraint" where isValidating(definition) && (previous == nil || previous?.hasSuffix(" NOT VALID") == true):
                    work.append(Work(kind: .validation, table: table, what: "checks every row of \(table) for constraint \(key.name)"))
                case "column" where isNotNull(definition) && previous.map({ !isNotNull($0) }) == true:
                    work.append(Work(kind: .validation, table: table, what: "checks every row of \(table) for NOT NULL on \(key.name)"))
                default:
                    break
                }
            }
        }
        for statement in step.statements where ["UPDATE", "DELETE", "INSERT", "MERGE"].contains(statement.command) {
            let touched = statement.rows ?? 0
            guard touched > 0 else { continue }
            let written = statement.locks.filter { $0.mode == "RowExclusiveLock" }.map(\.relation)
            let candidates = written.isEmpty
                ? step.locks.filter { $0.granted && $0.mode == "RowExclusiveLock" }.map(\.relation)
                : written
            for table in candidates where Double(touched) >= max(1, Double(rows[table] ?? 0) * dmlShare) && rows[table] != nil {
                work.append(Work(kind: .dataChange, table: table, what: "\(statement.command) of \(touched) rows of \(table)"))
            }
        }
        return work
    }

    /// A CHECK or FOREIGN KEY that holds for every row (not NOT VALID): adding or validating
    /// it reads the whole table.
    static func isValidating(_ definition: String) -> Bool {
        (definition.hasPrefix("CHECK") || definition.hasPrefix("FOREIGN KEY")) && !definition.hasSuffix(" NOT VALID")
    }

    static func isNotNull(_ definition: String) -> Bool {
        definition.contains(" not null") || definition.hasPrefix("not null")
    }
}

extension StepScale {
    /// Production's rows over the snapshot's, for the table the step works through.
    var factor: Double? {
        guard let productionRows, rows > 0 else { return nil }
        return Double(productionRows) / Double(rows)
    }
}
