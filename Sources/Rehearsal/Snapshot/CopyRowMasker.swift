import Foundation
import Crypto

/// Masks the data lines of one table's COPY block in pg_dump's text format: fields are
/// separated by tabs, `\N` is NULL, and backslash escapes (`\\`, `\t`, `\n`, `\r`, octal,
/// `\x` hex…) are decoded before a value is hashed or faked, so `a\tb` and `a\011b` mask
/// alike. Columns without a rule are copied byte for byte.
struct CopyRowMasker {
    let table: String
    private let plan: [Action?]
    private let key: SymmetricKey

    private enum Action {
        case null
        /// Already encoded for COPY.
        case fixed([UInt8])
        case hash
        case fake
    }

    /// `columns` is the COPY header's column list, in order. Every rule must name one of them.
    init(table: String, columns: [String], rules: [String: MaskingRule], salt: String, rulesFile: String) throws {
        for column in rules.keys.sorted() where !columns.contains(column) {
            throw SnapshotCreationError.maskedColumnNotFound(file: rulesFile, table: table, column: column, columns: columns)
        }
        self.table = table
        key = SymmetricKey(data: Array(salt.utf8))
        plan = columns.map { column -> Action? in
            switch rules[column] {
            case nil: return nil
            case .null?: return .null
            case .hash?: return .hash
            case .fake?: return .fake
            case .fixed(let text)?:
                var encoded: [UInt8] = []
                Self.encode(Array(text.utf8), into: &encoded)
                return .fixed(encoded)
            }
        }
    }

    /// One data line, with or without its trailing newline; the result keeps it.
    func mask(line: UnsafeRawBufferPointer) -> [UInt8] {
        var end = line.count
        let hasNewline = end > 0 && line[end - 1] == 0x0A
        if hasNewline { end -= 1 }
        var output: [UInt8] = []
        output.reserveCapacity(line.count + 64)
        var column = 0
        var start = 0
        var index = 0
        while true {
            if index >= end || line[index] == 0x09 {
                let field = line[start..<min(index, end)]
                if column < plan.count, let action = plan[column] {
                    apply(action, to: field, into: &output)
                } else {
                    output.append(contentsOf: field)
                }
                if index >= end { break }
                output.append(0x09)
                column += 1
                index += 1
                start = index
            } else if line[index] == 0x5C {
                // An escaped byte is never a delimiter, even a literal tab after a backslash.
                index += 2
            } else {
                index += 1
            }
        }
        if hasNewline { output.append(0x0A) }
        return output
    }

    /// The same on text, for tests and messages.
    func mask(_ line: String) -> String {
        let bytes = Array(line.utf8)
        return String(decoding: bytes.withUnsafeBytes { mask(line: $0) }, as: UTF8.self)
    }

    private func apply(_ action: Action, to field: Slice<UnsafeRawBufferPointer>, into output: inout [UInt8]) {
        if case .null = action {
            output.append(contentsOf: Self.nullMarker)
            return
        }
        guard let value = Self.decode(field) else {
            output.append(contentsOf: Self.nullMarker)
            return
        }
        switch action {
        case .null: break
        case .fixed(let encoded): output.append(contentsOf: encoded)
        case .hash: Self.encode(hashed(value), into: &output)
        case .fake: Self.encode(faked(value), into: &output)
        }
    }

    // MARK: Values

    /// HMAC-SHA256 of the value keyed by the salt: deterministic within a snapshot, and with
    /// a secret salt no dictionary of known values can be matched against the output.
    func digest(_ value: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: value, using: key))
    }

    func hashed(_ value: [UInt8]) -> [UInt8] {
        let hex = Hex.string(digest(value).prefix(8))
        return Array((Self.looksLikeEmail(value) ? "h_\(hex)@example.invalid" : "h_\(hex)").utf8)
    }

    func faked(_ value: [UInt8]) -> [UInt8] {
        let bytes = digest(value)
        let hex = Hex.string(bytes.prefix(6))
        if Self.looksLikeEmail(value) { return Array("user_\(hex)@example.invalid".utf8) }
        if Self.looksLikePhoneNumber(value) {
            var digit = 0
            return value.map { (byte: UInt8) -> UInt8 in
                guard byte >= 0x30, byte <= 0x39 else { return byte }
                defer { digit += 1 }
                return 0x30 + (bytes[digit % bytes.count] &+ UInt8(truncatingIfNeeded: digit / bytes.count)) % 10
            }
        }
        return Array("User \(hex)".utf8)
    }

    /// One `@` with something on both sides and no white space or control characters.
    static func looksLikeEmail(_ value: [UInt8]) -> Bool {
        guard let at = value.firstIndex(of: 0x40), at > 0, at < value.count - 1, value.lastIndex(of: 0x40) == at else { return false }
        return !value.contains { $0 <= 0x20 || $0 == 0x7F }
    }

    /// Digits with phone punctuation only (`+1 (555) 010-9999`, `0612345678`).
    static func looksLikePhoneNumber(_ value: [UInt8]) -> Bool {
        guard value.count <= 32 else { return false }
        var digits = 0
        for byte in value {
            if byte >= 0x30, byte <= 0x39 {
                digits += 1
            } else if !Self.phonePunctuation.contains(byte) {
                return false
            }
        }
        return digits >= 5
    }

    private static let phonePunctuation: [UInt8] = Array(" +-().".utf8)
    static let nullMarker: [UInt8] = [0x5C, 0x4E]

    // MARK: COPY text format

    /// The value of a raw COPY field, or nil for NULL (`\N`).
    static func decode<Field: Collection>(_ field: Field) -> [UInt8]? where Field.Element == UInt8 {
        if field.count == 2, field.elementsEqual(nullMarker) { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(field.count)
        var index = field.startIndex
        while index < field.endIndex {
            let byte = field[index]
            index = field.index(after: index)
            guard byte == 0x5C, index < field.endIndex else {
                output.append(byte)
                continue
            }
            let escaped = field[index]
            index = field.index(after: index)
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "v"): output.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(escaped - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < field.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(field[index]) {
                    value = value * 8 + UInt32(field[index] - UInt8(ascii: "0"))
                    index = field.index(after: index)
                    digits += 1
                }
                output.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"):
                var value: UInt32 = 0
                var digits = 0
                while digits < 2, index < field.endIndex, let nibble = hexValue(field[index]) {
                    value = value * 16 + UInt32(nibble)
                    index = field.index(after: index)
                    digits += 1
                }
                output.append(digits == 0 ? escaped : UInt8(value))
            default:
                output.append(escaped)
            }
        }
        return output
    }

    /// Appends `value` as a COPY field, escaping what pg_dump escapes.
    static func encode(_ value: [UInt8], into output: inout [UInt8]) {
        for byte in value {
            switch byte {
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0B: output.append(contentsOf: [0x5C, UInt8(ascii: "v")])
            default: output.append(byte)
            }
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A `COPY schema.table (col, …) FROM stdin;` header as pg_dump writes it: quoted
/// identifiers unquoted, unquoted ones folded to lower case as PostgreSQL does.
struct CopyHeader: Equatable {
    /// `schema.table`.
    var table: String
    var columns: [String]

    static func parse(_ sql: String) -> CopyHeader? {
        var text = Substring(sql.trimmingCharacters(in: .whitespacesAndNewlines))
        guard text.prefix(5).uppercased() == "COPY " else { return nil }
        text = text.dropFirst(5).drop(while: \.isWhitespace)
        let name = leadingName(text)
        guard let parts = nameParts(name, foldUnquoted: true), (1...2).contains(parts.count) else { return nil }
        text = text[name.endIndex...].drop(while: \.isWhitespace)
        var columns: [String] = []
        if text.first == "(" {
            text = text.dropFirst()
            var index = text.startIndex
            var segmentStart = index
            var closed = false
            var quoted = false
            while index < text.endIndex {
                let character = text[index]
                if character == "\"" {
                    quoted.toggle()
                } else if !quoted, character == "," || character == ")" {
                    let raw = text[segmentStart..<index].trimmingCharacters(in: .whitespacesAndNewlines)
                    guard let names = nameParts(Substring(raw), foldUnquoted: true), names.count == 1 else { return nil }
                    columns.append(names[0])
                    index = text.index(after: index)
                    segmentStart = index
                    if character == ")" {
                        closed = true
                        break
                    }
                    continue
                }
                index = text.index(after: index)
            }
            guard closed else { return nil }
            text = text[index...].drop(while: \.isWhitespace)
        }
        guard text.uppercased().hasPrefix("FROM STDIN") else { return nil }
        return CopyHeader(table: parts.joined(separator: "."), columns: columns)
    }

    /// `CREATE [UNLOGGED] TABLE public.t (…);` → `public.t`, as the catalog names it; nil for
    /// any other statement.
    static func tableCreated(by sql: String) -> String? {
        var text = Substring(sql).drop(while: \.isWhitespace)
        for keyword in ["CREATE", "UNLOGGED", "TABLE"] {
            let word = text.prefix { !$0.isWhitespace }
            if word.uppercased() == keyword {
                text = text[word.endIndex...].drop(while: \.isWhitespace)
            } else if keyword != "UNLOGGED" {
                return nil
            }
        }
        guard let parts = nameParts(leadingName(text), foldUnquoted: true), (1...2).contains(parts.count) else { return nil }
        return parts.joined(separator: ".")
    }

    /// The name `text` starts with: up to the first space or parenthesis outside double quotes.
    static func leadingName(_ text: Substring) -> Substring {
        var end = text.startIndex
        var quoted = false
        while end < text.endIndex {
            let character = text[end]
            if character == "\"" {
                quoted.toggle()
            } else if !quoted, character.isWhitespace || character == "(" {
                break
            }
            end = text.index(after: end)
        }
        return text[..<end]
    }

    /// `schema.table` → its identifiers; `"…"` quotes (with `""` for a quote) allow any
    /// character, dots included. Nil for an empty or unterminated name.
    static func nameParts(_ text: Substring, foldUnquoted: Bool) -> [String]? {
        var parts: [String] = []
        var index = text.startIndex
        while true {
            guard index < text.endIndex else { return nil }
            var part = ""
            if text[index] == "\"" {
                index = text.index(after: index)
                var closed = false
                while index < text.endIndex {
                    if text[index] == "\"" {
                        let next = text.index(after: index)
                        if next < text.endIndex, text[next] == "\"" {
                            part.append("\"")
                            index = text.index(after: next)
                            continue
                        }
                        index = next
                        closed = true
                        break
                    }
                    part.append(text[index])
                    index = text.index(after: index)
                }
                guard closed, !part.isEmpty else { return nil }
            } else {
                while index < text.endIndex, text[index] != ".", text[index] != "\"" {
                    part.append(text[index])
                    index = text.index(after: index)
                }
                guard !part.isEmpty else { return nil }
                if foldUnquoted { part = part.lowercased() }
            }
            parts.append(part)
            if index == text.endIndex { return parts }
            guard text[index] == "." else { return nil }
            index = text.index(after: index)
        }
    }
}

/// Streams a plain pg_dump through line by line, masking the COPY data of the tables that
/// have rules and passing every other byte through unchanged. COPY headers are found with
/// the same quote-aware splitter the restorer uses, so a `COPY … FROM stdin;` line inside a
/// function body is never mistaken for data. On the way it counts each table's rows and
/// keeps the first row of the tables named in `capture` (the migration tracking table).
final class DumpStreamMasker {
    private let rules: [String: [String: MaskingRule]]
    private let rulesFile: String
    private let salt: String
    private let capture: Set<String>
    private let required: Set<String>
    private var splitter = StatementSplitter()
    private var lineNumber = 0
    private var pending: [UInt8] = []
    private var copyTable: String?
    private var copyColumns: [String] = []
    private var copyMasker: CopyRowMasker?
    private var copyRows: Int64 = 0

    /// Data lines per table (`schema.table`).
    private(set) var rowCounts: [String: Int64] = [:]
    /// The first data line of each captured table, with its COPY column list.
    private(set) var captured: [String: (columns: [String], line: [UInt8])] = [:]
    private(set) var maskedTablesSeen: Set<String> = []
    private(set) var rowsMasked: Int64 = 0
    /// The table whose COPY data is streaming by, for progress.
    var currentTable: String? { copyTable }

    /// `required`: the masked tables that must appear in the dump (default: all of them);
    /// a partitioned parent, whose rows are dumped under its partitions, is left out.
    init(rules: MaskingRules?, salt: String, capture: Set<String> = [], required: Set<String>? = nil) {
        var byTable: [String: [String: MaskingRule]] = [:]
        for table in rules?.tables ?? [] { byTable[table.qualifiedName] = table.columns }
        self.rules = byTable
        rulesFile = rules?.file ?? ""
        self.salt = salt
        self.capture = capture
        self.required = required ?? Set(byTable.keys)
    }

    func process(_ chunk: [UInt8], into output: inout [UInt8]) throws {
        try chunk.withUnsafeBytes { try process($0, into: &output) }
    }

    /// Appends the chunk's complete lines, masked where needed, to `output`; a partial last
    /// line waits for the next chunk.
    func process(_ chunk: UnsafeRawBufferPointer, into output: inout [UInt8]) throws {
        guard chunk.count > 0 else { return }
        var cursor = 0
        if !pending.isEmpty {
            guard let end = Self.newline(in: chunk, from: 0) else {
                pending.append(contentsOf: chunk)
                return
            }
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0...end]))
            let line = pending
            pending.removeAll(keepingCapacity: true)
            try line.withUnsafeBytes { raw in
                output.append(contentsOf: try transform(raw) ?? Array(raw))
            }
            cursor = end + 1
        }
        var passStart = cursor
        while cursor < chunk.count, let end = Self.newline(in: chunk, from: cursor) {
            if let replacement = try transform(UnsafeRawBufferPointer(rebasing: chunk[cursor...end])) {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[passStart..<cursor]))
                output.append(contentsOf: replacement)
                passStart = end + 1
            }
            cursor = end + 1
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[passStart..<cursor]))
        if cursor < chunk.count {
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[cursor...]))
        }
    }

    /// Flushes a last line without a newline and checks that every required masked table was
    /// in the dump.
    func finish(into output: inout [UInt8]) throws {
        if !pending.isEmpty {
            let line = pending
            pending.removeAll()
            try line.withUnsafeBytes { raw in
                output.append(contentsOf: try transform(raw) ?? Array(raw))
            }
        }
        if let table = copyTable {
            rowCounts[table, default: 0] += copyRows
            copyTable = nil
        }
        if let missing = required.subtracting(maskedTablesSeen).sorted().first {
            throw SnapshotCreationError.maskedTableNotFound(file: rulesFile, table: missing)
        }
    }

    /// The masked line, or nil when the line passes unchanged.
    private func transform(_ line: UnsafeRawBufferPointer) throws -> [UInt8]? {
        lineNumber += 1
        if let table = copyTable {
            if Self.isEndOfCopy(line) {
                rowCounts[table, default: 0] += copyRows
                copyTable = nil
                copyMasker = nil
                return nil
            }
            copyRows += 1
            if copyRows == 1, capture.contains(table) {
                captured[table] = (copyColumns, Array(line))
            }
            guard let masker = copyMasker else { return nil }
            rowsMasked += 1
            return masker.mask(line: line)
        }
        for piece in splitter.feed(line: Array(line)[...], number: lineNumber) {
            guard case .statement(let bytes, let startLine) = piece else { continue }
            let sql = String(decoding: bytes, as: UTF8.self)
            if DumpReader.isCopyFromStdin(sql) {
                try beginCopy(sql, line: startLine)
            }
        }
        return nil
    }

    private func beginCopy(_ sql: String, line: Int) throws {
        copyRows = 0
        copyMasker = nil
        guard let header = CopyHeader.parse(sql) else {
            if !rules.isEmpty { throw SnapshotCreationError.copyNotUnderstood(line: line, statement: sql) }
            copyTable = "(COPY at line \(line))"
            copyColumns = []
            return
        }
        copyTable = header.table
        copyColumns = header.columns
        if let columnRules = rules[header.table] {
            copyMasker = try CopyRowMasker(table: header.table, columns: header.columns, rules: columnRules, salt: salt, rulesFile: rulesFile)
            maskedTablesSeen.insert(header.table)
        }
    }

    /// `\.` alone on its line ends COPY data.
    static func isEndOfCopy(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count >= 2, line[0] == 0x5C, line[1] == UInt8(ascii: ".") else { return false }
        return line.dropFirst(2).allSatisfy { $0 == 0x0A || $0 == 0x0D }
    }

    private static func newline(in chunk: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        guard offset < chunk.count, let base = chunk.baseAddress,
            let found = memchr(base + offset, 0x0A, chunk.count - offset)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
