import PostgresClient

/// Values drawn once from the snapshot's own data (`random id from clips`), so traffic hits
/// real rows with production's distribution rather than made-up keys.
struct KeyPool: Sendable {
    private var values: [Parameter: [String]] = [:]
    typealias Parameter = TrafficSpec.Parameter

    static let sampleSize = 5000

    /// Samples every `random … from …` parameter of `spec` on `connection`.
    static func load(for spec: TrafficSpec, on connection: Connection) throws -> KeyPool {
        var pool = KeyPool()
        for query in spec.queries {
            for parameter in query.parameters {
                guard case .randomValue(let column, let table) = parameter, pool.values[parameter] == nil else { continue }
                let source = table.split(separator: ".").map { Identifier.quote(String($0)) }.joined(separator: ".")
                let sql = "SELECT \(Identifier.quote(column))::text FROM \(source) WHERE \(Identifier.quote(column)) IS NOT NULL ORDER BY random() LIMIT \(sampleSize)"
                let rows: [[String?]]
                do {
                    rows = try connection.query(sql).rows
                } catch let error as PostgresError {
                    throw TrafficError.keySample(query: query.name, parameter: "random \(column) from \(table)", error: error)
                }
                let drawn = rows.compactMap { $0.first ?? nil }
                guard !drawn.isEmpty else {
                    throw TrafficError.noKeys(query: query.name, parameter: "random \(column) from \(table)")
                }
                pool.values[parameter] = drawn
            }
        }
        return pool
    }

    func value(for parameter: Parameter, using generator: inout some RandomNumberGenerator) -> String {
        switch parameter {
        case .literal(let text):
            return text
        case .randomInteger(let range):
            return String(Int64.random(in: range, using: &generator))
        case .randomValue:
            let drawn = values[parameter] ?? []
            return drawn.isEmpty ? "" : drawn[Int.random(in: 0..<drawn.count, using: &generator)]
        }
    }
}

/// Why traffic could not be set up; names the query and parameter.
public enum TrafficError: Error, Sendable, CustomStringConvertible {
    case keySample(query: String, parameter: String, error: PostgresError)
    case noKeys(query: String, parameter: String)
    case baselineFailure(query: String, error: String)

    public var description: String {
        switch self {
        case .keySample(let query, let parameter, let error):
            return "traffic query \(query): cannot draw values for `\(parameter)` from the snapshot: \(error.message); check the table and column names in the scenario."
        case .noKeys(let query, let parameter):
            return "traffic query \(query): `\(parameter)` found no rows in the snapshot; use a table with data."
        case .baselineFailure(let query, let error):
            return "traffic query \(query) fails before any migration ran: \(error); fix the query in the scenario (it must work against the snapshot as production's code does)."
        }
    }
}
