/// The outcome of one statement of a simple-protocol query: its command tag (`CREATE INDEX`,
/// `UPDATE 42`), the rows it affected and, for queries that return rows, the rows as text.
public struct StatementResult: Sendable, Equatable {
    public var commandTag: String
    public var rowsAffected: Int64?
    public var columns: [String]
    public var rows: [[String?]]

    /// The command word(s) without the row count: `INSERT 0 5` → `INSERT`.
    public var command: String {
        commandTag.split(separator: " ").prefix { Int($0) == nil }.joined(separator: " ")
    }
}

/// Everything a script produced before it finished or failed: golang-migrate sends a file as
/// one query, and the statements that completed before an error are still worth reporting.
public struct ScriptResult: Sendable {
    public var statements: [StatementResult]
    public var error: PostgresError?
    public var notices: [Notice]
}
