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
        let names = Set(existing.map { SnapshotTables.sqlParts($0).last ?? "" })
        let mentioned = identifiers(in: [state.migration.up, state.migration.down].compactMap { $0?.body }, among: names)
        for table in existing where mentioned.contains(SnapshotTables.sqlParts(table).last ?? "") {
            touched.insert(table)
        }
        return touched.intersection(existing).sorted()
    }

    /// Identifiers a SQL text names, among `wanted` when it is given: unquoted ones as
    /// PostgreSQL folds them (ASCII lower case), quoted ones as written. One pass over the
    /// bytes, so a 50 MB migration costs milliseconds, not minutes.
    static func identifiers(in bodies: [String], among wanted: Set<String>? = nil) -> Set<String> {
        var names = Set<String>()
        let lengths = wanted.map { Set($0.map(\.utf8.count)) }
        func found(_ bytes: ArraySlice<UInt8>, fold: Bool) {
            guard !bytes.isEmpty, lengths?.contains(bytes.count) ?? true else { return }
            let name = String(decoding: fold ? bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }[...] : bytes, as: UTF8.self)
            if wanted?.contains(name) ?? true { names.insert(name) }
        }
        func isWordByte(_ byte: UInt8) -> Bool {
            byte >= 0x80 || byte == 0x5F || byte == 0x24 || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
        }
        for body in bodies {
            let bytes = Array(body.utf8)
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x22 {
                    // "quoted": as written, "" standing for one quote.
                    var name: [UInt8] = []
                    index += 1
                    while index < bytes.count {
                        if bytes[index] == 0x22 {
                            if index + 1 < bytes.count, bytes[index + 1] == 0x22 {
                                name.append(0x22)
                                index += 2
                                continue
                            }
                            break
                        }
                        name.append(bytes[index])
                        index += 1
                    }
                    found(name[...], fold: false)
                    index += 1
                } else if isWordByte(bytes[index]) {
                    let start = index
                    while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
                    found(bytes[start..<index], fold: true)
                } else {
                    index += 1
                }
            }
        }
        return names
    }
}
