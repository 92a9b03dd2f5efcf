/// Why the server a rehearsal needs could not be had, with what to do about it.
public enum ClusterError: Error, Sendable, CustomStringConvertible {
    case binariesNotFound(searched: [String])
    case commandFailed(command: String, output: String, logFile: String?)
    case noUnprivilegedAccount
    case filesystem(path: String, reason: String)
    case notOurs(database: String)
    case missingPrivilege(server: String, privilege: String)
    case databaseMissing(server: String, database: String)

    public var description: String {
        switch self {
        case .binariesNotFound(let searched):
            return "no PostgreSQL server binaries (initdb, pg_ctl) found; looked in \(searched.joined(separator: ", ")). Install them (scripts/bootstrap) or pass --database-url to use an existing server."
        case .commandFailed(let command, let output, let logFile):
            var text = "\(command) failed: \(output.isEmpty ? "no output" : output)"
            if let logFile { text += " (server log: \(logFile))" }
            return text
        case .noUnprivilegedAccount:
            return "running as root, but there is no unprivileged account (postgres or nobody) to run the embedded server as; create a 'postgres' user or pass --database-url."
        case .filesystem(let path, let reason):
            return "cannot prepare \(path): \(reason)"
        case .notOurs(let database):
            return "refusing to touch database \"\(database)\": rehearse did not create it (no rehearse marker)."
        case .missingPrivilege(let server, let privilege):
            return "the role used for \(server) lacks \(privilege); rehearse needs it to create its scratch database. Use a role with CREATEDB or the embedded server."
        case .databaseMissing(let server, let database):
            return "database \"\(database)\" does not exist on \(server); point --database-url at an existing database (e.g. /postgres)."
        }
    }
}
