/// Production's row counts per table, for the estimates that decide severity: the
/// scenario's `production_rows` first, then, for tables it leaves out, the source row counts
/// `snapshot create` recorded in the snapshot's manifest. Names are resolved on the
/// snapshot's own tables, so a key that names no table is said, not silently ignored.
struct ProductionRows {
    /// Rows per qualified table name (as the reports write it).
    var rows: [String: Int64] = [:]
    var findings: [Finding] = []

    static func resolve(
        _ scenario: [String: Int64], scenarioFile: String, manifest: SnapshotManifest?, tables: SnapshotTables
    ) -> ProductionRows {
        var result = ProductionRows()
        for table in manifest?.tables ?? [] {
            if let match = tables.table(named: table.name) { result.rows[match.qualified] = table.rows }
        }
        for (key, count) in scenario.sorted(by: { $0.key < $1.key }) {
            guard let match = tables.table(named: key) else {
                result.findings.append(Finding(
                    rule: .productionRowsUnknown, severity: .warning,
                    message: "production_rows names \(key), which is not a table of the snapshot: its estimate is not made",
                    file: scenarioFile,
                    advice: "write the table as schema.table, as the snapshot has it (see `rehearse snapshot inspect`)"))
                continue
            }
            result.rows[match.qualified] = count
        }
        return result
    }
}
