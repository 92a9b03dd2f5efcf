/// How far a restore has got, reported to whoever draws progress.
public struct RestoreProgress: Sendable {
    public var compressedBytesRead: UInt64
    public var totalBytes: UInt64
    public var uncompressedBytes: UInt64
    public var rowsCopied: Int64
    public var elapsedSeconds: Double
    /// Index, key and VACUUM jobs done and known so far (parallel restore; 0 of 0 before
    /// the post-data section is read).
    public var jobsDone = 0
    public var jobsTotal = 0
    /// True once every table's data is in.
    public var dataLoaded = false
}

/// What a restore did, for the report.
public struct RestoreSummary: Sendable, Codable, Equatable {
    public var statements: Int
    public var rowsCopied: Int64
    public var uncompressedBytes: UInt64
    public var durationMs: Double
    /// Roles the dump referred to that did not exist; created as NOLOGIN on the embedded server.
    public var createdRoles: [String]
    /// Ownership or grant statements skipped because their role does not exist (external server).
    public var skippedStatements: [String]
    public var dumpedFromVersion: String?
    public var pgDumpVersion: String?
    /// Where a parallel restore spent its time: until all data was in, then until the
    /// indexes and constraints were built. Indexes start on the tables already loaded while
    /// other tables still load, so part of that work falls inside `dataMs`.
    public var dataMs: Double?
    public var postDataMs: Double?
    /// Foreign keys marked valid without checking the data (`SnapshotRestorer.trustsForeignKeys`).
    public var trustedForeignKeys: Int?
    /// Sessions that loaded data in parallel with the reader.
    public var workers: Int?
    /// Making the template ready after the load (templates only), timed apart from it:
    /// the switch back to production-like settings, and the flush to disk.
    public var finishMs: Double?

    /// What the reports say about `trustedForeignKeys`.
    public var trustNote: String? {
        guard let trusted = trustedForeignKeys, trusted > 0 else { return nil }
        return "\(trusted) foreign key(s) taken as valid without checking the rows again: they held in the database the snapshot was dumped from"
    }
}
