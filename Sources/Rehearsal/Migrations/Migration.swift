/// Up or down, as in the file name `{version}_{name}.{up|down}.{ext}`.
public enum MigrationDirection: String, Sendable, Codable, Equatable {
    case up
    case down
}

/// One file of a migration directory.
public struct MigrationFile: Sendable, Equatable {
    public var path: String
    public var fileName: String
    /// The body as golang-migrate would send it.
    public var body: String

    /// golang-migrate skips whitespace-only bodies: nothing is sent.
    public var isBlank: Bool { body.allSatisfy(\.isWhitespace) }

    /// True when the body holds nothing but comments and whitespace (the documented way to
    /// write a deliberate no-op).
    public var isCommentOnly: Bool {
        !isBlank && SQLText.strippingComments(body).allSatisfy(\.isWhitespace)
    }

    /// True when migrate sends nothing that does anything: blank, or only comments. In
    /// multi-statement mode each piece of migrate's split counts on its own, so a comment
    /// holding a ';' leaves a piece that is no comment (and fails): not a no-op.
    public func isNoOp(in mode: ExecutionMode) -> Bool {
        if isBlank { return true }
        guard isCommentOnly else { return false }
        guard mode == .multiStatement else { return true }
        return MigrationExecutor.multiStatementPieces(body).allSatisfy { SQLText.strippingComments($0).allSatisfy(\.isWhitespace) }
    }

    /// A UTF-8 byte-order mark at the start: migrate sends it to the server as it is, which
    /// reads it as part of the first word (`syntax error at or near "\u{FEFF}CREATE"`).
    public var startsWithByteOrderMark: Bool { body.unicodeScalars.first == "\u{FEFF}" }
}

/// A version with its up and down files (either may be missing).
public struct Migration: Sendable, Equatable {
    public var version: UInt64
    public var identifier: String
    public var up: MigrationFile?
    public var down: MigrationFile?

    public func file(_ direction: MigrationDirection) -> MigrationFile? {
        direction == .up ? up : down
    }
}
