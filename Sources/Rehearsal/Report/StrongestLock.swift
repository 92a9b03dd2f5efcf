/// The lock the summary names for a migration: the strongest its first up took, whether the
/// sampler saw it or only the traced re-run did (a lock held for less than a sample), a lock
/// on a table outranking any lock on an index, as the findings judge them.
public struct StrongestLock: Sendable, Equatable {
    public var relation: String
    public var mode: String
    /// How long the sampler saw it held; nil when only the trace saw it.
    public var heldMs: Double?

    public init?(_ migration: MigrationReport) {
        guard let up = migration.steps.first(where: { $0.direction == .up && $0.pass == 1 }) else { return nil }
        // What the trace alone saw shows as traced: its hold is an estimate from statement times.
        let candidates = up.locks.filter(\.granted).map { (lock: $0, held: Optional($0.heldMs)) }
            + up.tracedOnlyLocks(among: nil, wholeFile: true).map { (lock: $0, held: nil) }
        func rank(_ candidate: (lock: ObservedLock, held: Double?)) -> (Int, Int) {
            (candidate.lock.relationKind == "index" ? 0 : 1, candidate.lock.strengthRank)
        }
        guard let strongest = candidates.max(by: { rank($0) < rank($1) }) else { return nil }
        relation = strongest.lock.relation
        mode = strongest.lock.mode
        heldMs = strongest.held
    }

    /// `ShareLock on public.clips (165 ms)`; `(< 10 ms)` below one sample; `(traced)` when
    /// only the traced re-run saw it.
    public func text(sampleIntervalMs: Double) -> String {
        let held = heldMs.map { MarkdownReport.held($0, interval: sampleIntervalMs) } ?? "traced, shorter than a sample"
        return "\(mode) on \(relation) (\(held))"
    }
}

extension StepReport {
    /// Locks the traced re-run saw a statement take but the sampler missed (a step shorter
    /// than the sampling interval), timed from the traced statement durations: in whole-file
    /// mode held from that statement to the end of the file. `tables`: only those relations
    /// (the tables that existed before the step); nil for all.
    func tracedOnlyLocks(among tables: Set<String>?, wholeFile: Bool) -> [ObservedLock] {
        guard traced else { return [] }
        let seen = Set(locks.map { $0.relation + "|" + $0.mode })
        var result: [ObservedLock] = []
        var elapsed = 0.0
        let total = statements.compactMap(\.durationMs).reduce(0, +)
        for statement in statements {
            let duration = statement.durationMs ?? 0
            for lock in statement.locks where !seen.contains(lock.relation + "|" + lock.mode) && tables?.contains(lock.relation) ?? true {
                result.append(ObservedLock(
                    relation: lock.relation, relationKind: lock.relationKind ?? "table", mode: lock.mode, firstSeenMs: elapsed,
                    lastSeenMs: elapsed + duration, granted: true, heldMs: wholeFile ? total - elapsed : duration))
            }
            elapsed += duration
        }
        return result
    }
}
