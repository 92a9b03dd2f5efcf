import PostgresClient

/// A PostgreSQL server rehearse can create scratch databases on: its own embedded server
/// or an existing one reached by URL. What only a server rehearse runs itself can do sits
/// behind `ownServer`, so callers branch on that capability, never on the concrete type.
public protocol DatabaseServer: AnyObject {
    /// How to name the server in messages and reports; never contains a password.
    var displayName: String { get }
    /// Opens a session on `database`, or on the server's maintenance database when nil.
    func connect(database: String?) throws -> Connection
    /// The libpq target (URL or keyword string) for sessions opened on other threads.
    var connectionTarget: String { get }
    /// Stops what rehearse started; a no-op for an external server.
    func shutdown()
    /// The controls of a server rehearse runs itself; nil for an existing server, where
    /// rehearse may only create, write and drop its own databases.
    var ownServer: OwnServer? { get }
}

extension DatabaseServer {
    /// True for the embedded server rehearse started itself.
    public var isEmbedded: Bool { ownServer != nil }
}

/// What rehearse may do with a server it runs itself: keep caches on this machine beside
/// its data (restored snapshots as template databases, remembered snapshot hashes) and
/// restart it with bulk-loading settings.
public protocol OwnServer: AnyObject {
    /// rehearse's own directory beside the data directory, for its caches.
    var baseDirectory: String { get }
    var dataDirectory: String { get }
    /// True while the server runs with bulk-loading (non-durable) settings.
    var isLoading: Bool { get }
    /// Restarts the server with or without the loading settings; every open session ends.
    func restart(loading: Bool) throws
}

/// An existing server reached by URL or keyword string (`--database-url`,
/// `REHEARSE_DATABASE_URL`). rehearse only creates, writes and drops its own databases there.
public final class ExternalServer: DatabaseServer {
    public let connectionTarget: String

    public init(target: String) {
        connectionTarget = target
    }

    public var displayName: String { ConnectionTarget.redact(connectionTarget) }
    public var ownServer: OwnServer? { nil }

    public func connect(database: String?) throws -> Connection {
        try Connection(connectionTarget, database: database)
    }

    public func shutdown() {}

    /// Fails early and in one sentence, with a hint, when the server cannot be reached or
    /// the URL is wrong.
    public func checkReachable() throws {
        do {
            _ = try connect(database: nil)
        } catch let error as PostgresError {
            throw ServerInputError(target: displayName, message: error.message)
        }
    }
}

/// The server given by --database-url cannot be used as given: unreachable, wrong
/// credentials, a database that does not exist.
public struct ServerInputError: Error, Sendable, CustomStringConvertible {
    public var target: String
    public var message: String

    public var description: String {
        let hint: String
        if message.contains("password authentication failed") || message.contains("no password supplied") {
            hint = "check the user and password in --database-url (or PGPASSWORD / ~/.pgpass)"
        } else if message.contains("does not exist") {
            hint = "point --database-url at a database that exists (e.g. /postgres); rehearse creates its own scratch database"
        } else {
            hint = "check host, port and that the server is running and accepts connections"
        }
        return "\(message.hasPrefix("cannot connect") ? message : "cannot connect to \(target): \(message)"); \(hint)."
    }
}

