/// An error from libpq or from the server, with every field PostgreSQL sends so a person
/// can act on it: SQLSTATE, message, detail, hint, position, and — for a script run from a
/// file — the 1-based line and column the position points at.
public struct PostgresError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The connection could not be made or was lost.
        case connection
        /// The server rejected a statement.
        case server
        /// The query was cancelled from the client side (timeout or interrupt).
        case cancelled
    }

    public var kind: Kind
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// 1-based character offset into the query, as the server reports it.
    public var position: Int?
    public var context: String?
    /// Set by `located(in:file:)` for scripts that came from a file.
    public var file: String?
    public var line: Int?
    public var column: Int?

    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil,
        hint: String? = nil, position: Int? = nil, context: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
        self.context = context
    }

    /// Statements cancelled by the server because of `statement_timeout` or by a client cancel
    /// share SQLSTATE 57014; lock timeouts are 55P03.
    public var isQueryCanceled: Bool { sqlState == SQLState.queryCanceled }
    public var isLockTimeout: Bool { sqlState == SQLState.lockNotAvailable }

    /// Returns a copy that names `file` and, when the server gave a position, the line and
    /// column in `script` that it points at.
    public func located(in script: String, file: String) -> PostgresError {
        var copy = self
        copy.file = file
        if let position {
            let (line, column) = TextPosition.lineAndColumn(ofCharacter: position, in: script)
            copy.line = line
            copy.column = column
        }
        return copy
    }

    public var description: String {
        var text = ""
        if let file {
            text += file
            if let line { text += ":\(line)" + (column.map { ":\($0)" } ?? "") }
            text += ": "
        }
        text += message.trimmingCharacters(in: .whitespacesAndNewlines)
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail, !detail.isEmpty { text += ". Detail: \(detail)" }
        if let hint, !hint.isEmpty { text += ". Hint: \(hint)" }
        return text
    }
}

import Foundation

/// Maps a server-reported character position onto a line and column of the text it refers to.
enum TextPosition {
    static func lineAndColumn(ofCharacter position: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = 1
        for scalar in text.unicodeScalars {
            if index >= position { break }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        return (line, column)
    }
}
