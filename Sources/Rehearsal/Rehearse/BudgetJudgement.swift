/// A duration judged against its budget so that machine noise cannot flip the verdict.
///
/// - The figure is the smallest of the measurements the run has of the same thing (the up
///   and the second up run the same file on the same data): load only ever slows a step, so
///   the fastest run is the closest to the step's own cost.
/// - Where the step works row by row through a table whose production rows are known, the
///   production estimate decides, not the snapshot's milliseconds.
/// - Within `noiseFactor` of the budget either way the figure is *at* the budget: a warning,
///   never an error; only a figure clearly over it is.
struct BudgetJudgement {
    enum Standing: Int, Comparable {
        case within
        case atBudget
        case over

        static func < (lhs: Standing, rhs: Standing) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// How far from a budget a figure must be before it counts as over or within it: the
    /// machine's speed drifts by 20–30 % within minutes, and a busy core slows a step more.
    static let noiseFactor = 1.5

    /// The scenario key, e.g. `budgets.lock_hold`.
    var key: String
    var budgetMs: Double
    /// The fastest measurement.
    var measuredMs: Double
    /// How many measurements it is the fastest of.
    var runs: Int
    /// The step's scale, when it works row by row through an existing table.
    var scale: StepScale?

    var productionMs: Double? { scale?.factor.map { measuredMs * $0 } }
    var decidingMs: Double { productionMs ?? measuredMs }

    var standing: Standing {
        if decidingMs > budgetMs * Self.noiseFactor { return .over }
        if decidingMs > budgetMs / Self.noiseFactor { return .atBudget }
        return .within
    }

    /// Error over the budget, warning at it, `floor` otherwise.
    func severity(floor: Finding.Severity = .info) -> Finding.Severity {
        switch standing {
        case .over: return .error
        case .atBudget: return max(floor, .warning)
        case .within: return floor
        }
    }

    var judged: Finding.Judged {
        Finding.Judged(budget: key, budgetMs: budgetMs, measuredMs: measuredMs, productionMs: productionMs)
    }

    /// "99 ms here (the faster of 2 runs); about 13.2 s on production's 40,000,000 rows of
    /// public.clips".
    var figures: String {
        var text = "\(Format.duration(measuredMs)) here\(runs > 1 ? " (the faster of \(runs) runs)" : "")"
        if let productionMs, let scale, let rows = scale.productionRows {
            text += "; about \(Format.duration(productionMs)) on production's \(Format.count(rows)) rows of \(scale.table)"
        }
        return text
    }

    /// ", over the lock_hold budget of 500 ms", ", at the … (within measurement noise)", or "".
    var phrase: String {
        let budget = "the \(key.replacingOccurrences(of: "budgets.", with: "")) budget of \(Format.duration(budgetMs))"
        let basis = productionMs == nil ? "" : " in production"
        switch standing {
        case .over: return ", over \(budget)\(basis)"
        case .atBudget: return ", at \(budget)\(basis) (within measurement noise)"
        case .within: return ""
        }
    }
}
