import Foundation

/// Writes a report's files into an output directory: report.json (the contract),
/// report.md, report.html, junit.xml and report.sarif, all rendered from the same model;
/// GitHub workflow annotations are printed, not written.
public enum ReportWriter {
    public enum Format: String, CaseIterable, Sendable {
        case json
        case md
        case html
        case junit
        case sarif
        /// `::error file=…,line=…::` lines for GitHub Actions.
        case github

        /// The file a run writes it to; nil for what is only printed.
        public var fileName: String? {
            switch self {
            case .json: return "report.json"
            case .md: return "report.md"
            case .html: return "report.html"
            case .junit: return "junit.xml"
            case .sarif: return "report.sarif"
            case .github: return nil
            }
        }

        /// The formats a run writes as files, in order.
        public static var files: [Format] { allCases.filter { $0.fileName != nil } }
    }

    public static func render(_ report: RehearsalReport, as format: Format) throws -> Data {
        switch format {
        case .json: return try JSONReport.encode(report)
        case .md: return Data(MarkdownReport.render(report).utf8)
        case .html: return Data(HTMLReport.render(report).utf8)
        case .junit: return Data(JUnitReport.render(report).utf8)
        case .sarif: return try FindingAnnotations.sarif(annotations(report), toolVersion: report.tool.version)
        case .github:
            let lines = FindingAnnotations.github(annotations(report))
            return Data((lines.isEmpty ? "" : lines + "\n").utf8)
        }
    }

    /// Every finding of the report, the run's and each migration's, with its file.
    static func annotations(_ report: RehearsalReport) -> [FindingAnnotations.Item] {
        (report.findings + report.migrations.flatMap(\.findings)).map { FindingAnnotations.Item(finding: $0, file: $0.file) }
    }

    public static func write(_ report: RehearsalReport, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: directory)
        for format in Format.files {
            try render(report, as: format).write(to: base.appendingPathComponent(format.fileName!))
        }
    }

    /// Makes `directory` ready for the report's files, before a run starts, so that a wrong
    /// `--out` never costs a whole rehearsal: nil when it is, else why not (a file in the way,
    /// a folder that cannot be made or written). Probes by writing, as permissions alone do
    /// not tell (root passes every permission check, and /proc refuses regardless).
    public static func prepareDestination(_ directory: String) -> String? {
        var isDirectory: ObjCBool = false
        var path = URL(fileURLWithPath: directory).standardizedFileURL.path
        while !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            let parent = (path as NSString).deletingLastPathComponent
            if parent == path || parent.isEmpty { break }
            path = parent
        }
        if FileManager.default.fileExists(atPath: path), !isDirectory.boolValue {
            return path == URL(fileURLWithPath: directory).standardizedFileURL.path
                ? "it is a file; give a folder for \(fileList)"
                : "\(path) is a file, so no folder can be made inside it"
        }
        // Each missing folder in turn, then a probe file, with the system's reason on failure.
        var made = path
        for component in URL(fileURLWithPath: directory).standardizedFileURL.path.dropFirst(path.count).split(separator: "/") {
            made += "/" + component
            if mkdir(made, 0o755) != 0 && errno != EEXIST { return "cannot create \(made): \(String(cString: strerror(errno)))" }
        }
        let probe = directory + "/.rehearse-write-test-\(getpid())"
        let descriptor = open(probe, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return "cannot write there: \(String(cString: strerror(errno)))" }
        close(descriptor)
        unlink(probe)
        for name in Format.files.compactMap(\.fileName) {
            if FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue {
                return "\(name) there is a folder"
            }
        }
        return nil
    }

    /// The files a run writes, for help text and errors.
    public static var fileList: String {
        Format.files.compactMap(\.fileName).joined(separator: ", ")
    }

    /// Workflow annotations for the report's findings when running in GitHub Actions
    /// (`GITHUB_ACTIONS=true`), so they show on the migration's lines; nil elsewhere.
    public static func gitHubAnnotations(_ report: RehearsalReport, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard environment["GITHUB_ACTIONS"] == "true" else { return nil }
        let lines = FindingAnnotations.github(annotations(report))
        return lines.isEmpty ? nil : lines
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
