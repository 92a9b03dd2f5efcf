import Foundation

/// Number formatting shared by the renderers.
public enum Format {
    /// 0.4 ms, 12 ms, 1.25 s, 3 min 20 s.
    public static func duration(_ milliseconds: Double) -> String {
        if milliseconds < 1 { return String(format: "%.1f ms", milliseconds) }
        if milliseconds < 1000 { return String(format: "%.0f ms", milliseconds) }
        let seconds = milliseconds / 1000
        if seconds < 60 { return String(format: "%.2f s", seconds) }
        return String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
    }

    /// A signed count (PostgreSQL sizes are bigint); negative counts as 0.
    public static func bytes(_ count: Int64) -> String {
        bytes(UInt64(max(count, 0)))
    }

    /// 512 B, 3.4 MB, 1.2 GB (decimal units).
    public static func bytes(_ count: UInt64) -> String {
        let value = Double(count)
        if value < 1000 { return "\(count) B" }
        if value < 1e6 { return String(format: "%.1f kB", value / 1e3) }
        if value < 1e9 { return String(format: "%.1f MB", value / 1e6) }
        return String(format: "%.2f GB", value / 1e9)
    }

    /// 40,000,000: a count with thousands separators, the same on every machine.
    public static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}
