import Foundation
import Yams

/// How one column's values are replaced while a snapshot is created. NULL stays NULL under
/// every rule but `null`: masking must not make absent data look present.
public enum MaskingRule: Sendable, Equatable {
    /// Every value becomes NULL (`phone: null`).
    case null
    /// Every value becomes this text (`notes: "redacted"`).
    case fixed(String)
    /// `h_` + the first 16 hex digits of SHA-256(salt + value): equal values stay equal and
    /// distinct ones distinct, so unique constraints, joins and foreign keys survive. An
    /// e-mail address stays an address: `h_…@example.invalid`.
    case hash
    /// A plausible value derived from the original (`User 1a2b3c4d5e6f`,
    /// `user_1a2b3c4d5e6f@example.invalid`, a phone number with its digits replaced):
    /// deterministic, but not guaranteed unique — use `hash` for unique columns.
    case fake
}

/// The personal data to mask when creating a snapshot, read from a YAML file:
///
/// ```yaml
/// public.users:
///   email: hash
///   display_name: fake
///   phone: null
///   notes: "redacted"
/// salt: "a secret"   # optional
/// ```
///
/// A plain word must be `hash`, `fake` or `null` (so a typo such as `hsah` is an error rather
/// than a value); any quoted text, number or multi-word text is a fixed value. Names are
/// written as in the catalog (case-sensitive, no quotes needed unless a name contains a
/// dot); a table without a schema is in `public`. Without `salt`, a random salt is drawn per
/// snapshot: hashes are consistent within one snapshot (joins work) but cannot be matched
/// against a dictionary of known addresses, nor across snapshots.
public struct MaskingRules: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var schema: String
        public var name: String
        /// Column name → rule.
        public var columns: [String: MaskingRule]
        /// Where the table's key is in the rules file, for messages.
        public var line: Int?

        public init(schema: String, name: String, columns: [String: MaskingRule], line: Int? = nil) {
            self.schema = schema
            self.name = name
            self.columns = columns
            self.line = line
        }

        /// `schema.table`, as COPY headers and the manifest name tables.
        public var qualifiedName: String { schema + "." + name }
    }

    public var file: String
    public var tables: [Table]
    public var salt: String?

    public init(file: String, tables: [Table], salt: String? = nil) {
        self.file = file
        self.tables = tables
        self.salt = salt
    }

    /// Every masked column as `schema.table.column`, sorted.
    public var maskedColumns: [String] {
        tables.flatMap { table in table.columns.keys.map { "\(table.qualifiedName).\($0)" } }.sorted()
    }

    public func table(_ qualifiedName: String) -> Table? {
        tables.first { $0.qualifiedName == qualifiedName }
    }

    public static func load(_ path: String) throws -> MaskingRules {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SnapshotCreationError.maskingRulesUnreadable(file: path, reason: "the file is missing or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SnapshotCreationError.maskingRulesUnreadable(file: path, reason: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> MaskingRules {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw SnapshotCreationError.maskingRulesUnreadable(file: file, reason: "the file is empty")
            }
            root = node
        } catch let error as SnapshotCreationError {
            throw error
        } catch {
            throw SnapshotCreationError.maskingRulesUnreadable(file: file, reason: "not valid YAML: \(error)")
        }
        guard case .mapping(let mapping) = root else {
            throw SnapshotCreationError.maskingRulesUnreadable(file: file, reason: "the top level is not a mapping of tables")
        }
        var tables: [Table] = []
        var salt: String?
        for (keyNode, valueNode) in mapping {
            let key = keyNode.scalar?.string ?? ""
            let line = keyNode.mark?.line
            func invalid(_ problem: String) -> SnapshotCreationError {
                .maskingRuleInvalid(file: file, key: key, line: line, problem: problem)
            }
            if key == "salt", case .scalar(let scalar) = valueNode {
                guard !scalar.string.isEmpty else { throw invalid("the salt must not be empty") }
                salt = scalar.string
                continue
            }
            guard let parts = CopyHeader.nameParts(Substring(key), foldUnquoted: false), (1...2).contains(parts.count) else {
                throw invalid("not a table name; write schema.table (e.g. public.users)")
            }
            let table = Table(schema: parts.count == 2 ? parts[0] : "public", name: parts[parts.count - 1], columns: [:], line: line)
            guard case .mapping(let columnNodes) = valueNode else {
                throw invalid("must be a mapping of column: rule, where a rule is hash, fake, null or a quoted fixed value")
            }
            if tables.contains(where: { $0.qualifiedName == table.qualifiedName }) {
                throw invalid("table \(table.qualifiedName) is listed twice; merge its columns under one key")
            }
            var columns: [String: MaskingRule] = [:]
            for (columnNode, ruleNode) in columnNodes {
                let column = columnNode.scalar?.string ?? ""
                let columnKey = "\(key).\(column)"
                guard !column.isEmpty else {
                    throw SnapshotCreationError.maskingRuleInvalid(
                        file: file, key: columnKey, line: columnNode.mark?.line, problem: "a column name must be a non-empty text")
                }
                if columns[column] != nil {
                    throw SnapshotCreationError.maskingRuleInvalid(
                        file: file, key: columnKey, line: columnNode.mark?.line, problem: "column \(column) is listed twice")
                }
                columns[column] = try rule(ruleNode, file: file, key: columnKey)
            }
            guard !columns.isEmpty else { throw invalid("lists no columns to mask") }
            var complete = table
            complete.columns = columns
            tables.append(complete)
        }
        guard !tables.isEmpty else {
            throw SnapshotCreationError.maskingRulesUnreadable(file: file, reason: "it lists no tables to mask")
        }
        return MaskingRules(file: file, tables: tables, salt: salt)
    }

    private static let booleans: Set<String> = ["true", "false", "True", "False", "TRUE", "FALSE"]

    private static func rule(_ node: Node, file: String, key: String) throws -> MaskingRule {
        guard case .scalar(let scalar) = node else {
            throw SnapshotCreationError.maskingRuleInvalid(
                file: file, key: key, line: node.mark?.line,
                problem: "unknown masking kind (a list or mapping); use hash, fake, null or a quoted fixed value")
        }
        switch scalar.style {
        case .plain, .any:
            let word = scalar.string
            switch word.lowercased() {
            case "hash": return .hash
            case "fake": return .fake
            case "null", "~", "": return .null
            default:
                let isBareWord = word.range(of: #"^[A-Za-z_][A-Za-z0-9_-]*$"#, options: .regularExpression) != nil
                if isBareWord, !booleans.contains(word) {
                    throw SnapshotCreationError.maskingRuleInvalid(
                        file: file, key: key, line: scalar.mark?.line,
                        problem: "unknown masking kind \"\(word)\"; use hash, fake or null, or quote it (\"\(word)\") to write that text as a fixed value")
                }
                return .fixed(word)
            }
        default:
            return .fixed(scalar.string)
        }
    }
}
