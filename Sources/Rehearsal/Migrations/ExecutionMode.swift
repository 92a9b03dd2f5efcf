/// How golang-migrate's postgres driver sends a file.
public enum ExecutionMode: String, Sendable, Codable, CaseIterable {
    /// The default: the whole file as one simple-protocol query, one implicit transaction.
    case wholeFile = "whole-file"
    /// `x-multi-statement=true`: cut after every `;` byte (quotes and `$$` bodies
    /// notwithstanding); each piece runs and commits on its own.
    case multiStatement = "multi-statement"
}
