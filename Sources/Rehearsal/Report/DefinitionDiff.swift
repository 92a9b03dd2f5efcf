import Foundation

/// Two definitions of one object (a function before up and after down) as a line diff, and
/// whether they differ only in comments or whitespace, which the report says in so many words.
enum DefinitionDiff {
    enum Line: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The longest common subsequence of lines, then what each side has beyond it. Nil for
    /// definitions too long to diff line by line (they are shown side by side).
    static func lines(_ expected: String, _ actual: String, limit: Int = 2000) -> [Line]? {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard a.count <= limit, b.count <= limit else { return nil }
        var common = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                common[i][j] = a[i] == b[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var out: [Line] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append(.same(a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || common[i + 1][j] >= common[i][j + 1] {
                out.append(.removed(a[i])); i += 1
            } else {
                out.append(.added(b[j])); j += 1
            }
        }
        return out
    }

    /// True when the two are the same once comments (`--` to the end of the line, `/* */`,
    /// also inside a function's body, where they are the body's comments) and whitespace are
    /// dropped.
    static func onlyCommentsOrWhitespace(_ expected: String, _ actual: String) -> Bool {
        func normal(_ text: String) -> String {
            text.replacingOccurrences(of: #"/\*[\s\S]*?\*/|--[^\n]*"#, with: " ", options: .regularExpression)
                .filter { !$0.isWhitespace }
        }
        return expected != actual && normal(expected) == normal(actual)
    }
}
