/// A PostgreSQL server rehearse can create scratch databases on: its own embedded server
/// or an existing one reached by URL.
public protocol DatabaseServer: AnyObject {
    /// True for the embedded server rehearse started itself.
    var isEmbedded: Bool { get }
    /// How to name the server in messages and reports; never contains a password.
    var displayName: String { get }
    /// Opens a session on `database`, or on the server's maintenance database when nil.
    func connect(database: String?) throws -> Connection
    /// The libpq target (URL or keyword string) for sessions opened on other threads.
    var connectionTarget: String { get }
    /// Stops what rehearse started; a no-op for an external server.
    func shutdown()
}

/// An existing server reached by URL or keyword string (`--database-url`,
/// `REHEARSE_DATABASE_URL`). rehearse only creates, writes and drops its own databases there.
public final class ExternalServer: DatabaseServer {
    public let connectionTarget: String

    public init(target: String) {
        connectionTarget = target
    }

    public var isEmbedded: Bool { false }
    public var displayName: String { ConnectionTarget.redact(connectionTarget) }

    public func connect(database: String?) throws -> Connection {
        try Connection(connectionTarget, database: database)
    }

    public func shutdown() {}
}
