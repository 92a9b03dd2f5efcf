/// Sizes as people write them on the command line (ages go through `DurationText`).
public enum SizeText {
    public static func bytes(_ text: String) -> Int64? {
        let upper = text.uppercased().replacingOccurrences(of: " ", with: "")
        let units: [(String, Double)] = [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1)]
        for (suffix, factor) in units where upper.hasSuffix(suffix) {
            return Double(upper.dropLast(suffix.count)).map { Int64($0 * factor) }
        }
        return Int64(upper)
    }
}
