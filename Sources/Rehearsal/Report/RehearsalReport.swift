import Foundation
import PostgresClient

/// The report model: everything a rehearsal observed and concluded. `report.json` is this
/// struct encoded; Markdown and the terminal summary are rendered from it, so the JSON is
/// the contract other tools and later runs rely on.
public struct RehearsalReport: Sendable, Codable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion = RehearsalReport.currentSchemaVersion
    public var tool = ToolInfo()
    public var scenario: ScenarioInfo
    public var startedAt: String
    public var finishedAt: String?
    public var snapshot: SnapshotInfo
    public var server: ServerInfo
    /// The version recorded in the snapshot's tracking table; nil when it records none.
    public var startVersion: Int64?
    /// What the tracking table says at the end, as migrate would leave it.
    public var endState: TrackingTable.State?
    public var migrations: [MigrationReport] = []
    /// Findings about the whole run (directory, plan) rather than one migration.
    public var findings: [Finding] = []
    public var verdict: Verdict = .pass
    public var verdictReason: String = ""
    public var interrupted = false
    /// Why the rehearsal stopped early (bad input found on the way, server gone, connection
    /// lost), when it did: one sentence for a person.
    public var failure: String?
    /// Whose side the failure is on; it decides the exit code.
    public var failureKind: FailureKind?
    /// How often the lock sampler looked at pg_locks while locks were taken or waited for.
    public var lockSampleIntervalMs: Double = 10
    /// How often it looked otherwise (absent in reports from before it backed off).
    public var lockSampleQuietIntervalMs: Double?
    /// The application traffic run alongside, when the scenario has some.
    public var traffic: TrafficSummary?
    /// The whole release rolled back and forward again, after the last migration.
    public var releaseRollback: ReleaseRollback?

    public struct ToolInfo: Sendable, Codable, Equatable {
        public var name = "rehearse"
        public var version = RehearseVersion.current
    }

    public struct ScenarioInfo: Sendable, Codable, Equatable {
        public var name: String
        public var file: String
        public var migrations: String
        public var trackingTable: String
        /// True when the scenario named no tracking table and this one was found in the snapshot.
        public var trackingTableFound: Bool?
        public var mode: ExecutionMode
        public var session: [String: String]
        public var stepTimeoutSeconds: Double?
        public var budgets: Budgets
    }

    public struct SnapshotInfo: Sendable, Codable, Equatable {
        public var path: String
        public var sha256: String
        public var bytes: UInt64
        /// What the file is (plain SQL, zstd, gzip, or a pg_dump archive), by its content.
        public var format: SnapshotFormat?
        /// Time spent identifying the snapshot: hashing it, or finding its hash remembered
        /// for the unchanged file (embedded server).
        public var identifyMs: Double?
        /// Time spent restoring in this run, from an empty database to a ready template (on the
        /// embedded server: both settings switches and VACUUM ANALYZE included); 0 when a
        /// cached template was cloned.
        public var restoreMs: Double
        /// Time to get the scratch database from the cached template: a copy, or the rename
        /// of the spare copy an earlier run left (`fromSpare`).
        public var cloneMs: Double
        public var fromCache: Bool
        public var fromSpare: Bool?
        public var restore: RestoreSummary?

        /// How the scratch database came from the cache, for the reports.
        var cacheNote: String {
            fromSpare == true
                ? "taken from the spare copy of the cached template in \(Format.duration(cloneMs)) (restored and copied after earlier runs)"
                : "cloned from the cached template in \(Format.duration(cloneMs)) (restored in an earlier run)"
        }
    }

    public struct ServerInfo: Sendable, Codable, Equatable {
        public var version: String
        public var embedded: Bool
        public var name: String
    }
}

extension RehearsalReport {
    /// The documented exit code: 0 go, 1 no-go, 2 bad input, 3 interrupted or server trouble.
    public var exitCode: Int32 {
        if interrupted { return 3 }
        switch failureKind {
        case .input?: return 2
        case .server?, .internalError?: return 3
        case nil: return verdict == .fail ? 1 : 0
        }
    }
}

/// Why a run stopped before its end: bad input (the scenario, the migrations, the snapshot,
/// the traffic queries), the server (unreachable, gone, out of disk), or rehearse itself.
public enum FailureKind: String, Sendable, Codable {
    case input
    case server
    case internalError = "internal"
}

public enum RehearseVersion {
    public static let current = "0.1.0"
}

/// pass: every check and budget holds; warn: only warnings; fail: a check or budget failed;
/// not-run (a migration only): it was never rehearsed, so nothing about it is known.
public enum Verdict: String, Sendable, Codable, Comparable {
    case pass
    case warn
    case notRun = "not-run"
    case fail

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool {
        let order: [Verdict] = [.pass, .warn, .notRun, .fail]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// One migration's rehearsal.
public struct MigrationReport: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case rehearsed
        case failed
        case notRun = "not-run"
    }

    public var version: UInt64
    public var name: String
    public var upFile: String?
    public var downFile: String?
    public var status: Status
    /// Why it was not rehearsed (`status` not-run): the up that ended the path, an interrupt.
    public var notRunReason: String?
    public var steps: [StepReport] = []
    public var roundtrip = Roundtrip()
    /// How the run got back onto production's path after a failure only the rehearsal
    /// caused (a down, a second up), so the migrations after this one were still rehearsed.
    public var recovery: Recovery?
    public var findings: [Finding] = []
    public var verdict: Verdict = .pass

    public struct Roundtrip: Sendable, Codable, Equatable {
        /// nil when the check could not run (a step failed before it, or it was skipped).
        public var downRestoresSchema: Bool?
        public var reupMatchesFirstUp: Bool?
        public var differences: [SchemaDifference] = []
        /// Why no round trip was tried: the migration has no down to run (irreversible by
        /// intent), so only its up is rehearsed.
        public var skipped: String?
        /// Whether the down brings the data back (absent in older reports).
        public var data: DataRoundtrip?
    }

    public struct Recovery: Sendable, Codable, Equatable {
        /// What left the database off production's path.
        public var reason: String
        /// How production's state (this migration's first up applied) was rebuilt.
        public var method: Method
        /// Ups replayed on a fresh copy of the snapshot (`rebuilt`).
        public var replayedUps: Int
        public var durationMs: Double
        /// Whether the rebuilt schema matches the one the first up built.
        public var schemaMatchesFirstUp: Bool

        public enum Method: String, Sendable, Codable {
            /// The failed step rolled back whole: only the tracking table needed setting back,
            /// as `migrate force` would.
            case forced
            /// A fresh copy of the snapshot, fast-forwarded through the ups production runs.
            case rebuilt
        }

        public init(reason: String, method: Method, replayedUps: Int, durationMs: Double, schemaMatchesFirstUp: Bool) {
            self.reason = reason
            self.method = method
            self.replayedUps = replayedUps
            self.durationMs = durationMs
            self.schemaMatchesFirstUp = schemaMatchesFirstUp
        }

        /// One sentence for the reports.
        public var summary: String {
            let how = method == .forced
                ? "the failed step had rolled back whole, so the tracking table was set back to this migration's version as `migrate force` would"
                : "production's state was rebuilt on a fresh copy of the snapshot by replaying \(replayedUps) up migration(s) in \(Format.duration(durationMs))"
            return "\(reason); \(how)\(schemaMatchesFirstUp ? "" : ", but its schema differs from the first up's") — the later migrations were rehearsed from there"
        }
    }
}

/// One up or down run of one file.
public struct StepReport: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case ok
        case failed
        case skipped
    }

    public var direction: MigrationDirection
    /// 1 for the first up and the down, 2 for the second up.
    public var pass: Int
    public var status: Status
    /// Wall-clock time of the body as the client saw it.
    public var durationMs: Double
    /// Elapsed time on the server's clock around the body.
    public var serverMs: Double?
    public var error: PostgresError?
    public var timedOut = false
    /// True when the run was interrupted during this step (its failure is not the migration's).
    public var interrupted = false
    /// What the observers lost during the step (a dead lock sampler, a dropped traffic
    /// connection): the step's locks, waits or blocked traffic are incomplete.
    public var observationGaps: [String] = []
    public var statements: [StatementReport] = []
    /// Relation locks the step's backend was seen holding, strongest first.
    public var locks: [ObservedLock] = []
    /// Tables and indexes the step rewrote (new data file), from the faithful run.
    public var rewrote: [Rewrite] = []
    /// Total time the migration waited for locks, and each wait.
    public var migrationWaitMs: Double = 0
    public var migrationWaits: [MigrationWait] = []
    /// WAL written during the step (includes concurrent traffic's writes when traffic runs).
    public var walBytes: Int64?
    /// Change in database size over the step.
    public var sizeChangeBytes: Int64?
    public var traffic: StepTraffic?
    /// Traffic against the new schema after a first up, before the down (the soak period).
    public var trafficAfter: StepTraffic?
    /// The scenario's long transactions held open during this step.
    public var longTransactions: [HeldTransaction] = []
    /// Traffic queries blocked by the migration during the step.
    public var blocked: [BlockedEvent] = []
    /// How the step's time relates to the data it touched, and the production estimate.
    public var scale: StepScale?
    /// Whether statements were attributed by a traced re-run, and why not when they were not.
    public var traced = false
    public var traceNote: String?
    public var notices: [Notice] = []
    /// The tracking table after the step (nil: no version recorded).
    public var trackingAfter: TrackingTable.State?
    /// Why nothing ran: no file, or a blank body.
    public var skipReason: String?
}

/// A step against the size of the data it worked on.
public struct StepScale: Sendable, Codable, Equatable {
    /// The largest existing table the step works through row by row, and its rows in the snapshot.
    public var table: String
    public var rows: Int64
    public var rowsPerSecond: Double?
    /// What the step does row by row on `table`, e.g. "builds index public.idx on public.t".
    public var work: String?
    /// Production's rows of `table` (the scenario's `production_rows`, or the source row
    /// counts the snapshot's manifest recorded), when known.
    public var productionRows: Int64?
    public var estimatedProductionMs: Double?
    public var assumption: String?
}

/// One statement of a step's file, in order; `line` is where it starts in the file.
public struct StatementReport: Sendable, Codable, Equatable {
    public var line: Int?
    public var command: String
    public var rows: Int64?
    /// From the traced re-run (see `StepReport.traced`).
    public var durationMs: Double?
    public var locks: [LockTaken] = []
    public var rewrote: [Rewrite] = []
}

/// Something a person should know, from what was measured or what migrate does silently.
public struct Finding: Sendable, Codable, Equatable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case info
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.info, .warning, .error]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public var rule: Rule
    public var severity: Severity
    public var message: String
    /// The step it concerns, when it concerns one.
    public var step: StepKind?
    /// The table it concerns, when it concerns one.
    public var relation: String?
    public var file: String?
    public var line: Int?
    /// The safe alternative or the next thing to do.
    public var advice: String?
    /// The budget a measured figure was judged against, with the figures, when one was.
    public var judged: Judged?
    /// Why the team accepts this risk (`-- rehearse:accept RULE REASON` in the migration's
    /// file): the finding is then a note and does not change the verdict.
    public var accepted: String?

    public init(
        rule: Rule, severity: Severity, message: String, step: StepKind? = nil, relation: String? = nil, file: String? = nil,
        line: Int? = nil, advice: String? = nil, judged: Judged? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.step = step
        self.relation = relation
        self.file = file
        self.line = line
        self.advice = advice
        self.judged = judged
    }

    /// Where the finding stands among a migration's problems, lower first (`Rule.rank`); a
    /// failing down or second up is a round-trip failure, not a failing up.
    public var rank: Int {
        if rule.category == .execution, let step, step != .up { return Rule.roundtripDownIncomplete.rank }
        return rule.rank
    }

    /// Worst first: errors before warnings before notes, then by rank, as the reports list them.
    public static func worstFirst(_ findings: [Finding]) -> [Finding] {
        findings.enumerated().sorted { a, b in
            (b.element.severity, a.element.rank, a.offset) < (a.element.severity, b.element.rank, b.offset)
        }.map(\.element)
    }

    /// A figure judged against a budget: what was measured here (the faster of the
    /// measurements the run has) and, where production's rows are known, the estimate
    /// for production that decided the severity.
    public struct Judged: Sendable, Codable, Equatable {
        /// The scenario key of the budget, e.g. `budgets.lock_hold`.
        public var budget: String
        public var budgetMs: Double
        public var measuredMs: Double
        public var productionMs: Double?

        public init(budget: String, budgetMs: Double, measuredMs: Double, productionMs: Double? = nil) {
            self.budget = budget
            self.budgetMs = budgetMs
            self.measuredMs = measuredMs
            self.productionMs = productionMs
        }
    }
}

// MARK: - Reading reports written by other versions

/// report.json is the contract between runs: a report written by an older rehearse (missing
/// newer fields) must still load, so `rehearse diff` can compare last night with tonight.
extension KeyedDecodingContainer {
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

extension RehearsalReport {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.value(.schemaVersion, or: 1)
        tool = try c.value(.tool, or: ToolInfo())
        scenario = try c.decode(ScenarioInfo.self, forKey: .scenario)
        startedAt = try c.value(.startedAt, or: "")
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt)
        snapshot = try c.decode(SnapshotInfo.self, forKey: .snapshot)
        server = try c.decode(ServerInfo.self, forKey: .server)
        startVersion = try c.decodeIfPresent(Int64.self, forKey: .startVersion)
        endState = try c.decodeIfPresent(TrackingTable.State.self, forKey: .endState)
        migrations = try c.value(.migrations, or: [])
        findings = try c.value(.findings, or: [])
        verdict = try c.value(.verdict, or: .pass)
        verdictReason = try c.value(.verdictReason, or: "")
        interrupted = try c.value(.interrupted, or: false)
        failure = try c.decodeIfPresent(String.self, forKey: .failure)
        failureKind = try c.decodeIfPresent(FailureKind.self, forKey: .failureKind)
        lockSampleIntervalMs = try c.value(.lockSampleIntervalMs, or: 10)
        lockSampleQuietIntervalMs = try c.decodeIfPresent(Double.self, forKey: .lockSampleQuietIntervalMs)
        traffic = try c.decodeIfPresent(TrafficSummary.self, forKey: .traffic)
        releaseRollback = try c.decodeIfPresent(ReleaseRollback.self, forKey: .releaseRollback)
    }
}

extension MigrationReport {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(UInt64.self, forKey: .version)
        name = try c.value(.name, or: "")
        upFile = try c.decodeIfPresent(String.self, forKey: .upFile)
        downFile = try c.decodeIfPresent(String.self, forKey: .downFile)
        status = try c.value(.status, or: .rehearsed)
        notRunReason = try c.decodeIfPresent(String.self, forKey: .notRunReason)
        steps = try c.value(.steps, or: [])
        roundtrip = try c.value(.roundtrip, or: Roundtrip())
        recovery = try c.decodeIfPresent(Recovery.self, forKey: .recovery)
        findings = try c.value(.findings, or: [])
        verdict = try c.value(.verdict, or: .pass)
    }
}

extension StepReport {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        direction = try c.decode(MigrationDirection.self, forKey: .direction)
        pass = try c.value(.pass, or: 1)
        status = try c.decode(Status.self, forKey: .status)
        durationMs = try c.value(.durationMs, or: 0)
        serverMs = try c.decodeIfPresent(Double.self, forKey: .serverMs)
        error = try c.decodeIfPresent(PostgresError.self, forKey: .error)
        timedOut = try c.value(.timedOut, or: false)
        interrupted = try c.value(.interrupted, or: false)
        observationGaps = try c.value(.observationGaps, or: [])
        statements = try c.value(.statements, or: [])
        locks = try c.value(.locks, or: [])
        rewrote = try c.value(.rewrote, or: [])
        migrationWaitMs = try c.value(.migrationWaitMs, or: 0)
        migrationWaits = try c.value(.migrationWaits, or: [])
        walBytes = try c.decodeIfPresent(Int64.self, forKey: .walBytes)
        sizeChangeBytes = try c.decodeIfPresent(Int64.self, forKey: .sizeChangeBytes)
        traffic = try c.decodeIfPresent(StepTraffic.self, forKey: .traffic)
        trafficAfter = try c.decodeIfPresent(StepTraffic.self, forKey: .trafficAfter)
        longTransactions = try c.value(.longTransactions, or: [])
        blocked = try c.value(.blocked, or: [])
        scale = try c.decodeIfPresent(StepScale.self, forKey: .scale)
        traced = try c.value(.traced, or: false)
        traceNote = try c.decodeIfPresent(String.self, forKey: .traceNote)
        notices = try c.value(.notices, or: [])
        trackingAfter = try c.decodeIfPresent(TrackingTable.State.self, forKey: .trackingAfter)
        skipReason = try c.decodeIfPresent(String.self, forKey: .skipReason)
    }
}

extension StatementReport {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        line = try c.decodeIfPresent(Int.self, forKey: .line)
        command = try c.value(.command, or: "")
        rows = try c.decodeIfPresent(Int64.self, forKey: .rows)
        durationMs = try c.decodeIfPresent(Double.self, forKey: .durationMs)
        locks = try c.value(.locks, or: [])
        rewrote = try c.value(.rewrote, or: [])
    }
}
