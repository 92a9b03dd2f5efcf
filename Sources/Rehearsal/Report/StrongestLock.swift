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
        var candidates = up.locks.filter(\.granted).map { (relation: $0.relation, mode: $0.mode, kind: Optional($0.relationKind), held: Optional($0.heldMs)) }
        for statement in up.statements {
            for lock in statement.locks where !candidates.contains(where: { $0.relation == lock.relation && $0.mode == lock.mode }) {
                let kind = lock.relationKind ?? up.locks.first { $0.relation == lock.relation }?.relationKind
                candidates.append((lock.relation, lock.mode, kind, nil))
            }
        }
        func rank(_ candidate: (relation: String, mode: String, kind: String?, held: Double?)) -> (Int, Int) {
            (candidate.kind == "index" ? 0 : 1, ObservedLock.strength.firstIndex(of: candidate.mode) ?? -1)
        }
        guard let strongest = candidates.max(by: { rank($0) < rank($1) }) else { return nil }
        relation = strongest.relation
        mode = strongest.mode
        heldMs = strongest.held
    }

    /// `ShareLock on public.clips (165 ms)`; `(< 10 ms)` below one sample; `(traced)` when
    /// only the traced re-run saw it.
    public func text(sampleIntervalMs: Double) -> String {
        let held = heldMs.map { MarkdownReport.held($0, interval: sampleIntervalMs) } ?? "traced, shorter than a sample"
        return "\(mode) on \(relation) (\(held))"
    }
}
