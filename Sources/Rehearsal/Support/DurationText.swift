import Foundation

/// Durations as people write them, in a scenario or on the command line: `250ms`, `5s`,
/// `3m`, `2min`, `1h`, or a bare number of seconds; ages (`cache prune --older-than 7d`) may
/// also be in days, which no timeout or budget in a scenario should be.
public enum DurationText {
    public static func seconds(_ text: String, allowingDays: Bool = false) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("min", 60), ("m", 60), ("h", 3600)]
            + (allowingDays ? [("d", 86400)] : [])
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) else { return nil }
            return value * factor
        }
        return Double(trimmed)
    }
}
