import Foundation
import Yams

/// A rehearsal scenario (YAML): which snapshot, which migrations, and how production runs
/// them. Paths are relative to the scenario file; unknown keys are errors, so a typo never
/// silently falls back to a default.
public struct Scenario: Sendable {
    public var file: String
    public var name: String
    public var snapshotPath: String
    public var migrationsPath: String
    /// As written: a table name, or migrate's quoted form `"schema"."table"`.
    public var trackingTable: String
    /// False when the scenario names no tracking table: the rehearsal then looks for one of
    /// migrate's shape in the snapshot (`TrackingTableDiscovery`).
    public var trackingTableGiven = true
    /// The tracking table `trackingTable` names (validated when the scenario is read).
    public var tracking: TrackingTable { (try? TrackingTable.parse(trackingTable)) ?? TrackingTable(name: trackingTable) }
    public var mode: ExecutionMode
    /// `SET name = value` on the migration session before the first file, in file order.
    public var session: [(name: String, value: String)]
    /// Cancels a step that runs longer (seconds); nil for no limit.
    public var stepTimeout: Double?
    public var budgets: Budgets
    /// The application's traffic during the rehearsal; nil runs without traffic.
    public var traffic: TrafficSpec?
    /// Production's row counts per table (`schema.table`), for duration estimates.
    public var productionRows: [String: Int64] = [:]
    /// Which tables' data each down must bring back.
    public var dataCheck = DataCheck.touched
    /// Above this many rows a table's data is checked on a deterministic sample.
    public var dataCheckRows: Int64 = 100_000
    /// Roll the whole release back (`migrate goto` the snapshot's version) and forward again.
    public var releaseRollback = true

    /// The `session:` settings give every file a lock_timeout (one that is not 0).
    public var sessionSetsLockTimeout: Bool {
        guard let value = session.first(where: { $0.name.lowercased() == "lock_timeout" })?.value else { return false }
        return DurationText.seconds(value).map { $0 > 0 } ?? (value != "0")
    }

    /// `data_check`: the tables whose data a down must bring back.
    public enum DataCheck: String, Sendable, Codable {
        case off
        /// The tables the migration wrote, altered, rewrote or dropped, or names.
        case touched
        /// Every table that existed before the up.
        case all
    }

    static let topLevelKeys = [
        "name", "snapshot", "migrations", "tracking_table", "mode", "session", "step_timeout", "budgets", "traffic", "production_rows",
        "data_check", "data_check_rows", "release_rollback",
    ]
    static let budgetKeys = ["step_duration", "down_slower_factor", "lock_hold", "traffic_blocked"]

    public static func load(_ path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, problem: "cannot read the scenario file (missing or not readable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, problem: "the scenario file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Scenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: file, problem: "the scenario file is empty; it needs at least name, snapshot and migrations")
            }
            root = node
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw ScenarioError(file: file, line: Self.line(of: error), problem: "not valid YAML: \(error)")
        } catch {
            throw ScenarioError(file: file, problem: "not valid YAML: \(error)")
        }
        let reader = NodeReader(file: file)
        let top = try reader.mapping(root, key: nil, allowed: topLevelKeys)
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        func resolve(_ relative: String) -> String {
            relative.hasPrefix("/") ? relative : base.appendingPathComponent(relative).standardizedFileURL.path
        }

        let name = try reader.string(top["name"], key: "name", required: true)!
        guard !name.isEmpty, name.count <= 60 else {
            throw ScenarioError(file: file, key: "name", line: top["name"]?.mark?.line, problem: "must be 1 to 60 characters")
        }
        let snapshot = resolve(try reader.string(top["snapshot"], key: "snapshot", required: true)!)
        let migrations = resolve(try reader.string(top["migrations"], key: "migrations", required: true)!)
        let table = try reader.string(top["tracking_table"], key: "tracking_table") ?? "schema_migrations"
        do {
            _ = try TrackingTable.parse(table)
        } catch let error as TrackingTableNameError {
            throw ScenarioError(file: file, key: "tracking_table", line: top["tracking_table"]?.mark?.line, problem: error.description)
        }
        var mode = ExecutionMode.wholeFile
        if let text = try reader.string(top["mode"], key: "mode") {
            guard let parsed = ExecutionMode(rawValue: text) else {
                throw ScenarioError(
                    file: file, key: "mode", line: top["mode"]?.mark?.line,
                    problem: ExecutionMode.unknown(text))
            }
            mode = parsed
        }
        var session: [(String, String)] = []
        if let node = top["session"] {
            guard case .mapping(let mapping) = node else {
                throw ScenarioError(file: file, key: "session", line: node.mark?.line, problem: "must be a mapping of setting: value")
            }
            for (keyNode, valueNode) in mapping {
                let setting = keyNode.string ?? ""
                guard setting.range(of: #"^[A-Za-z_][A-Za-z0-9_.]*$"#, options: .regularExpression) != nil else {
                    throw ScenarioError(file: file, key: "session.\(setting)", line: keyNode.mark?.line, problem: "not a PostgreSQL setting name")
                }
                guard let value = valueNode.string else {
                    throw ScenarioError(file: file, key: "session.\(setting)", line: valueNode.mark?.line, problem: "must be a scalar value")
                }
                session.append((setting, value))
            }
        }
        let stepTimeout = try reader.duration(top["step_timeout"], key: "step_timeout", maximum: 7 * 24 * 3600)
        var budgets = Budgets()
        if let node = top["budgets"] {
            let map = try reader.mapping(node, key: "budgets", allowed: budgetKeys)
            if let value = try reader.duration(map["step_duration"], key: "budgets.step_duration", maximum: 7 * 24 * 3600) {
                budgets.stepDuration = value
            }
            if let value = try reader.number(map["down_slower_factor"], key: "budgets.down_slower_factor", range: 1...10_000) {
                budgets.downSlowerFactor = value
            }
            if let value = try reader.duration(map["lock_hold"], key: "budgets.lock_hold", maximum: 24 * 3600) {
                budgets.lockHold = value
            }
            if let value = try reader.duration(map["traffic_blocked"], key: "budgets.traffic_blocked", maximum: 24 * 3600) {
                budgets.trafficBlocked = value
            }
        }
        let traffic = try top["traffic"].map { try parseTraffic($0, reader: reader) }
        var productionRows: [String: Int64] = [:]
        if let node = top["production_rows"] {
            guard case .mapping(let mapping) = node else {
                throw ScenarioError(file: file, key: "production_rows", line: node.mark?.line, problem: "must be a mapping of table: row count")
            }
            for (keyNode, valueNode) in mapping {
                let table = keyNode.string ?? ""
                let qualified = table.contains(".") ? table : "public." + table
                guard let count = valueNode.string.flatMap({ Int64($0.replacingOccurrences(of: "_", with: "")) }), count >= 0 else {
                    throw ScenarioError(file: file, key: "production_rows.\(table)", line: valueNode.mark?.line, problem: "must be a whole number of rows")
                }
                productionRows[qualified] = count
            }
        }
        var scenario = Scenario(
            file: file, name: name, snapshotPath: snapshot, migrationsPath: migrations, trackingTable: table,
            mode: mode, session: session, stepTimeout: stepTimeout, budgets: budgets, traffic: traffic,
            productionRows: productionRows)
        scenario.trackingTableGiven = top["tracking_table"] != nil
        if let text = try reader.string(top["data_check"], key: "data_check") {
            guard let check = DataCheck(rawValue: text) else {
                throw ScenarioError(
                    file: file, key: "data_check", line: top["data_check"]?.mark?.line,
                    problem: "unknown value \"\(text)\"; use touched (the default), all or off")
            }
            scenario.dataCheck = check
        }
        if let rows = try reader.number(top["data_check_rows"], key: "data_check_rows", range: 1...1e15) {
            scenario.dataCheckRows = Int64(rows)
        }
        if let text = try reader.string(top["release_rollback"], key: "release_rollback") {
            guard let value = ["true": true, "on": true, "yes": true, "false": false, "off": false, "no": false][text.lowercased()] else {
                throw ScenarioError(
                    file: file, key: "release_rollback", line: top["release_rollback"]?.mark?.line, problem: "must be true or false")
            }
            scenario.releaseRollback = value
        }
        return scenario
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

/// Typed access to a YAML node with errors that name the key and line.
struct NodeReader {
    var file: String

    func mapping(_ node: Node, key: String?, allowed: [String]) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw ScenarioError(file: file, key: key, line: node.mark?.line, problem: "must be a mapping (key: value lines)")
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? ""
            let path = key.map { "\($0).\(name)" } ?? name
            guard allowed.contains(name) else {
                throw ScenarioError(
                    file: file, key: path, line: keyNode.mark?.line,
                    problem: "unknown key; allowed here: \(allowed.joined(separator: ", "))")
            }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node?, key: String, required: Bool = false) throws -> String? {
        guard let node else {
            if required { throw ScenarioError(file: file, key: key, problem: "is required") }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            throw ScenarioError(file: file, key: key, line: node.mark?.line, problem: "must be a text value")
        }
        return scalar.string
    }

    func duration(_ node: Node?, key: String, maximum: Double) throws -> Double? {
        guard let text = try string(node, key: key) else { return nil }
        guard let seconds = DurationText.seconds(text) else {
            throw ScenarioError(file: file, key: key, line: node?.mark?.line, problem: "\"\(text)\" is not a duration; write e.g. 500ms, 30s, 3m")
        }
        guard seconds > 0, seconds <= maximum else {
            throw ScenarioError(file: file, key: key, line: node?.mark?.line, problem: "\(text) is out of range (more than 0, at most \(Int(maximum))s)")
        }
        return seconds
    }

    func number(_ node: Node?, key: String, range: ClosedRange<Double>) throws -> Double? {
        guard let text = try string(node, key: key) else { return nil }
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")) else {
            throw ScenarioError(file: file, key: key, line: node?.mark?.line, problem: "\"\(text)\" is not a number")
        }
        guard range.contains(value) else {
            throw ScenarioError(file: file, key: key, line: node?.mark?.line, problem: "\(text) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return value
    }
}
