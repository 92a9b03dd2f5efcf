/// Durations as people write them in a scenario: `250ms`, `5s`, `3m`, `1h`, or a bare
/// number of seconds.
enum DurationText {
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("min", 60), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) else { return nil }
            return value * factor
        }
        return Double(trimmed)
    }
}

import Foundation
