/// Small text helpers over SQL that do not need a full parser.
enum SQLText {
    /// Removes `--` and `/* */` comments outside quotes; enough to tell a comment-only
    /// file from one with statements.
    static func strippingComments(_ sql: String) -> String {
        var splitter = StatementSplitter()
        var out = ""
        var number = 0
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            for piece in splitter.feed(line: ArraySlice(Array(line.utf8) + [0x0A]), number: number) {
                switch piece {
                case .statement(let text, _): out += String(decoding: text, as: UTF8.self)
                case .metaCommand(let text, _): out += text
                }
            }
        }
        if let last = splitter.finish(), case .statement(let text, _) = last {
            out += String(decoding: text, as: UTF8.self)
        }
        return out
    }
}
