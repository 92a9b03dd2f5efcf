/// How golang-migrate's postgres driver sends a file.
public enum ExecutionMode: String, Sendable, Codable, CaseIterable {
    /// The default: the whole file as one simple-protocol query, one implicit transaction.
    case wholeFile = "whole-file"
    /// `x-multi-statement=true`: cut after every `;` byte (quotes and `$$` bodies
    /// notwithstanding); each piece runs and commits on its own.
    case multiStatement = "multi-statement"

    /// What to say of a mode that is neither, wherever it was given.
    public static func unknown(_ text: String) -> String {
        "unknown mode \"\(text)\"; use whole-file (migrate's default) or multi-statement"
    }
}
