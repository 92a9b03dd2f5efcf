/// Server settings that make a bulk load fast but are wrong for measuring: switched on for
/// the embedded server while a snapshot is restored into a template, and back off (with a
/// checkpoint) before any migration runs. All of them take effect on reload; none needs a
/// restart. The data directory only holds caches, so a crash during a load at worst costs
/// a re-restore.
enum LoadingSettings {
    static let settings = [("fsync", "off"), ("full_page_writes", "off"), ("synchronous_commit", "off"), ("autovacuum", "off")]

    static func enable(on connection: Connection) throws {
        for (name, value) in settings {
            try connection.execute("ALTER SYSTEM SET \(name) = \(Identifier.literal(value))")
        }
        try connection.execute("SELECT pg_catalog.pg_reload_conf()")
    }

    static func disable(on connection: Connection) throws {
        for (name, _) in settings {
            try connection.execute("ALTER SYSTEM RESET \(name)")
        }
        try connection.execute("SELECT pg_catalog.pg_reload_conf()")
        // Give the reload a moment to reach the checkpointer, then write everything out durably.
        try connection.execute("SELECT pg_catalog.pg_sleep(0.05)")
        try connection.execute("CHECKPOINT")
    }
}
