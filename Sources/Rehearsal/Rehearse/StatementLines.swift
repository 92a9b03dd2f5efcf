/// Where each statement of a file starts, so the i-th result of a simple query (one per
/// statement, in order) can be reported with its line.
enum StatementLines {
    static func startLines(of body: String) -> [Int] {
        StatementSplitter.statements(of: body).map(\.line)
    }
}
