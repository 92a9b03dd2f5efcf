/// Whether a down brings the data back, not only the schema: the tables the migration
/// touched, fingerprinted before up and after down on a copy of the snapshot with no
/// traffic (`DataFingerprint`).
public struct DataRoundtrip: Sendable, Codable, Equatable {
    /// The tables checked.
    public var tables: [String] = []
    /// Tables read on a sample, and how.
    public var samples: [String: String] = [:]
    public var losses: [DataLoss] = []
    /// Why the check did not run, when it did not.
    public var skipped: String?

    public init(tables: [String] = [], samples: [String: String] = [:], losses: [DataLoss] = [], skipped: String? = nil) {
        self.tables = tables
        self.samples = samples
        self.losses = losses
        self.skipped = skipped
    }

    /// nil when not checked.
    public var restoresData: Bool? { skipped == nil ? losses.isEmpty : nil }
}

/// The rollback of the whole release, as `migrate goto <the snapshot's version>` does it:
/// every down in reverse order on one session, with migrate's tracking protocol, while the
/// deployed application's traffic keeps running; then the schema and data compared with the
/// snapshot's, and the ups run again to the end (the roll forward after a fix).
public struct ReleaseRollback: Sendable, Codable, Equatable {
    /// The version `goto` went back to: the snapshot's (nil: it recorded none).
    public var targetVersion: Int64?
    /// The downs, newest first.
    public var steps: [ReleaseStep] = []
    public var schemaRestored: Bool?
    public var dataRestored: Bool?
    /// What the schema after the rollback lacks or has that the snapshot's did not.
    public var differences: [SchemaDifference] = []
    /// What the data after the rollback lacks (a copy without traffic, the tables the
    /// release touched).
    public var dataDifferences: [DataLoss] = []
    /// The ups again, oldest first.
    public var rollForward: [ReleaseStep] = []
    /// Why the release was not rolled back, when it was not.
    public var skipped: String?
    /// How the rollback started when the release did not reach its end (an up failed and
    /// rolled back whole, so the version before it was forced, as a person would).
    public var note: String?

    public init(targetVersion: Int64?, skipped: String? = nil) {
        self.targetVersion = targetVersion
        self.skipped = skipped
    }
}

/// One step of the release rollback or roll forward.
public struct ReleaseStep: Sendable, Codable, Equatable {
    public var version: UInt64
    public var name: String
    public var step: StepReport

    public init(version: UInt64, name: String, step: StepReport) {
        self.version = version
        self.name = name
        self.step = step
    }
}

extension DataRoundtrip {
    /// One sentence for every format.
    public var summary: String {
        if let skipped { return "not checked: \(skipped)" }
        guard !tables.isEmpty else { return "no table of the snapshot is touched, so there is no data to compare" }
        let sampled = samples.isEmpty ? "" : "; \(samples.count) on a sample (\(samples.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")))"
        let verdict = losses.isEmpty ? "all of it is back after down" : "\(losses.count) loss(es) after down"
        return "\(tables.count) table(s) fingerprinted before up and after down (\(tables.joined(separator: ", "))\(sampled)): \(verdict)"
    }
}

extension ReleaseRollback {
    /// One sentence for every format.
    public var summary: String {
        if let skipped { return "not rolled back: \(skipped)" }
        let target = targetVersion.map { "version \($0)" } ?? "no version"
        var parts = (note.map { [$0] } ?? []) + ["\(steps.count) down(s) to \(target)"]
        if let failed = steps.first(where: { $0.step.status == .failed }) {
            parts.append("migration \(failed.version)'s down failed, where migrate stops")
        }
        if let restored = schemaRestored {
            parts.append(restored ? "the schema is the snapshot's again" : "\(differences.count) schema object(s) differ from the snapshot's")
        }
        if let restored = dataRestored {
            parts.append(restored ? "the data the release touched is back" : "\(dataDifferences.count) data loss(es)")
        }
        if !rollForward.isEmpty {
            let failed = rollForward.first { $0.step.status == .failed }
            parts.append("then \(rollForward.count) up(s) forward again" + (failed.map { ", migration \($0.version)'s up failed" } ?? ""))
        }
        return parts.joined(separator: "; ")
    }
}
