import Foundation
import PostgresClient

/// Creates and drops the databases rehearse owns. Every one carries a name prefix and a
/// marker comment; a database without both is never written to or dropped.
public struct ScratchDatabases {
    public static let prefix = "rehearse_"
    public static let scratchPrefix = "rehearse_run_"
    public static let templatePrefix = "rehearse_tpl_"
    static let marker = "created by rehearse:"

    let server: DatabaseServer

    public init(server: DatabaseServer) {
        self.server = server
    }

    /// A fresh name for a run's scratch database: prefix, scenario, process, random suffix.
    public static func scratchName(scenario: String) -> String {
        let slug = String(scenario.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }.prefix(24))
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(scratchPrefix)\(slug)_\(getpid())_\(suffix)"
    }

    /// Creates `name` (optionally as a copy of `template`) and marks it as rehearse's. With
    /// `interruption`, an interrupt cancels the copy.
    public func create(_ name: String, template: String? = nil, purpose: String, interruption: InterruptionToken? = nil) throws {
        let admin = try maintenanceConnection()
        interruption?.watch(admin.makeCancelHandle())
        defer { interruption?.watch(nil) }
        var sql = "CREATE DATABASE \(Identifier.quote(name))"
        if let template {
            sql += " TEMPLATE \(Identifier.quote(template))"
            if admin.serverVersionNumber >= 150000 { sql += " STRATEGY FILE_COPY" }
        }
        do {
            try admin.execute(sql)
        } catch let error as PostgresError where error.sqlState == SQLState.insufficientPrivilege {
            throw ClusterError.missingPrivilege(server: server.displayName, privilege: "the CREATEDB privilege")
        }
        try mark(name, purpose: purpose, on: admin)
    }

    /// Rewrites the marker comment of one of rehearse's databases.
    public func mark(_ name: String, purpose: String) throws {
        try mark(name, purpose: purpose, on: try maintenanceConnection())
    }

    private func mark(_ name: String, purpose: String, on admin: Connection) throws {
        try admin.execute("COMMENT ON DATABASE \(Identifier.quote(name)) IS \(Identifier.literal("\(Self.marker) \(purpose)"))")
    }

    /// Drops `name` if and only if rehearse created it (prefix and marker comment).
    public func drop(_ name: String) throws {
        let admin = try maintenanceConnection()
        guard try isOurs(name, on: admin) else { throw ClusterError.notOurs(database: name) }
        try admin.execute("DROP DATABASE IF EXISTS \(Identifier.quote(name)) WITH (FORCE)")
    }

    public func rename(_ name: String, to newName: String) throws {
        let admin = try maintenanceConnection()
        guard try isOurs(name, on: admin) else { throw ClusterError.notOurs(database: name) }
        try admin.execute("ALTER DATABASE \(Identifier.quote(name)) RENAME TO \(Identifier.quote(newName))")
    }

    /// Opens or closes `name` to connections (a closed one cannot change behind rehearse's back).
    public func allowConnections(_ name: String, _ allowed: Bool) throws {
        let admin = try maintenanceConnection()
        guard try isOurs(name, on: admin) else { throw ClusterError.notOurs(database: name) }
        try admin.execute("ALTER DATABASE \(Identifier.quote(name)) ALLOW_CONNECTIONS \(allowed)")
    }

    /// rehearse's databases on this server with their marker comments.
    public func list() throws -> [(name: String, comment: String)] {
        let admin = try maintenanceConnection()
        let rows = try admin.query(
            """
            SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database
            WHERE datname LIKE 'rehearse\\_%' ORDER BY datname
            """
        ).rows
        return rows.compactMap { row in
            guard let name = row[0], let comment = row[1], comment.hasPrefix(Self.marker) else { return nil }
            return (name, comment)
        }
    }

    /// Size on disk of each of rehearse's databases.
    public func sizes() throws -> [String: Int64] {
        let rows = try maintenanceConnection().query(
            "SELECT datname, pg_catalog.pg_database_size(oid) FROM pg_catalog.pg_database WHERE datname LIKE 'rehearse\\_%'"
        ).rows
        return Dictionary(rows.compactMap { row in row[0].map { ($0, Int64(row[1] ?? "") ?? 0) } }, uniquingKeysWith: { first, _ in first })
    }

    public func exists(_ name: String) throws -> Bool {
        try maintenanceConnection().scalar("SELECT 1 FROM pg_database WHERE datname = $1", [name]) != nil
    }

    func isOurs(_ name: String, on admin: Connection) throws -> Bool {
        guard name.hasPrefix(Self.prefix) else { return false }
        let comment = try admin.scalar(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", [name])
        return comment?.hasPrefix(Self.marker) == true
    }

    private func maintenanceConnection() throws -> Connection {
        try server.connect(database: nil)
    }
}
