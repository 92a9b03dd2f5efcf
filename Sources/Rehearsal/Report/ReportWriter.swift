import Foundation

/// Writes a report's files into an output directory.
public enum ReportWriter {
    public static func write(_ report: RehearsalReport, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: directory)
        try JSONReport.encode(report).write(to: base.appendingPathComponent("report.json"))
        try Data(MarkdownReport.render(report).utf8).write(to: base.appendingPathComponent("report.md"))
    }
}
