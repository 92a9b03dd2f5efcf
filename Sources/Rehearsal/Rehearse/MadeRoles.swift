import PostgresClient

/// Roles belong to the server, not to a database: a role a migration makes outlives the
/// scratch database, so the replay on its copy (and the next run) would meet it as made
/// already ("role … already exists") and stop there. On rehearse's own server, which one
/// run uses at a time, the roles that appear during a run are the run's, and go with its
/// databases.
final class MadeRoles {
    private let server: DatabaseServer
    private let before: Set<String>

    /// The roles as they are now, before any migration runs.
    init(server: DatabaseServer, on connection: Connection) throws {
        self.server = server
        before = try Self.roles(on: connection)
    }

    /// Drops the roles made since the start; those still in use somewhere stay.
    func drop() {
        guard let (connection, made) = made() else { return }
        for role in made.sorted() {
            _ = try? connection.execute("DROP ROLE IF EXISTS \(Identifier.quote(role))")
        }
    }

    /// Whether a role was made since the start.
    func any() -> Bool {
        made()?.roles.isEmpty == false
    }

    /// The roles made since the start, read on a new session on the server.
    private func made() -> (connection: Connection, roles: Set<String>)? {
        guard let connection = try? server.connect(database: nil), let now = try? Self.roles(on: connection) else { return nil }
        return (connection, now.subtracting(before))
    }

    private static func roles(on connection: Connection) throws -> Set<String> {
        Set(try connection.query("SELECT rolname::pg_catalog.text FROM pg_catalog.pg_roles").rows.compactMap { $0[0] })
    }
}
