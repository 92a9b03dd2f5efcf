import Foundation

/// Reading a report.json a person points at.
public enum ReportFile {
    public static func load(_ path: String) throws -> RehearsalReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportFileError(path: path, reason: "cannot read it (missing or not readable)")
        }
        do {
            return try JSONReport.decode(data)
        } catch {
            throw ReportFileError(path: path, reason: "not a rehearse report.json (\(error))")
        }
    }
}

/// A report.json that cannot be read back, and why.
public struct ReportFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
