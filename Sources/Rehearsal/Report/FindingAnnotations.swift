import Foundation

/// Findings where CI systems show them on the migration's lines: GitHub workflow commands
/// and SARIF 2.1.0 (GitHub code scanning, GitLab, Azure DevOps). Paths are taken as given;
/// callers pass them relative to the repository root.
public enum FindingAnnotations {
    public struct Item: Sendable {
        public var finding: Finding
        /// Relative to the repository root.
        public var file: String?

        public init(finding: Finding, file: String?) {
            self.finding = finding
            self.file = file
        }
    }

    /// `::error file=…,line=…,title=…::message` lines (warnings as `::warning`, info skipped).
    public static func github(_ items: [Item]) -> String {
        items.compactMap { item -> String? in
            let command: String
            switch item.finding.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .info: return nil
            }
            var properties: [String] = []
            if let file = item.file { properties.append("file=\(escapeProperty(file))") }
            if let line = item.finding.line { properties.append("line=\(line)") }
            properties.append("title=\(escapeProperty("rehearse " + item.finding.rule.rawValue))")
            var message = item.finding.message
            if let advice = item.finding.advice { message += "\n" + advice }
            return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))"
        }.joined(separator: "\n")
    }

    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// A SARIF 2.1.0 log with one run of rehearse: each rule used, a result per finding.
    public static func sarif(_ items: [Item], toolVersion: String) throws -> Data {
        let used = Array(Set(items.map(\.finding.rule))).sorted { $0.rawValue < $1.rawValue }
        let log = SARIF.Log(runs: [SARIF.Run(
            tool: .init(driver: .init(
                name: "rehearse", version: toolVersion,
                rules: used.map { rule in
                    let page = MarkdownReport.ruleLink(rule)
                    return .init(
                        id: rule.rawValue, shortDescription: .init(text: rule.summary), help: .init(text: "What it means, why it matters and the safe way: \(page)"),
                        helpUri: page.contains("://") ? page : nil)
                })),
            results: items.map { item in
                SARIF.Result(
                    ruleId: item.finding.rule.rawValue,
                    level: item.finding.severity == .error ? "error" : item.finding.severity == .warning ? "warning" : "note",
                    message: .init(text: item.finding.message + (item.finding.advice.map { " " + $0 } ?? "")),
                    locations: item.file.map { file in
                        [.init(physicalLocation: .init(artifactLocation: .init(uri: file), region: item.finding.line.map { .init(startLine: $0) }))]
                    })
            })])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(log)
    }
}

/// The part of SARIF 2.1.0 rehearse writes.
enum SARIF {
    struct Log: Encodable {
        var schema = "https://json.schemastore.org/sarif-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }
    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
    }
    struct Tool: Encodable { var driver: Driver }
    struct Driver: Encodable {
        var name: String
        var version: String
        var rules: [ReportingDescriptor]
    }
    struct ReportingDescriptor: Encodable {
        var id: String
        var shortDescription: Text
        var help: Text
        /// Only an absolute URI (`REHEARSE_RULES_URL`); the page's path is in `help`.
        var helpUri: String?
    }
    struct Text: Encodable { var text: String }
    struct Result: Encodable {
        var ruleId: String
        var level: String
        var message: Text
        var locations: [Location]?
    }
    struct Location: Encodable { var physicalLocation: PhysicalLocation }
    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }
    struct ArtifactLocation: Encodable { var uri: String }
    struct Region: Encodable { var startLine: Int }
}
