import Foundation
import PostgresClient

/// Loads a plain dump's COPY blocks on several sessions at once. A plain dump is one
/// sequential stream, so each loader reads the whole snapshot — from one shared
/// decompression (`SharedDecompression`), which costs about 1.1 core-seconds at scale 12 —
/// and claims the next unclaimed COPY block whenever it reaches one, skipping the blocks other
/// loaders took (largest tables first when their sizes are known: `CopyClaims`). Big tables
/// thus load side by side, as with pg_restore -j on a custom-format dump, and memory stays
/// bounded. Each committed table is reported (`Event.loaded`) so its
/// indexes can start while other tables still load; the first loader to reach the end hands
/// over what follows the data (`afterData`).
final class DataLoaders: @unchecked Sendable {
    /// What the first loader to read the whole snapshot found after the data.
    struct Rest {
        /// The statements after the first COPY (sequence values, the post-data section), so
        /// no other pass over the snapshot is needed.
        var statements: [(sql: String, line: Int)]
        /// Uncompressed bytes of each table's COPY data.
        var tableBytes: [String: Int]
        /// The dump line of each table's COPY statement.
        var copyLines: [String: Int]
    }

    enum Event {
        /// A table's data is committed.
        case loaded(table: String)
        /// A loader has no more work.
        case finished
    }

    private let claims: CopyClaims
    private let rest = LockedBox<Rest?>(nil)
    private let failure = LockedBox<Error?>(nil)
    private let rows = LockedBox<Int64>(0)
    private let offsets: LockedBox<[UInt64]>
    private let group = DispatchGroup()
    private let path: String
    private let stream: SharedDecompression
    private let skipWAL: Bool
    private let events: @Sendable (Event) -> Void

    /// Starts `count` loaders; each opens its own session. `window`: how far apart in the
    /// snapshot the loaders may read before the slowest decompresses on its own. `tableSizes`:
    /// bytes per table (`schema.table`), from the manifest, to load the largest first.
    init(
        count: Int, path: String, skipWAL: Bool, window: Int = SharedDecompression.defaultWindow, tableSizes: [String: Int64] = [:],
        shouldStop: @escaping @Sendable () -> Bool, connect: @escaping @Sendable () throws -> Connection,
        events: @escaping @Sendable (Event) -> Void = { _ in }
    ) throws {
        self.path = path
        claims = CopyClaims(loaders: count, sizes: tableSizes)
        stream = try SharedDecompression(path: path, readers: count, window: window)
        self.skipWAL = skipWAL
        self.events = events
        offsets = LockedBox([UInt64](repeating: 0, count: count))
        for index in 0..<count {
            group.enter()
            Thread { [self] in
                defer {
                    claims.leave(index)
                    stream.leave(index)
                    events(.finished)
                    group.leave()
                }
                do {
                    try load(index: index, shouldStop: shouldStop, connect: connect)
                } catch {
                    failure.withValue { if $0 == nil { $0 = error } }
                }
            }.start()
        }
    }

    /// Compressed bytes the slowest loader has read, for progress.
    var progressOffset: UInt64 { offsets.value.min() ?? 0 }
    var rowsCopied: Int64 { rows.value }
    /// Uncompressed bytes of the whole dump, once the loaders are done.
    var uncompressedBytes: UInt64 { stream.uncompressedBytes }
    /// Set once a loader has read to the end of the snapshot, maybe while others still load.
    var afterData: Rest? { rest.value }
    var isDone: Bool { group.wait(timeout: .now()) == .success }
    var hasFailed: Bool { failure.value != nil }

    /// Waits for every loader; throws the first failure.
    func finish() throws -> Int64 {
        group.wait()
        if let error = failure.value { throw error }
        return rows.value
    }

    /// `COPY t (…) FROM stdin;` → `COPY t (…) FROM stdin WITH (FREEZE);`
    static func frozen(_ sql: String) -> String {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.uppercased().hasSuffix("FROM STDIN;") else { return sql }
        return String(trimmed.dropLast()) + " WITH (FREEZE);"
    }

    /// `COPY public.t (a, b) FROM stdin;` → `public.t`.
    static func table(ofCopy sql: String) -> String? {
        sql.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init)
    }

    private func load(index: Int, shouldStop: () -> Bool, connect: () throws -> Connection) throws {
        let connection = try connect()
        try connection.execute("SET synchronous_commit = off")
        let decompressor = stream.reader(index)
        let reader = DumpReader(path: path, source: decompressor.next)
        var block = 0
        var after: [(sql: String, line: Int)] = []
        var tableBytes: [String: Int] = [:]
        var copyLines: [String: Int] = [:]
        var created: Set<String> = []
        while let item = try reader.next() {
            if failure.value != nil || shouldStop() { return }
            switch item {
            case .statement(let sql, let line):
                // The dump's session settings (search_path '', encodings) apply to COPY too.
                if SnapshotRestorer.isSessionSetting(sql) { _ = connection.runScript(sql) }
                if block == 0, let table = CopyHeader.tableCreated(by: sql) { created.insert(table) }
                if block > 0 { after.append((sql, line)) }
            case .copy(let sql, let line):
                defer { block += 1 }
                let table = Self.table(ofCopy: sql)
                var bytes = 0
                defer {
                    if let table {
                        tableBytes[table, default: 0] += bytes
                        copyLines[table] = copyLines[table] ?? line
                    }
                }
                let mine = claims.claim(loader: index, block: block, table: CopyHeader.parse(sql)?.table, created: created)
                guard mine else {
                    bytes = try reader.skipCopyData(startLine: line)
                    continue
                }
                let wrap = skipWAL && table != nil
                if wrap { try connection.execute("BEGIN; TRUNCATE ONLY \(table!)") }
                do {
                    // Truncated in this transaction, the rows can be loaded frozen: no hint-bit
                    // rewrite of every page by the index builds and key checks that follow.
                    let copy = wrap ? Self.frozen(sql) : sql
                    let copied = try connection.copyIn(copy) { writer in
                        try reader.copyData(startLine: line) { batch in
                            if shouldStop() || failure.value != nil { throw CancellationError() }
                            try writer.write(batch)
                            bytes += batch.count
                            offsets.withValue { $0[index] = decompressor.compressedOffset }
                        }
                    }
                    if wrap { try connection.execute("COMMIT") }
                    rows.withValue { $0 += copied }
                    if let table { events(.loaded(table: table)) }
                } catch let error as PostgresError {
                    if wrap { _ = connection.runScript("ROLLBACK") }
                    throw SnapshotError.statementFailed(path: path, line: line, error: error)
                }
            }
            offsets.withValue { $0[index] = decompressor.compressedOffset }
        }
        rest.withValue { if $0 == nil { $0 = Rest(statements: after, tableBytes: tableBytes, copyLines: copyLines) } }
    }
}
