import Foundation

/// Keeps passwords out of every message, log and report: URLs and keyword strings are
/// shown with the password replaced by `***`.
public enum ConnectionTarget {
    public static func redact(_ target: String) -> String {
        redactSecrets(in: target)
    }

    /// Replaces `user:password@` in URLs and `password=…` in keyword strings or query
    /// parameters with `***`.
    public static func redactSecrets(in text: String) -> String {
        var result = text
        let patterns = [
            #"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*(@)"#,
            #"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { continue }
            let range = NSRange(result.startIndex..., in: result)
            let template = pattern.hasSuffix("(@)") ? "$1***$2" : "$1***"
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }
}
