/// SQL quoting for identifiers and literals the harness writes itself (database names,
/// role names, markers): never trust a name from a file or a dump to be safe as it is.
public enum Identifier {
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A text array's input form, as a query parameter (`$1::text[]`): each element
    /// double-quoted, its quotes and backslashes escaped.
    public static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
