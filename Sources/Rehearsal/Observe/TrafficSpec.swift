/// The application traffic production sees while it migrates, as the scenario describes it:
/// named queries with weights, drawn keys, a total rate spread over some connections, and
/// optional long transactions that provoke the lock queue.
public struct TrafficSpec: Sendable, Equatable {
    public struct Query: Sendable, Equatable {
        public var name: String
        public var sql: String
        public var parameters: [Parameter]
        public var weight: Double
    }

    /// Where a query parameter's value comes from.
    public enum Parameter: Sendable, Equatable, Hashable {
        /// `random id from clips`: a value drawn from the snapshot's own data.
        case randomValue(column: String, table: String)
        /// `random int 1..100`
        case randomInteger(ClosedRange<Int64>)
        case literal(String)

        public static func parse(_ text: String) -> Parameter {
            let words = text.split(separator: " ").map(String.init)
            if words.count == 4, words[0] == "random", words[2] == "from" {
                return .randomValue(column: words[1], table: words[3])
            }
            if words.count == 3, words[0] == "random", words[1] == "int" {
                let bounds = words[2].components(separatedBy: "..")
                if bounds.count == 2, let low = Int64(bounds[0]), let high = Int64(bounds[1]), low <= high {
                    return .randomInteger(low...high)
                }
            }
            return .literal(text)
        }
    }

    /// A transaction that takes a lock and holds it, started just before the first up of each
    /// migration (a report query, a slow batch job).
    public struct LongTransaction: Sendable, Equatable {
        public var name: String
        public var sql: String
        public var hold: Double
    }

    public var connections: Int = 4
    /// Queries per second over all connections.
    public var rate: Double = 100
    /// Seconds of traffic before the first step, to know normal latency.
    public var baseline: Double = 2
    /// Seconds of traffic against the new schema after each first up, before its down: the
    /// deployed code meets the migrated schema here, so incompatibilities surface.
    public var soak: Double = 1
    public var queries: [Query] = []
    public var longTransactions: [LongTransaction] = []

    public init() {}
}

import Foundation
