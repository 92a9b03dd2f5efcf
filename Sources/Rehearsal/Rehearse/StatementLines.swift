/// Where each statement of a file starts, so the i-th result of a simple query (one per
/// statement, in order) can be reported with its line.
enum StatementLines {
    static func startLines(of body: String) -> [Int] {
        var splitter = StatementSplitter()
        var lines: [Int] = []
        var number = 0
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            for case .statement(_, let start) in splitter.feed(line: ArraySlice(Array(line.utf8) + [0x0A]), number: number) {
                lines.append(start)
            }
        }
        if case .statement(_, let start)? = splitter.finish() { lines.append(start) }
        return lines
    }
}
