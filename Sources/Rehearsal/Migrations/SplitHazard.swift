/// A `;` that migrate's multi-statement mode splits at although SQL does not end a statement
/// there: inside a comment, a quoted string or identifier, or a dollar-quoted body. The
/// piece migrate sends then ends in the middle of it, and the server refuses the piece.
public struct SplitHazard: Sendable, Equatable {
    public enum Context: String, Sendable {
        case comment = "a comment"
        case string = "a quoted string"
        case identifier = "a quoted identifier"
        case dollarBody = "a dollar-quoted body"
    }

    public var line: Int
    public var context: Context

    /// The first such `;` of each comment, string, identifier or body in `sql`, in order
    /// (line numbers from 1).
    public static func find(in sql: String) -> [SplitHazard] {
        enum State: Equatable {
            case normal, lineComment, blockComment(depth: Int), string(escapes: Bool), identifier, dollar(tag: [UInt8])
        }
        let bytes = Array(sql.utf8)
        var hazards: [SplitHazard] = []
        var state = State.normal
        // One hazard per comment, string or body: the first ';' in it.
        var reported = false
        func hazard(_ context: Context) {
            if !reported { hazards.append(.init(line: line, context: context)) }
            reported = true
        }
        var line = 1
        var index = 0
        func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                if state == .lineComment { state = .normal }
                index += 1
                continue
            }
            switch state {
            case .normal:
                reported = false
                switch byte {
                case UInt8(ascii: "-") where at(1) == UInt8(ascii: "-"):
                    state = .lineComment
                    index += 1
                case UInt8(ascii: "/") where at(1) == UInt8(ascii: "*"):
                    state = .blockComment(depth: 1)
                    index += 1
                case UInt8(ascii: "'"):
                    let previous = index > 0 ? bytes[index - 1] : 0
                    state = .string(escapes: previous == UInt8(ascii: "E") || previous == UInt8(ascii: "e"))
                case UInt8(ascii: "\""):
                    state = .identifier
                case UInt8(ascii: "$"):
                    // $tag$ where tag is empty or an identifier not starting with a digit.
                    var end = index + 1
                    while end < bytes.count, bytes[end] == UInt8(ascii: "_") || (bytes[end] | 0x20 >= UInt8(ascii: "a") && bytes[end] | 0x20 <= UInt8(ascii: "z"))
                        || (end > index + 1 && bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9")) {
                        end += 1
                    }
                    if end < bytes.count, bytes[end] == UInt8(ascii: "$"), index == 0 || !isWordByte(bytes[index - 1]) {
                        state = .dollar(tag: Array(bytes[index...end]))
                        index = end
                    }
                default:
                    break
                }
            case .lineComment:
                if byte == UInt8(ascii: ";") { hazard(.comment) }
            case .blockComment(let depth):
                if byte == UInt8(ascii: ";") { hazard(.comment) }
                if byte == UInt8(ascii: "*"), at(1) == UInt8(ascii: "/") {
                    state = depth == 1 ? .normal : .blockComment(depth: depth - 1)
                    index += 1
                } else if byte == UInt8(ascii: "/"), at(1) == UInt8(ascii: "*") {
                    state = .blockComment(depth: depth + 1)
                    index += 1
                }
            case .string(let escapes):
                if byte == UInt8(ascii: ";") { hazard(.string) }
                if escapes, byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "'") {
                    if at(1) == UInt8(ascii: "'") { index += 1 } else { state = .normal }
                }
            case .identifier:
                if byte == UInt8(ascii: ";") { hazard(.identifier) }
                if byte == UInt8(ascii: "\"") { state = .normal }
            case .dollar(let tag):
                if byte == UInt8(ascii: ";") { hazard(.dollarBody) }
                if byte == UInt8(ascii: "$"), index + tag.count <= bytes.count, Array(bytes[index..<index + tag.count]) == tag {
                    state = .normal
                    index += tag.count - 1
                }
            }
            index += 1
        }
        return hazards
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// What to tell the author of a file migrate's split breaks.
    public static func advice(_ hazards: [SplitHazard], file: String) -> String {
        let first = hazards[0]
        let more = hazards.count > 1 ? " (and \(hazards.count - 1) more)" : ""
        return "migrate's multi-statement mode splits the file after every ';', also the one inside \(first.context.rawValue) at \(file):\(first.line)\(more), so the piece it sends ends there: move that ';' out of the \(first.context == .comment ? "comment" : "text"), or run the file in whole-file mode"
    }
}
