/// Reads a plain-format `pg_dump` as a sequence of things to do: SQL statements, COPY blocks
/// (whose data is then streamed with `copyData`) and the `\restrict` / `\unrestrict` pair
/// that PostgreSQL 15.14+ `pg_dump` writes. Any other psql meta-command is refused with its
/// line number: a snapshot must never make the rehearsal host run a command or read a file.
final class DumpReader {
    enum Item: Equatable {
        case statement(sql: String, line: Int)
        /// `COPY … FROM stdin;` — the data lines follow; read them with `copyData`.
        case copy(sql: String, line: Int)
    }

    let path: String
    private let source: () throws -> [UInt8]?
    private var chunk: [UInt8] = []
    private var position = 0
    private var sourceDone = false
    private var splitter = StatementSplitter()
    private var queue: [Item] = []
    private(set) var lineNumber = 0
    private var restrictKey: String?
    /// The header lines pg_dump writes, read before the first statement.
    private(set) var header = DumpHeader()
    private var sawHeader = false
    private var sawStatement = false

    init(path: String, source: @escaping () throws -> [UInt8]?) {
        self.path = path
        self.source = source
    }

    convenience init(reader: DecompressingReader) {
        self.init(path: reader.path, source: reader.next)
    }

    /// The next statement or COPY, or nil at the end of the dump.
    func next() throws -> Item? {
        while queue.isEmpty {
            guard let line = try nextLine() else {
                // A dump ends every statement with a semicolon: anything left open means the
                // file was cut short.
                if splitter.isInsideStatement {
                    throw SnapshotError.unterminated(path: path, line: splitter.pendingStartLine, what: splitter.pendingDescription)
                }
                if !sawHeader { throw SnapshotError.notADump(path: path) }
                return nil
            }
            if !sawStatement {
                try inspectHeader(line)
            }
            for piece in splitter.feed(line: line, number: lineNumber) {
                switch piece {
                case .metaCommand(let text, let line):
                    try handleMeta(text, line: line)
                case .statement(let bytes, let line):
                    sawStatement = true
                    let sql = String(decoding: bytes, as: UTF8.self)
                    queue.append(Self.isCopyFromStdin(sql) ? .copy(sql: sql, line: line) : .statement(sql: sql, line: line))
                }
            }
        }
        return queue.removeFirst()
    }

    /// Streams the data of the COPY just returned by `next`, in batches of whole lines, up to
    /// (not including) the `\.` terminator. Scans the decompressed buffer in place and hands
    /// over one batch per buffer, rather than copying line by line.
    func copyData(startLine: Int, _ consume: ([UInt8]) throws -> Void) throws {
        try scanCopyData(startLine: startLine) { try consume(Array(chunk[$0])) }
    }

    /// Passes over the data of the COPY just returned by `next` without handing it out;
    /// returns its size in bytes.
    func skipCopyData(startLine: Int) throws -> Int {
        var bytes = 0
        try scanCopyData(startLine: startLine) { bytes += $0.count }
        return bytes
    }

    private func scanCopyData(startLine: Int, _ batch: (Range<Int>) throws -> Void) throws {
        while true {
            let found = Self.copyDataEnd(in: chunk, from: position)
            lineNumber += found.lines
            if found.dataEnd > position { try batch(position..<found.dataEnd) }
            position = found.dataEnd
            if let next = found.next {
                lineNumber += 1
                position = next
                return
            }
            if sourceDone {
                // A last line without a newline can only be the terminator.
                if position < chunk.count, Self.isTerminator(chunk[position...]) {
                    lineNumber += 1
                    position = chunk.count
                    return
                }
                throw SnapshotError.unterminated(path: path, line: startLine, what: "COPY data")
            }
            try refill()
        }
    }

    /// Where COPY data starting at line start `start` ends in `bytes`: the start of the
    /// `\.` line and the index after it (`next`), or, when no whole terminator line is in
    /// `bytes`, the end of the last complete line and nil; with the data lines before it.
    /// One pass over the buffer, a memchr per line: the loaders read every data line.
    static func copyDataEnd(in bytes: [UInt8], from start: Int) -> (dataEnd: Int, next: Int?, lines: Int) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return (start, nil, 0) }
            var lineStart = start
            var lines = 0
            while lineStart < buffer.count, let found = memchr(base + lineStart, 0x0A, buffer.count - lineStart) {
                let newline = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                if Self.isTerminator(buffer[lineStart..<newline]) { return (lineStart, newline + 1, lines) }
                lines += 1
                lineStart = newline + 1
            }
            return (lineStart, nil, lines)
        }
    }

    /// `\.` alone on a line (a CR before the newline tolerated).
    static func isTerminator<Line: BidirectionalCollection<UInt8>>(_ line: Line) -> Bool {
        let bytes = line.last == 0x0D ? line.dropLast() : line[...]
        return bytes.count == 2 && bytes.first == UInt8(ascii: "\\") && bytes.last == UInt8(ascii: ".")
    }

    // MARK: -

    private func handleMeta(_ text: String, line: Int) throws {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let command = words.first ?? text
        if splitter.isInsideStatement {
            throw SnapshotError.metaCommandRefused(path: path, line: line, command: command)
        }
        switch (command, restrictKey) {
        case ("\\restrict", nil) where words.count == 2:
            restrictKey = words[1]
        case ("\\unrestrict", let key?) where words.count == 2 && words[1] == key:
            restrictKey = nil
        default:
            throw SnapshotError.metaCommandRefused(path: path, line: line, command: command)
        }
    }

    private func inspectHeader(_ line: ArraySlice<UInt8>) throws {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return }
        if text.hasPrefix("--") {
            header.read(commentLine: text)
            if text.contains("PostgreSQL database dump") { sawHeader = true }
            return
        }
        // Anything but comments before the header: this is not a pg_dump.
        if !sawHeader { throw SnapshotError.notADump(path: path) }
    }

    /// The next line including its newline, from the decompressed stream.
    private func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = StatementSplitter.next(0x0A, in: chunk[...], from: position) {
                let line = chunk[position...newline]
                position = newline + 1
                lineNumber += 1
                return line
            }
            if sourceDone {
                guard position < chunk.count else { return nil }
                let line = chunk[position...]
                position = chunk.count
                lineNumber += 1
                return line
            }
            try refill()
        }
    }

    /// Appends the next decompressed piece to the buffer, dropping what was consumed; marks
    /// the end of the source when there is none.
    private func refill() throws {
        guard let more = try source() else {
            sourceDone = true
            return
        }
        if position > 0 {
            chunk.removeFirst(position)
            position = 0
        }
        chunk.append(contentsOf: more)
    }

    static func isCopyFromStdin(_ sql: String) -> Bool {
        let upper = sql.uppercased()
        guard upper.hasPrefix("COPY ") else { return false }
        let trimmed = upper.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.hasSuffix("FROM STDIN;") || trimmed.hasSuffix("FROM STDIN")
    }
}

/// What pg_dump says about itself in the dump's first comment lines.
struct DumpHeader: Equatable {
    var serverVersion: String?
    var pgDumpVersion: String?

    var pgDumpMajor: Int? { pgDumpVersion.flatMap { Int($0.split(separator: ".").first ?? "") } }

    mutating func read(commentLine text: String) {
        if let value = text.value(after: "-- Dumped from database version ") { serverVersion = value }
        if let value = text.value(after: "-- Dumped by pg_dump version ") { pgDumpVersion = value }
    }
}

extension String {
    fileprivate func value(after prefix: String) -> String? {
        guard hasPrefix(prefix) else { return nil }
        return String(dropFirst(prefix.count)).split(separator: " ").first.map(String.init)
    }
}

import Foundation
