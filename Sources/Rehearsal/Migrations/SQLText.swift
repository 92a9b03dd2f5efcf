/// Small text helpers over SQL that do not need a full parser.
enum SQLText {
    /// Removes `--` and `/* */` comments outside quotes (comments between statements and
    /// before them; inline ones stay); enough to tell a comment-only file from one with
    /// statements, and to look at how a statement begins.
    static func strippingComments(_ sql: String) -> String {
        StatementSplitter.statements(of: sql).map(\.text).joined()
    }
}
