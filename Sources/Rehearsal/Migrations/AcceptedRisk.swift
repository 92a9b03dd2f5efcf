import Foundation

/// A risk the team accepts, written where the migration is: a comment
/// `-- rehearse:accept RULE REASON` in its up or down file. The rule's findings for that
/// migration become notes marked accepted, with the reason, and do not change the verdict.
public struct AcceptedRisk: Sendable, Equatable {
    /// The rule id as the reports write it, e.g. `lock.index-build-blocks-writes`.
    public var rule: String
    public var reason: String
    public var file: String
    public var line: Int

    public init(rule: String, reason: String, file: String, line: Int) {
        self.rule = rule
        self.reason = reason
        self.file = file
        self.line = line
    }

    static let pattern = try! NSRegularExpression(pattern: #"^\s*--\s*rehearse:accept\b[ \t]*(\S*)[ \t]*(.*?)\s*$"#)

    /// Every accept in `file`, in the order written.
    public static func all(in file: MigrationFile?) -> [AcceptedRisk] {
        guard let file else { return [] }
        var accepts: [AcceptedRisk] = []
        for (index, line) in file.body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains("rehearse:accept") {
            let text = String(line)
            let range = NSRange(text.startIndex..., in: text)
            guard let match = pattern.firstMatch(in: text, range: range) else { continue }
            func group(_ number: Int) -> String { Range(match.range(at: number), in: text).map { String(text[$0]) } ?? "" }
            accepts.append(AcceptedRisk(rule: group(1), reason: group(2), file: file.path, line: index + 1))
        }
        return accepts
    }
}

extension Migration {
    /// The accepts of its up and down files.
    public var acceptedRisks: [AcceptedRisk] { AcceptedRisk.all(in: up) + AcceptedRisk.all(in: down) }
}
