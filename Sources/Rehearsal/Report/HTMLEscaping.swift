/// Escapes text quoted from a report (migration names, SQL messages, paths, definitions) so
/// it can never open a tag or leave an attribute in the HTML report. Quotes are escaped in
/// text too, so the result is safe wherever a caller happens to put it.
enum HTMLEscaping {
    /// For element content: `&`, `<`, `>`, `"` and `'` become character references.
    static func text(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            append(scalar, to: &out)
        }
        return out
    }

    /// For a quoted attribute value: as `text`, and line breaks and tabs become references so
    /// a multi-line message survives as one value (parsers fold raw ones into spaces).
    static func attribute(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: append(scalar, to: &out)
            }
        }
        return out
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(scalar)
        }
    }
}
