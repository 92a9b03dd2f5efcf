import Foundation

/// Reads and writes `report.json`: stable key order and ISO dates, so two reports diff well.
public enum JSONReport {
    public static func encode(_ report: RehearsalReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }

    public static func decode(_ data: Data) throws -> RehearsalReport {
        try JSONDecoder().decode(RehearsalReport.self, from: data)
    }
}
