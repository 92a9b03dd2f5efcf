import Foundation

/// Splits SQL text into statements the way psql does: a `;` ends a statement only outside
/// quotes ('…', E'…', "…"), dollar-quoted bodies ($$…$$, $tag$…$tag$) and comments
/// (`--`, nested `/* */`). Fed one line at a time so a multi-gigabyte dump streams through;
/// the bytes of every statement are kept exactly as they were.
struct StatementSplitter {
    /// A statement, or a psql meta-command (a backslash outside quotes).
    enum Piece: Equatable {
        case statement(text: [UInt8], line: Int)
        case metaCommand(text: String, line: Int)
    }

    private enum State: Equatable {
        case normal
        case singleQuote(backslashEscapes: Bool)
        case doubleQuote
        case dollar(tag: [UInt8])
        case blockComment(depth: Int)
    }

    private var state: State = .normal
    private var buffer: [UInt8] = []
    private var hasContent = false
    private var startLine = 0
    private var lastSignificant: UInt8 = 0
    private var beforeLastSignificant: UInt8 = 0

    /// True while a statement has begun but not ended.
    var isInsideStatement: Bool { hasContent || state != .normal }
    var pendingStartLine: Int { startLine }
    var pendingDescription: String {
        switch state {
        case .singleQuote: return "a quoted string"
        case .doubleQuote: return "a quoted identifier"
        case .dollar: return "a dollar-quoted body"
        case .blockComment: return "a /* comment */"
        case .normal: return "a statement without its closing semicolon"
        }
    }

    /// Feeds one line (with its trailing newline, if any) and returns what it completed.
    mutating func feed(line: ArraySlice<UInt8>, number: Int) -> [Piece] {
        var pieces: [Piece] = []
        var index = line.startIndex
        let end = line.endIndex
        var segmentStart = index
        func flushSegment(upTo position: Int) {
            if position > segmentStart { buffer.append(contentsOf: line[segmentStart..<position]) }
            segmentStart = position
        }
        while index < end {
            let byte = line[index]
            switch state {
            case .normal:
                if byte == UInt8(ascii: "-"), index + 1 < end, line[index + 1] == UInt8(ascii: "-") {
                    index = end  // rest of the line is a comment
                    continue
                }
                if byte == UInt8(ascii: "/"), index + 1 < end, line[index + 1] == UInt8(ascii: "*") {
                    state = .blockComment(depth: 1)
                    index += 2
                    continue
                }
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    remember(0x20)
                    index += 1
                    continue
                }
                if byte == UInt8(ascii: "\\") {
                    // psql treats a backslash outside quotes as a meta-command to the end of line.
                    flushSegment(upTo: index)
                    var text = String(decoding: line[index..<end], as: UTF8.self)
                    while text.last == "\n" || text.last == "\r" { text.removeLast() }
                    pieces.append(.metaCommand(text: text, line: number))
                    segmentStart = end
                    index = end
                    continue
                }
                if !hasContent {
                    hasContent = true
                    startLine = number
                    flushSegment(upTo: index)
                    buffer.removeAll(keepingCapacity: true)
                }
                switch byte {
                case UInt8(ascii: "'"):
                    let escapes = (lastSignificant == UInt8(ascii: "E") || lastSignificant == UInt8(ascii: "e"))
                        && !Self.isIdentifierByte(beforeLastSignificant)
                    state = .singleQuote(backslashEscapes: escapes)
                case UInt8(ascii: "\""):
                    state = .doubleQuote
                case UInt8(ascii: "$"):
                    if !Self.isIdentifierByte(lastSignificant), let tag = Self.dollarTag(in: line, at: index) {
                        state = .dollar(tag: tag)
                        index += tag.count
                        remember(UInt8(ascii: "$"))
                        continue
                    }
                case UInt8(ascii: ";"):
                    flushSegment(upTo: index + 1)
                    pieces.append(.statement(text: buffer, line: startLine))
                    buffer.removeAll(keepingCapacity: true)
                    hasContent = false
                    remember(0)
                    index += 1
                    continue
                default:
                    break
                }
                remember(byte)
                index += 1
            case .singleQuote(let escapes):
                // Long literals (data migrations) are skipped in one jump, not byte by byte.
                let quote = Self.next(UInt8(ascii: "'"), in: line, from: index) ?? end
                let jump = escapes ? min(quote, Self.next(UInt8(ascii: "\\"), in: line, from: index) ?? end) : quote
                if jump > index {
                    index = jump
                    continue
                }
                if escapes, byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "'") {
                    if index + 1 < end, line[index + 1] == UInt8(ascii: "'") {
                        index += 2
                        continue
                    }
                    state = .normal
                    remember(byte)
                }
                index += 1
            case .doubleQuote:
                let jump = Self.next(UInt8(ascii: "\""), in: line, from: index) ?? end
                if jump > index {
                    index = jump
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    state = .normal
                    remember(byte)
                }
                index += 1
            case .dollar(let tag):
                let jump = Self.next(UInt8(ascii: "$"), in: line, from: index) ?? end
                if jump > index {
                    index = jump
                    continue
                }
                if byte == UInt8(ascii: "$"), line[index...].starts(with: tag) {
                    state = .normal
                    index += tag.count
                    remember(UInt8(ascii: "$"))
                    continue
                }
                index += 1
            case .blockComment(let depth):
                if byte == UInt8(ascii: "*"), index + 1 < end, line[index + 1] == UInt8(ascii: "/") {
                    state = depth == 1 ? .normal : .blockComment(depth: depth - 1)
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "/"), index + 1 < end, line[index + 1] == UInt8(ascii: "*") {
                    state = .blockComment(depth: depth + 1)
                    index += 2
                    continue
                }
                index += 1
            }
        }
        if index > end { index = end }
        if hasContent || state != .normal {
            flushSegment(upTo: end)
        }
        return pieces
    }

    /// What is left at the end of input: a final statement without a semicolon, if any.
    mutating func finish() -> Piece? {
        guard hasContent, state == .normal else { return nil }
        defer {
            buffer.removeAll()
            hasContent = false
        }
        return .statement(text: buffer, line: startLine)
    }

    /// Splits a whole text (a migration file) into its statements with their start lines;
    /// a last statement without a semicolon counts. Meta-commands are left out.
    static func statements(of text: String) -> [(text: String, line: Int)] {
        var splitter = StatementSplitter()
        var result: [(String, Int)] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            for case .statement(let bytes, let start) in splitter.feed(line: ArraySlice(Array(line.utf8) + [0x0A]), number: number) {
                result.append((String(decoding: bytes, as: UTF8.self), start))
            }
        }
        if case .statement(let bytes, let start)? = splitter.finish() {
            result.append((String(decoding: bytes, as: UTF8.self), start))
        }
        return result
    }

    private mutating func remember(_ byte: UInt8) {
        beforeLastSignificant = lastSignificant
        lastSignificant = byte
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// The index of the next `byte` at or after `start` (memchr: fast even in debug builds).
    static func next(_ byte: UInt8, in line: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard start < line.endIndex else { return nil }
        return line[start...].withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress, let found = memchr(base, Int32(byte), buffer.count) else { return nil }
            return start + (UnsafeRawPointer(found) - UnsafeRawPointer(base))
        }
    }

    /// `$tag$` or `$$` starting at `index`, including both dollar signs.
    static func dollarTag(in line: ArraySlice<UInt8>, at index: Int) -> [UInt8]? {
        var cursor = index + 1
        while cursor < line.endIndex {
            let byte = line[cursor]
            if byte == UInt8(ascii: "$") { return Array(line[index...cursor]) }
            let allowed = isIdentifierByte(byte) && !(cursor == index + 1 && byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            if !allowed { return nil }
            cursor += 1
        }
        return nil
    }
}
