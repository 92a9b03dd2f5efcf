import Foundation
import PostgresClient

/// Sends a migration body the way golang-migrate does — whole file as one query, or cut on
/// every `;` in multi-statement mode — with an optional client-side timeout that cancels the
/// query (as migrate's `x-statement-timeout` does).
public struct MigrationExecutor: Sendable {
    public var mode: ExecutionMode
    /// Client-side limit per body; nil for none.
    public var timeout: Double?
    public var multiStatementMaxSize: Int

    public init(mode: ExecutionMode, timeout: Double?, multiStatementMaxSize: Int = 10 << 20) {
        self.mode = mode
        self.timeout = timeout
        self.multiStatementMaxSize = multiStatementMaxSize
    }

    public func run(_ file: MigrationFile?, on connection: Connection) -> BodyOutcome {
        guard let file, !file.isBlank else {
            return BodyOutcome(statements: [], error: nil, notices: [], skipped: true, timedOut: false)
        }
        switch mode {
        case .wholeFile:
            let (result, timedOut) = withTimeout(on: connection) { connection.runScript(file.body) }
            return BodyOutcome(
                statements: result.statements,
                error: result.error?.located(in: file.body, file: file.path),
                notices: result.notices, skipped: false, timedOut: timedOut)
        case .multiStatement:
            return runPieces(of: file, on: connection)
        }
    }

    private func runPieces(of file: MigrationFile, on connection: Connection) -> BodyOutcome {
        var outcome = BodyOutcome(statements: [], error: nil, notices: [], skipped: false, timedOut: false)
        var linesBefore = 0
        for piece in Self.multiStatementPieces(file.body) {
            defer { linesBefore += piece.utf8.filter { $0 == 0x0A }.count }
            if piece.utf8.count > multiStatementMaxSize {
                // The piece's statement starts after the newlines that follow the previous `;`.
                let line = linesBefore + 1 + piece.utf8.prefix { $0 == 0x0A || $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }.filter { $0 == 0x0A }.count
                outcome.error = PostgresError(
                    kind: .server, message: MigrationRunError.multiStatementTooLarge(
                        file: file.path, line: line, bytes: piece.utf8.count, limit: multiStatementMaxSize).description)
                outcome.error?.file = file.path
                outcome.error?.line = line
                return outcome
            }
            if piece.allSatisfy(\.isWhitespace) { continue }
            let (result, timedOut) = withTimeout(on: connection) { connection.runScript(piece) }
            outcome.statements += result.statements
            outcome.notices += result.notices
            if let error = result.error {
                var located = error.located(in: piece, file: file.path)
                if let line = located.line { located.line = line + linesBefore }
                outcome.error = located
                outcome.timedOut = timedOut
                return outcome
            }
        }
        return outcome
    }

    /// golang-migrate's multistmt split: after every `;` byte, delimiter kept with its piece.
    public static func multiStatementPieces(_ body: String) -> [String] {
        var pieces: [String] = []
        var start = 0
        let bytes = Array(body.utf8)
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: ";") {
            pieces.append(String(decoding: bytes[start...index], as: UTF8.self))
            start = index + 1
        }
        if start < bytes.count { pieces.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return pieces
    }

    private func withTimeout<T>(on connection: Connection, _ body: () -> T) -> (T, Bool) {
        guard let timeout, let cancel = connection.makeCancelHandle() else { return (body(), false) }
        let fired = LockedBox(false)
        let work = DispatchWorkItem {
            fired.value = true
            cancel.cancel()
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: work)
        let result = body()
        work.cancel()
        return (result, fired.value)
    }
}
