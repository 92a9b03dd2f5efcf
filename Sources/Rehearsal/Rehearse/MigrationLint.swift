import Foundation

/// What can be told of a migrations directory by reading it, with no database: files
/// migrate cannot run as written (errors), and risks a reviewer should see (warnings). The
/// pull-request check (`rehearse check`); the rehearsal measures the rest.
public struct MigrationLint: Sendable {
    public var mode: ExecutionMode
    /// The scenario's session sets lock_timeout for every file.
    public var sessionSetsLockTimeout: Bool

    public init(mode: ExecutionMode, sessionSetsLockTimeout: Bool = false) {
        self.mode = mode
        self.sessionSetsLockTimeout = sessionSetsLockTimeout
    }

    /// A finding and the migration it concerns (nil for the directory).
    public struct Result: Sendable {
        public var version: UInt64?
        public var finding: Finding
    }

    public func check(_ directory: MigrationDirectory) -> [Result] {
        var results: [Result] = directory.ignoredFiles.map { name in
            Result(version: nil, finding: Finding(
                rule: .ignoredFile, severity: .warning, message: "\(name) does not match {version}_{name}.up|down.{ext}; migrate ignores it",
                file: directory.path + "/" + name, advice: "rename it to {version}_{name}.up.sql or .down.sql, or move it out of the directory"))
        }
        for migration in directory.migrations {
            var findings = [migration.up, migration.down].compactMap { $0 }.flatMap(check)
            findings += FindingRules.rollbackFileFindings(migration, mode: mode)
            // Accepts of risks only a rehearsal measures match nothing here: not stale.
            findings = FindingRules.accepting(findings, risks: migration.acceptedRisks).filter { $0.rule != .acceptStale }
            results += Finding.worstFirst(findings).map { Result(version: migration.version, finding: $0) }
        }
        return results
    }

    func check(_ file: MigrationFile) -> [Finding] {
        var findings: [Finding] = []
        if file.startsWithByteOrderMark {
            findings.append(Finding(
                rule: .lintByteOrderMark, severity: .error,
                message: "starts with a UTF-8 byte-order mark; migrate sends it, and the server reads it as part of the first word",
                file: file.path, line: 1, advice: "save the file as UTF-8 without a byte-order mark"))
        }
        let statements = StatementSplitter.statements(of: file.body)
            .map { (opening: SQLText.statementOpenings($0.text).first ?? "", line: $0.line, text: $0.text) }
            .filter { !$0.opening.isEmpty }
        switch mode {
        case .wholeFile where statements.count > 1:
            if let alone = statements.first(where: { Self.cannotRunInTransaction($0.opening) }) {
                findings.append(Finding(
                    rule: .lintTransactionBlock, severity: .error,
                    message: "\(Self.snippet(alone.text)) cannot run inside a transaction block, and migrate sends this file of \(statements.count) statements as one query, one implicit transaction: it fails with SQLSTATE 25001",
                    file: file.path, line: alone.line,
                    advice: "put the statement alone in its own migration file"))
            }
        case .multiStatement:
            for hazard in SplitHazard.find(in: file.body) {
                findings.append(Finding(
                    rule: .lintSplitHazard, severity: .error,
                    message: "a ';' inside \(hazard.context.rawValue); migrate's multi-statement mode splits there, so the statement is sent in pieces and fails",
                    file: file.path, line: hazard.line, advice: SplitHazard.advice([hazard], file: file.fileName)))
            }
        default:
            break
        }
        var timeoutSet = sessionSetsLockTimeout
        var created: Set<String> = []
        for statement in statements {
            if Self.setsLockTimeout(statement.opening) { timeoutSet = true }
            if let table = Self.createdTable(statement.opening) { created.insert(table) }
            // A table made earlier in the same file is new: nobody else uses it yet.
            let targets = Self.lockedTables(statement.opening)
            guard !timeoutSet, Self.takesBlockingLock(statement.opening), targets.isEmpty || !targets.isSubset(of: created) else { continue }
            findings.append(Finding(
                rule: .lockNoTimeout, severity: .warning,
                message: "\(Self.snippet(statement.text)) takes a lock\(targets.isEmpty ? "" : " on " + targets.sorted().joined(separator: ", ").lowercased()) that blocks the application, with no lock_timeout set before it in the file or the session: behind one long transaction, the migration and all traffic wait without limit",
                file: file.path, line: statement.line,
                advice: "SET lock_timeout = '2s' at the top of the file (or in the scenario's session) and retry on failure"))
            break
        }
        return findings
    }

    static func cannotRunInTransaction(_ opening: String) -> Bool {
        let concurrently = opening.contains(" CONCURRENTLY")
        if concurrently && ["CREATE INDEX", "CREATE UNIQUE INDEX", "DROP INDEX", "REINDEX"].contains(where: { SQLText.opening(opening, is: $0) }) {
            return true
        }
        if SQLText.opening(opening, is: "ALTER TABLE"), opening.contains("DETACH PARTITION"), concurrently { return true }
        return ["VACUUM", "CREATE DATABASE", "DROP DATABASE", "ALTER SYSTEM", "CREATE TABLESPACE", "DROP TABLESPACE", "CREATE SUBSCRIPTION", "DROP SUBSCRIPTION"]
            .contains { SQLText.opening(opening, is: $0) }
    }

    static func takesBlockingLock(_ opening: String) -> Bool {
        if opening.contains(" CONCURRENTLY") { return false }
        if SQLText.opening(opening, is: "CREATE TABLE") { return opening.contains("REFERENCES") }
        return ["ALTER TABLE", "CREATE INDEX", "CREATE UNIQUE INDEX", "DROP INDEX", "DROP TABLE", "TRUNCATE", "LOCK", "REINDEX", "CLUSTER",
                "VACUUM FULL", "REFRESH MATERIALIZED VIEW", "CREATE TRIGGER", "DROP TRIGGER", "ALTER INDEX", "ALTER MATERIALIZED VIEW", "CREATE RULE"]
            .contains { SQLText.opening(opening, is: $0) }
    }

    static func setsLockTimeout(_ opening: String) -> Bool {
        (SQLText.opening(opening, is: "SET") && opening.contains("LOCK_TIMEOUT")) || opening.contains("SET_CONFIG('LOCK_TIMEOUT'")
    }

    /// How a statement begins, as written: its first line without comments, at most 60 characters.
    static func snippet(_ statement: String) -> String {
        let line = SQLText.strippingComments(statement).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
        let trimmed = line.hasSuffix(";") ? String(line.dropLast()) : line
        return trimmed.count > 60 ? String(trimmed.prefix(57)) + "…" : trimmed
    }

    /// The table `CREATE TABLE` makes, normalised as `lockedTables` names them.
    static func createdTable(_ opening: String) -> String? {
        guard SQLText.opening(opening, is: "CREATE TABLE") || SQLText.opening(opening, is: "CREATE UNLOGGED TABLE") else { return nil }
        return name(after: opening.components(separatedBy: " TABLE ").dropFirst().joined(separator: " TABLE "))
    }

    /// The existing tables a locking statement locks: the one it alters, indexes or triggers
    /// on, or those a new table references.
    static func lockedTables(_ opening: String) -> Set<String> {
        if SQLText.opening(opening, is: "CREATE TABLE") {
            return Set(opening.components(separatedBy: "REFERENCES ").dropFirst().compactMap { name(after: $0) })
        }
        if let on = opening.range(of: " ON "), !SQLText.opening(opening, is: "ALTER TABLE") {
            return Set([name(after: String(opening[on.upperBound...]))].compactMap { $0 })
        }
        for phrase in ["ALTER TABLE ", "ALTER INDEX ", "LOCK TABLE ", "LOCK ", "TRUNCATE TABLE ", "TRUNCATE ", "DROP TABLE ", "CLUSTER "] where opening.hasPrefix(phrase) {
            return Set([name(after: String(opening.dropFirst(phrase.count)))].compactMap { $0 })
        }
        return []
    }

    /// The first name in `text`, past IF [NOT] EXISTS and ONLY, without schema `public`,
    /// quotes or what follows it.
    private static func name(after text: String) -> String? {
        let skipped: Set<String> = ["IF", "NOT", "EXISTS", "ONLY"]
        guard let word = text.split(whereSeparator: { $0.isWhitespace }).map(String.init).first(where: { !skipped.contains($0) }) else { return nil }
        var name = String(word.prefix { $0 != "(" && $0 != ";" && $0 != "," }).replacingOccurrences(of: "\"", with: "")
        if name.hasPrefix("PUBLIC.") { name.removeFirst(7) }
        return name.isEmpty ? nil : name
    }
}
