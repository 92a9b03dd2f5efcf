internal import CLibPQ
import Foundation

/// One libpq connection. libpq connections are not thread-safe, so a `Connection` has one
/// owner at a time and is deliberately not `Sendable`; the only thing other threads may
/// touch is its `CancelHandle`.
public final class Connection {
    private let handle: OpaquePointer
    private let noticeBox = NoticeBox()
    /// The statements `query(preparingOnce:)` prepared, by their text.
    private var preparedOnce: [String: String] = [:]
    private var preparedCount = 0
    /// The connection target with any password replaced by `***`, for messages.
    public let redactedTarget: String

    /// Connects with a URL (`postgres://…`) or a keyword string (`host=… dbname=…`); libpq
    /// fills in what is missing from the PG* environment variables as usual. `database`,
    /// when given, overrides the database the target names.
    public init(_ target: String, database: String? = nil, applicationName: String = "rehearse") throws {
        var keywords = ["dbname", "fallback_application_name"]
        var values = [target, applicationName]
        if let database {
            keywords.append("dbname")
            values.append(database)
        }
        let pointer: OpaquePointer? = withCStringArray(keywords) { keys in
            withCStringArray(values) { vals in
                PQconnectdbParams(keys, vals, 1)
            }
        }
        redactedTarget = ConnectionTarget.redact(target) + (database.map { " (database \($0))" } ?? "")
        guard let pointer else {
            throw PostgresError(kind: .connection, message: "out of memory while connecting to \(redactedTarget)")
        }
        guard PQstatus(pointer) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(pointer))
            PQfinish(pointer)
            throw PostgresError(
                kind: .connection,
                message: "cannot connect to \(redactedTarget): \(Self.oneLine(ConnectionTarget.redactSecrets(in: message)))")
        }
        handle = pointer
        PQsetNoticeReceiver(handle, noticeReceiver, Unmanaged.passUnretained(noticeBox).toOpaque())
    }

    deinit {
        PQfinish(handle)
    }

    /// libpq's messages span lines ("…failed: …\n\tIs the server running…"); one line reads better.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    public var backendPID: Int32 { PQbackendPID(handle) }
    /// Server version as an integer, e.g. 150018 for 15.18.
    public var serverVersionNumber: Int { Int(PQserverVersion(handle)) }
    public var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Notices received since the last call; the list is emptied.
    public func takeNotices() -> [Notice] {
        defer { noticeBox.notices.removeAll() }
        return noticeBox.notices
    }

    /// A handle that cancels the statement in flight from any thread.
    public func makeCancelHandle() -> CancelHandle? {
        guard let cancel = PQgetCancel(handle) else { return nil }
        return CancelHandle(cancel)
    }

    // MARK: Simple-query protocol

    /// Sends `sql` as ONE simple-protocol query, exactly as golang-migrate does, and collects
    /// every statement's result until the server is done. Never throws for a server error:
    /// the error is in the result with the statements that completed before it.
    public func runScript(_ sql: String) -> ScriptResult {
        _ = takeNotices()
        guard PQsendQuery(handle, sql) == 1 else {
            return ScriptResult(statements: [], error: connectionError(), notices: takeNotices())
        }
        var statements: [StatementResult] = []
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_EMPTY_QUERY:
                statements.append(Self.statementResult(result))
            case PGRES_COPY_IN:
                PQputCopyEnd(handle, "rehearse does not feed COPY FROM STDIN inside a migration")
            case PGRES_COPY_OUT:
                drainCopyOut()
            default:
                if firstError == nil { firstError = Self.error(from: result, connection: handle) }
            }
        }
        if firstError == nil, PQstatus(handle) != CONNECTION_OK { firstError = connectionError() }
        return ScriptResult(statements: statements, error: firstError, notices: takeNotices())
    }

    /// Runs a script and throws its error, for internal statements the harness issues itself.
    @discardableResult
    public func execute(_ sql: String) throws -> [StatementResult] {
        let result = runScript(sql)
        if let error = result.error { throw error }
        return result.statements
    }

    // MARK: Extended protocol (parameters)

    /// Runs one statement with text parameters (`$1`, `$2`, …) and returns its rows as text.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> StatementResult {
        let result: OpaquePointer? = withOptionalCStringArray(parameters) { params in
            PQexecParams(handle, sql, Int32(parameters.count), nil, params, nil, nil, 0)
        }
        return try rows(of: result)
    }

    /// Parses and plans `sql` once, as the named statement `name` of this session, for
    /// `query(prepared:_:)`: a query run many times (a sampler's) skips both from then on.
    public func prepare(_ name: String, _ sql: String, parameterCount: Int) throws {
        _ = try rows(of: PQprepare(handle, name, sql, Int32(parameterCount), nil))
    }

    /// Runs `sql` as a statement of this session prepared the first time it is run here, so
    /// a catalog query run after every step is parsed and planned once. A statement that
    /// went (a script's `DEALLOCATE ALL` or `DISCARD ALL`) is prepared again.
    @discardableResult
    public func query(preparingOnce sql: String, _ parameters: [String?] = []) throws -> StatementResult {
        if let name = preparedOnce[sql] {
            do {
                return try query(prepared: name, parameters)
            } catch let error as PostgresError where error.sqlState == "26000" {
                preparedOnce[sql] = nil
            }
        }
        preparedCount += 1
        let name = "rehearse_once_\(preparedCount)"
        try prepare(name, sql, parameterCount: parameters.count)
        preparedOnce[sql] = name
        return try query(prepared: name, parameters)
    }

    /// Runs the statement `prepare` made under `name`.
    @discardableResult
    public func query(prepared name: String, _ parameters: [String?] = []) throws -> StatementResult {
        let result: OpaquePointer? = withOptionalCStringArray(parameters) { params in
            PQexecPrepared(handle, name, Int32(parameters.count), params, nil, nil, 0)
        }
        return try rows(of: result)
    }

    private func rows(of result: OpaquePointer?) throws -> StatementResult {
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.statementResult(result)
        default:
            throw Self.error(from: result, connection: handle)
        }
    }

    /// First column of the first row, or nil.
    public func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try query(sql, parameters).rows.first?.first ?? nil
    }

    // MARK: COPY FROM STDIN

    /// Starts `COPY … FROM STDIN`, lets `feed` stream the data, and finishes the COPY.
    /// Returns the number of rows the server reports.
    @discardableResult
    public func copyIn(_ sql: String, feed: (CopyWriter) throws -> Void) throws -> Int64 {
        guard let start = PQexec(handle, sql) else { throw connectionError() }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw Self.error(from: start, connection: handle)
        }
        PQclear(start)
        let writer = CopyWriter(handle: handle)
        var feedError: Error?
        do {
            try feed(writer)
        } catch {
            feedError = error
        }
        if let feedError {
            PQputCopyEnd(handle, "rehearse aborted the COPY: \(feedError)")
        } else if let writeError = writer.failure {
            _ = writeError
        } else {
            PQputCopyEnd(handle, nil)
        }
        var rows: Int64 = 0
        var serverError: PostgresError?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                rows = Int64(String(cString: PQcmdTuples(result))) ?? 0
            } else if serverError == nil {
                serverError = Self.error(from: result, connection: handle)
            }
        }
        if let feedError { throw feedError }
        if let failure = writer.failure { throw failure }
        if let serverError { throw serverError }
        return rows
    }

    // MARK: Helpers

    private func drainCopyOut() {
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(handle, &buffer, 0) > 0 {
            PQfreemem(buffer)
        }
    }

    private func connectionError() -> PostgresError {
        PostgresError(
            kind: .connection,
            message: ConnectionTarget.redactSecrets(in: String(cString: PQerrorMessage(handle)))
                .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func statementResult(_ result: OpaquePointer) -> StatementResult {
        let tag = String(cString: PQcmdStatus(result))
        let tuples = String(cString: PQcmdTuples(result))
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(values)
        }
        return StatementResult(
            commandTag: tag, rowsAffected: Int64(tuples), columns: columns, rows: rows)
    }

    static func error(from result: OpaquePointer, connection: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            guard let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(UInt8(ascii: "C"))
        guard let message = field(UInt8(ascii: "M")) else {
            let text = String(cString: PQresultErrorMessage(result))
            let fallback = text.isEmpty ? String(cString: PQerrorMessage(connection)) : text
            return PostgresError(kind: .connection, message: fallback.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return PostgresError(
            kind: sqlState == SQLState.queryCanceled ? .cancelled : .server,
            sqlState: sqlState,
            message: message,
            detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")),
            position: field(UInt8(ascii: "P")).flatMap { Int($0) },
            context: field(UInt8(ascii: "W")))
    }
}

/// Receives notices for one connection; libpq calls it on the owning thread.
private final class NoticeBox {
    var notices: [Notice] = []
}

private func noticeReceiver(_ argument: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let argument, let result else { return }
    let box = Unmanaged<NoticeBox>.fromOpaque(argument).takeUnretainedValue()
    func field(_ code: UInt8) -> String? {
        guard let value = PQresultErrorField(result, Int32(code)) else { return nil }
        return String(cString: value)
    }
    box.notices.append(
        Notice(
            severity: field(UInt8(ascii: "V")) ?? field(UInt8(ascii: "S")) ?? "NOTICE",
            message: field(UInt8(ascii: "M")) ?? "",
            sqlState: field(UInt8(ascii: "C"))))
}

/// Streams COPY data; owned by `Connection.copyIn` for the duration of one COPY.
public final class CopyWriter {
    private let handle: OpaquePointer
    fileprivate(set) var failure: PostgresError?

    fileprivate init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Sends raw COPY text data (whole lines, each ending in a newline).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard failure == nil, let base = bytes.baseAddress, bytes.count > 0 else {
            if let failure { throw failure }
            return
        }
        let sent = PQputCopyData(handle, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        if sent != 1 {
            let error = PostgresError(
                kind: .connection,
                message: String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
            failure = error
            throw error
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Cancels the query in flight on a connection; safe to use from any thread (libpq's
/// `PQcancel` is documented as thread-safe).
public final class CancelHandle: @unchecked Sendable {
    private let pgCancel: OpaquePointer

    fileprivate init(_ cancel: OpaquePointer) {
        self.pgCancel = cancel
    }

    deinit {
        PQfreeCancel(pgCancel)
    }

    @discardableResult
    public func cancel() -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(pgCancel, &buffer, Int32(buffer.count)) == 1
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafePointer<CChar>?] = strings.map { UnsafePointer(strdup($0)) }
    pointers.append(nil)
    defer { for pointer in pointers { free(UnsafeMutablePointer(mutating: pointer)) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let pointers: [UnsafePointer<CChar>?] = strings.map { $0.map { UnsafePointer(strdup($0)) } ?? nil }
    defer { for pointer in pointers { free(UnsafeMutablePointer(mutating: pointer)) } }
    if pointers.isEmpty { return body(nil) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
