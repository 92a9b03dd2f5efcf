import Yams

/// The `traffic:` section of a scenario.
extension Scenario {
    static let trafficKeys = ["connections", "rate", "baseline", "soak", "queries", "long_transactions"]
    static let queryKeys = ["name", "sql", "params", "weight"]
    static let longTransactionKeys = ["name", "sql", "hold"]

    static func parseTraffic(_ node: Node, reader: NodeReader) throws -> TrafficSpec {
        let map = try reader.mapping(node, key: "traffic", allowed: trafficKeys)
        var spec = TrafficSpec()
        if let value = try reader.number(map["connections"], key: "traffic.connections", range: 1...64) {
            spec.connections = Int(value)
        }
        if let text = try reader.string(map["rate"], key: "traffic.rate") {
            let trimmed = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
            guard let rate = Double(trimmed.trimmingCharacters(in: .whitespaces)), rate > 0, rate <= 10_000 else {
                throw ScenarioError(file: reader.file, key: "traffic.rate", line: map["rate"]?.mark?.line, problem: "\"\(text)\" is not a rate between 0 and 10000 queries per second, e.g. 200/s")
            }
            spec.rate = rate
        }
        if let seconds = try reader.duration(map["baseline"], key: "traffic.baseline", maximum: 600) {
            spec.baseline = seconds
        }
        if let node = map["soak"], let text = try reader.string(node, key: "traffic.soak") {
            if DurationText.seconds(text) == 0 {
                spec.soak = 0
            } else if let seconds = try reader.duration(node, key: "traffic.soak", maximum: 600) {
                spec.soak = seconds
            }
        }
        for (index, item) in try reader.sequence(map["queries"], key: "traffic.queries").enumerated() {
            let key = "traffic.queries[\(index)]"
            let query = try reader.mapping(item, key: key, allowed: queryKeys)
            let name = try reader.string(query["name"], key: key + ".name", required: true)!
            let sql = try reader.string(query["sql"], key: key + ".sql", required: true)!
            let parameters = try reader.sequence(query["params"], key: key + ".params").enumerated().map { position, node in
                TrafficSpec.Parameter.parse(try reader.string(node, key: key + ".params[\(position)]", required: true)!)
            }
            let weight = try reader.number(query["weight"], key: key + ".weight", range: 0.001...1_000_000) ?? 1
            spec.queries.append(.init(name: name, sql: sql, parameters: parameters, weight: weight))
        }
        for (index, item) in try reader.sequence(map["long_transactions"], key: "traffic.long_transactions").enumerated() {
            let key = "traffic.long_transactions[\(index)]"
            let entry = try reader.mapping(item, key: key, allowed: longTransactionKeys)
            let name = try reader.string(entry["name"], key: key + ".name") ?? "long_transaction_\(index + 1)"
            let sql = try reader.string(entry["sql"], key: key + ".sql", required: true)!
            guard let hold = try reader.duration(entry["hold"], key: key + ".hold", maximum: 3600) else {
                throw ScenarioError(file: reader.file, key: key + ".hold", problem: "is required: how long the transaction stays open, e.g. 3s")
            }
            spec.longTransactions.append(.init(name: name, sql: sql, hold: hold))
        }
        if spec.queries.isEmpty && spec.longTransactions.isEmpty {
            throw ScenarioError(file: reader.file, key: "traffic", line: node.mark?.line, problem: "needs at least one entry under queries or long_transactions")
        }
        return spec
    }
}

extension NodeReader {
    func sequence(_ node: Node?, key: String) throws -> [Node] {
        guard let node else { return [] }
        guard case .sequence(let items) = node else {
            throw ScenarioError(file: file, key: key, line: node.mark?.line, problem: "must be a list (lines starting with -)")
        }
        return Array(items)
    }
}
