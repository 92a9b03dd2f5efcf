/// Restored snapshots kept as template databases on the embedded server, keyed by the
/// snapshot's SHA-256, so every later run clones instead of restoring. A restore goes into a
/// `…_partial` database that is renamed only when complete: an interrupted or failed
/// restore never leaves a template that looks usable.
public struct TemplateCache {
    let databases: ScratchDatabases

    public init(databases: ScratchDatabases) {
        self.databases = databases
    }

    public static func templateName(for snapshot: Snapshot) -> String {
        ScratchDatabases.templatePrefix + String(snapshot.sha256.prefix(32))
    }

    /// The template for `snapshot`, restoring it first if it is not cached. Returns the
    /// template's name and the restore summary when a restore happened.
    public func template(
        for snapshot: Snapshot, restore: (_ database: String) throws -> RestoreSummary
    ) throws -> (name: String, restored: RestoreSummary?) {
        let name = Self.templateName(for: snapshot)
        if try databases.exists(name) {
            return (name, nil)
        }
        let partial = name + "_partial"
        if try databases.exists(partial) { try databases.drop(partial) }
        try databases.create(partial, purpose: "snapshot template (restoring) sha256=\(snapshot.sha256) path=\(snapshot.path)")
        do {
            let summary = try restore(partial)
            try databases.rename(partial, to: name)
            try databases.mark(name, purpose: "snapshot template sha256=\(snapshot.sha256) path=\(snapshot.path)")
            return (name, summary)
        } catch {
            try? databases.drop(partial)
            throw error
        }
    }
}
