/// Which tables' data a migration's down must bring back (`data_check`): with `touched`,
/// those that existed before the up and that the migration wrote, altered, rewrote or
/// dropped in the faithful run, or whose name its files mention (a step too short for the
/// lock sampler leaves its mark there); with `all`, every table that existed before the up.
enum DataCheckTables {
    /// Modes that come with changing a table's rows or definition (not index builds or
    /// foreign keys, which take SHARE locks to keep it still).
    static let writingModes: Set<String> = ["RowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]

    static func tables(for state: MigrationRehearsal, check: Scenario.DataCheck) -> [String] {
        guard let before = state.before else { return [] }
        let existing = before.tables
        switch check {
        case .off: return []
        case .all: return existing.sorted()
        case .touched: break
        }
        var touched = Set<String>()
        for step in state.entry.steps where step.pass == 1 {
            touched.formUnion(step.locks.filter { $0.granted && writingModes.contains($0.mode) }.map(\.relation))
            touched.formUnion(step.rewrote.map { $0.table ?? $0.relation })
        }
        if let afterUp = state.afterUp {
            touched.formUnion(existing.subtracting(afterUp.tables))
            for (key, definition) in before.objects where afterUp.objects[key] != definition {
                if let parent = before.parents[key] { touched.insert(parent) }
            }
        }
        let mentioned = identifiers(in: [state.migration.up, state.migration.down].compactMap { $0?.body })
        for table in existing where mentioned.contains(SnapshotTables.sqlParts(table).last ?? "") {
            touched.insert(table)
        }
        return touched.intersection(existing).sorted()
    }

    /// Identifiers a SQL text names: unquoted ones as PostgreSQL folds them (lower case),
    /// quoted ones as written.
    static func identifiers(in bodies: [String]) -> Set<String> {
        var names = Set<String>()
        for body in bodies {
            var quoted: String?
            var word = ""
            func flush() {
                if !word.isEmpty { names.insert(word.lowercased()) }
                word = ""
            }
            var characters = Array(body)[...]
            while let character = characters.popFirst() {
                if var name = quoted {
                    if character == "\"" {
                        if characters.first == "\"" {
                            characters.removeFirst()
                            name.append("\"")
                            quoted = name
                        } else {
                            names.insert(name)
                            quoted = nil
                        }
                    } else {
                        name.append(character)
                        quoted = name
                    }
                } else if character == "\"" {
                    flush()
                    quoted = ""
                } else if character.isLetter || character.isNumber || character == "_" || character == "$" {
                    word.append(character)
                } else {
                    flush()
                }
            }
            flush()
        }
        return names
    }
}
