import Foundation

/// Writes a report's files into an output directory: report.json (the contract),
/// report.md, report.html and junit.xml, all rendered from the same model.
public enum ReportWriter {
    public enum Format: String, CaseIterable, Sendable {
        case json
        case md
        case html
        case junit

        public var fileName: String {
            switch self {
            case .json: return "report.json"
            case .md: return "report.md"
            case .html: return "report.html"
            case .junit: return "junit.xml"
            }
        }
    }

    public static func render(_ report: RehearsalReport, as format: Format) throws -> Data {
        switch format {
        case .json: return try JSONReport.encode(report)
        case .md: return Data(MarkdownReport.render(report).utf8)
        case .html: return Data(HTMLReport.render(report).utf8)
        case .junit: return Data(JUnitReport.render(report).utf8)
        }
    }

    public static func write(_ report: RehearsalReport, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: directory)
        for format in Format.allCases {
            try render(report, as: format).write(to: base.appendingPathComponent(format.fileName))
        }
    }

    /// Appends the Markdown report to GitHub's job summary when running in GitHub Actions.
    public static func appendToGitHubSummary(_ report: RehearsalReport, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty,
            let handle = FileHandle(forWritingAtPath: path)
        else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((MarkdownReport.render(report) + "\n").utf8))
    }
}
