import PostgresClient

/// Why a snapshot could not be created from a source database, naming the program, the
/// file, the table or the column at fault and what to do. Source targets are always
/// redacted (`ConnectionTarget.redact`) before they are stored here.
public enum SnapshotCreationError: Error, Sendable, Equatable, CustomStringConvertible {
    case pgDumpMissing(searched: [String])
    case pgDumpNotRunnable(path: String, reason: String)
    case pgDumpFailed(path: String, status: Int32, stderr: String, source: String)
    case sourceUnreachable(source: String, reason: String)
    case sourceQueryFailed(source: String, reason: String)
    case outputNotWritable(path: String, reason: String)
    case compressionFailed(path: String, reason: String)
    case maskingRulesUnreadable(file: String, reason: String)
    /// `key` is `table` or `table.column` as written in the rules file.
    case maskingRuleInvalid(file: String, key: String, line: Int?, problem: String)
    case maskedTableNotFound(file: String, table: String)
    case maskedColumnNotFound(file: String, table: String, column: String, columns: [String])
    case maskedColumnNotMaskable(file: String, table: String, column: String, reason: String)
    case copyNotUnderstood(line: Int, statement: String)

    /// True when the source server (not the input) is the problem: it refused a catalog query,
    /// or pg_dump failed against it. The CLI maps these to exit code 3 (infrastructure) and
    /// every other case to 2 (bad input), an unreachable server included, as for every command:
    /// the URL given is what to fix.
    public var isSourceProblem: Bool {
        switch self {
        case .sourceQueryFailed, .pgDumpFailed: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .pgDumpMissing(let searched):
            return "pg_dump not found (looked in \(searched.isEmpty ? "PATH" : searched.joined(separator: ", "))); install the PostgreSQL client programs (scripts/bootstrap) or set REHEARSE_PG_BINDIR to the directory holding pg_dump."
        case .pgDumpNotRunnable(let path, let reason):
            return "cannot run \(path): \(reason); check that it is an executable pg_dump or set REHEARSE_PG_BINDIR to another PostgreSQL bin directory."
        case .pgDumpFailed(let path, let status, let stderr, let source):
            let output = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            var text = "\(path) failed (exit status \(status)) dumping \(source): \(output.isEmpty ? "no error output" : output)"
            if output.contains("server version mismatch") {
                text += "; pg_dump must be at least as new as the source server: install a newer PostgreSQL client and set REHEARSE_PG_BINDIR to its bin directory."
            } else {
                text += "; fix the cause above (permissions, connection, disk) and run `rehearse snapshot create` again."
            }
            return text
        case .sourceUnreachable(let source, let reason):
            return "cannot reach the source database \(source) (\(reason)); check the --from URL, that the server is running and accepts this role, and put a password in PGPASSWORD or ~/.pgpass."
        case .sourceQueryFailed(let source, let reason):
            return "a read-only catalog query on the source database \(source) failed (\(reason)); check that the role may read the catalog (pg_class, pg_attribute) and run again."
        case .outputNotWritable(let path, let reason):
            return "cannot write the snapshot \(path): \(reason); choose a writable --out path on a disk with enough free space."
        case .compressionFailed(let path, let reason):
            return "zstd compression of \(path) failed: \(reason); try a lower --level or check that libzstd is installed correctly."
        case .maskingRulesUnreadable(let file, let reason):
            return "cannot use the masking rules \(file): \(reason); write a YAML mapping of schema.table: {column: hash | fake | null | \"fixed value\"}."
        case .maskingRuleInvalid(let file, let key, let line, let problem):
            return "\(file)\(line.map { ":\($0)" } ?? ""): key `\(key)`: \(problem)."
        case .maskedTableNotFound(let file, let table):
            return "\(file) masks table \(table), which is not in the source database's dump; fix the table name (schema.table, as in the catalog) or remove its rules."
        case .maskedColumnNotFound(let file, let table, let column, let columns):
            return "\(file) masks column \(table).\(column), which the dump of \(table) does not contain (its columns: \(columns.isEmpty ? "none" : columns.joined(separator: ", "))); fix the column name or remove the rule."
        case .maskedColumnNotMaskable(let file, let table, let column, let reason):
            return "\(file) masks column \(table).\(column), but \(reason)."
        case .copyNotUnderstood(let line, let statement):
            return "pg_dump output line \(line) starts a COPY that rehearse cannot parse (\(statement.prefix(200))), so masking cannot be guaranteed; report this with the pg_dump version, or create the snapshot without --mask."
        }
    }
}
