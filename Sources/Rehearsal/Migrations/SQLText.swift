import Foundation

/// Small text helpers over SQL that do not need a full parser.
enum SQLText {
    /// Removes `--` and `/* */` comments outside quotes (comments between statements and
    /// before them; inline ones stay); enough to tell a comment-only file from one with
    /// statements, and to look at how a statement begins.
    static func strippingComments(_ sql: String) -> String {
        StatementSplitter.statements(of: sql).map(\.text).joined()
    }

    /// How each statement of `sql` begins, comments dropped and upper-cased; a data literal
    /// megabytes long is not read past its first 4 KiB.
    static func statementOpenings(_ sql: String) -> [String] {
        StatementSplitter.statements(of: sql).map {
            strippingComments(String($0.text.prefix(4096))).uppercased().trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// True when `opening` (see `statementOpenings`) is the keyword `word` or starts with it.
    static func opening(_ opening: String, is word: String) -> Bool {
        guard opening.hasPrefix(word) else { return false }
        let rest = opening.dropFirst(word.count)
        return rest.first.map { $0 == " " || $0 == ";" || $0 == "\n" || $0 == "\t" || $0 == "\r" } ?? true
    }

    static let transactionControl = ["BEGIN", "START TRANSACTION", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "PREPARE TRANSACTION"]

    /// True when the file runs its own transaction control, so a failure part-way may leave
    /// what it committed before.
    static func controlsTransactions(_ sql: String) -> Bool {
        statementOpenings(sql).contains { statement in transactionControl.contains { opening(statement, is: $0) } }
    }
}
