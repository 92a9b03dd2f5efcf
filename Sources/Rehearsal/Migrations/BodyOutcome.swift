import PostgresClient

/// What running one migration file did: the statements that completed (with their command
/// tags), the error that stopped it (located in the file), and whether it timed out.
public struct BodyOutcome: Sendable {
    public var statements: [StatementResult]
    public var error: PostgresError?
    public var notices: [Notice]
    /// True when nothing was sent: no file, or a whitespace-only body.
    public var skipped: Bool
    /// True when the per-step timeout cancelled the query.
    public var timedOut: Bool
}
