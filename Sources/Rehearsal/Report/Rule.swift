/// Every rule a finding can carry, declared once: its id as report.json spells it, what it
/// is about, and how it ranks when a headline names the worst problem. Renderers look
/// rules up here; none reads meaning back from a message.
public enum Rule: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case stepFailed = "step.failed"
    case stepTimeout = "step.timeout"
    case runInterrupted = "run.interrupted"
    case migrateDirty = "migrate.dirty"
    case roundtripDownIncomplete = "roundtrip.down-incomplete"
    case roundtripReupDiffers = "roundtrip.reup-differs"
    case roundtripLosesData = "roundtrip.down-loses-data"
    case releaseRollbackFails = "release.rollback-fails"
    case releaseRollForwardFails = "release.roll-forward-fails"
    case releaseRollbackIncomplete = "release.rollback-incomplete"
    case releaseTrafficErrors = "release.traffic-errors"
    case acceptStale = "accept.stale"
    case acceptInvalid = "accept.invalid"
    case recoveryFailed = "rehearsal.recovery-failed"
    case recovered = "rehearsal.recovered"
    case stepDuration = "budget.step-duration"
    case lockTableRewrite = "lock.table-rewrite"
    case lockIndexBuild = "lock.index-build-blocks-writes"
    case lockValidation = "lock.validation-under-lock"
    case lockBlocksWrites = "lock.blocks-writes"
    case lockBlocksReadsAndWrites = "lock.blocks-reads-and-writes"
    case lockMigrationWaited = "lock.migration-waited"
    case lockNoTimeout = "lock.no-lock-timeout"
    case trafficBlocked = "traffic.blocked"
    case trafficBlockedOverBudget = "traffic.blocked-over-budget"
    case trafficErrorsAfterUp = "traffic.errors-after-up"
    case observeIncomplete = "observe.incomplete"
    case downMissing = "down.missing"
    case downEmpty = "down.empty"
    case downSlower = "down.slower"
    case rowsTouched = "step.rows-touched"
    case ignoredFile = "migrate.ignored-file"
    case belowRecorded = "migrate.below-recorded"
    case nothingPending = "plan.nothing-pending"
    case productionRowsUnknown = "scenario.production-rows-unknown"
    case lintTransactionBlock = "lint.no-transaction-statement"
    case lintSplitHazard = "lint.multi-statement-split"
    case lintByteOrderMark = "lint.byte-order-mark"

    /// The id, as report.json and every format write it.
    public var description: String { rawValue }

    /// The page that explains the rule and shows the safe way as SQL, relative to rehearse's
    /// repository root (`RulePagesTests` fails when one is missing).
    public var documentation: String { "docs/rules/\(rawValue).md" }

    public enum Category: String, Sendable, Codable {
        case execution, migrate, roundtrip, budget, lock, traffic, observe, rollback, release, accept, plan, scenario, run
        /// Found by reading the files (`rehearse check`), before anything runs.
        case lint
    }

    public var category: Category {
        switch self {
        case .stepFailed, .stepTimeout: return .execution
        case .runInterrupted, .recoveryFailed, .recovered: return .run
        case .migrateDirty, .ignoredFile, .belowRecorded: return .migrate
        case .roundtripDownIncomplete, .roundtripReupDiffers, .roundtripLosesData: return .roundtrip
        case .releaseRollbackFails, .releaseRollForwardFails, .releaseRollbackIncomplete, .releaseTrafficErrors: return .release
        case .acceptStale, .acceptInvalid: return .accept
        case .stepDuration, .rowsTouched: return .budget
        case .lockTableRewrite, .lockIndexBuild, .lockValidation, .lockBlocksWrites, .lockBlocksReadsAndWrites,
            .lockMigrationWaited, .lockNoTimeout:
            return .lock
        case .trafficBlocked, .trafficBlockedOverBudget, .trafficErrorsAfterUp: return .traffic
        case .observeIncomplete: return .observe
        case .downMissing, .downEmpty, .downSlower: return .rollback
        case .nothingPending: return .plan
        case .productionRowsUnknown: return .scenario
        case .lintTransactionBlock, .lintSplitHazard, .lintByteOrderMark: return .lint
        }
    }

    /// Where a finding of this rule stands among a migration's problems, lower first: a
    /// failing up outranks a dirty tracking table, which outranks a round-trip failure,
    /// then budgets, locks and traffic, then the rest. A failing down or second up is a
    /// round-trip failure (`Finding.rank`).
    public var rank: Int {
        switch category {
        case .execution, .run: return self == .recovered ? 5 : 0
        case .migrate: return self == .migrateDirty ? 1 : 5
        case .roundtrip: return self == .roundtripLosesData ? 3 : 2
        case .release: return self == .releaseRollbackIncomplete ? 4 : 2
        case .budget, .lock, .traffic, .observe: return 3
        case .rollback: return 4
        case .lint: return 0
        case .plan, .scenario, .accept: return 5
        }
    }

    /// Whether `-- rehearse:accept` may turn its findings into notes: a failing step, a
    /// dirty tracking table, missing evidence and a file migrate cannot run are never a risk
    /// to accept.
    public var acceptable: Bool {
        switch self {
        case .stepFailed, .stepTimeout, .runInterrupted, .migrateDirty, .observeIncomplete, .recoveryFailed, .acceptStale, .acceptInvalid,
            .lintTransactionBlock, .lintSplitHazard, .lintByteOrderMark:
            return false
        default:
            return true
        }
    }

    /// One line: what a finding of this rule means.
    public var summary: String {
        switch self {
        case .stepFailed: return "a step failed as it would under migrate"
        case .stepTimeout: return "a step ran past the scenario's step_timeout and was cancelled"
        case .runInterrupted: return "the rehearsal was interrupted; results are partial"
        case .migrateDirty: return "migrate would leave the tracking table dirty"
        case .roundtripDownIncomplete: return "the down does not restore the schema the up started from"
        case .roundtripReupDiffers: return "the second up builds another schema than the first"
        case .roundtripLosesData: return "the down restores the schema but not all the data the up changed"
        case .releaseRollbackFails: return "a down fails while the whole release is rolled back"
        case .releaseRollForwardFails: return "an up fails when the release is rolled forward again after its rollback"
        case .releaseRollbackIncomplete: return "after rolling the whole release back, the schema or data differ from the snapshot's"
        case .releaseTrafficErrors: return "the deployed application's queries fail during or after the release rollback"
        case .acceptStale: return "an accepted risk in a migration file matches no finding"
        case .acceptInvalid: return "an accepted risk names no rule, gives no reason, or names a failure that cannot be accepted"
        case .recoveryFailed: return "production's state could not be rebuilt, so later migrations were not rehearsed"
        case .recovered: return "the run went back onto production's path after a failure only the rehearsal caused"
        case .stepDuration: return "a step takes longer than the step_duration budget"
        case .lockTableRewrite: return "a table is rewritten under a lock that blocks the application"
        case .lockIndexBuild: return "an index build blocks writes to its table"
        case .lockValidation: return "a constraint is validated under a lock that blocks writes"
        case .lockBlocksWrites: return "a lock blocks INSERT, UPDATE and DELETE on a table"
        case .lockBlocksReadsAndWrites: return "a lock blocks every query on a table"
        case .lockMigrationWaited: return "the migration waited for a lock another session held"
        case .lockNoTimeout: return "a blocking lock is taken without lock_timeout"
        case .trafficBlocked: return "application queries were blocked by the migration"
        case .trafficBlockedOverBudget: return "application queries were blocked longer than the traffic_blocked budget"
        case .trafficErrorsAfterUp: return "the deployed application's queries fail against the new schema"
        case .observeIncomplete: return "an observer failed during a step, so its evidence is incomplete"
        case .downMissing: return "no down file: a rollback moves the version and runs nothing"
        case .downEmpty: return "the down file does nothing"
        case .downSlower: return "the down is much slower than the up"
        case .rowsTouched: return "a data change whose time grows with the table"
        case .ignoredFile: return "a .sql file migrate ignores silently"
        case .belowRecorded: return "files at or below the recorded version never run"
        case .nothingPending: return "no pending migrations"
        case .productionRowsUnknown: return "production_rows names a table the snapshot does not have"
        case .lintTransactionBlock: return "a statement that cannot run in a transaction block shares a whole-file migration with others"
        case .lintSplitHazard: return "a ';' inside a comment, string or dollar-quoted body, where migrate's multi-statement split breaks the statement"
        case .lintByteOrderMark: return "the file starts with a byte-order mark, which migrate sends to the server"
        }
    }
}

/// The three steps of a rehearsal, with the one spelling every format and the terminal use.
public enum StepKind: String, Sendable, Codable, CaseIterable {
    case up
    case down
    case secondUp = "second up"

    public init(direction: MigrationDirection, pass: Int) {
        self = direction == .down ? .down : pass == 1 ? .up : .secondUp
    }

    public var label: String { rawValue }
}

extension StepReport {
    public var kind: StepKind { StepKind(direction: direction, pass: pass) }
    public var label: String { kind.label }
}

extension Verdict {
    /// The verdict as every format and the terminal write it.
    public var headline: String {
        switch self {
        case .pass: return "GO"
        case .warn: return "GO WITH WARNINGS"
        case .notRun: return "NOT RUN"
        case .fail: return "NO-GO"
        }
    }
}
