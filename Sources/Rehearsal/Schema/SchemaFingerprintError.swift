/// The catalog fingerprint could not be trusted. Every object has a unique `(kind, name)` by
/// construction, so a duplicate is a defect in rehearse, never a property of the schema:
/// comparing with it would pair objects with the wrong partner.
public enum SchemaFingerprintError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicateObject(kind: String, name: String)
    /// The catalog stamps came back without their `xmin` or `global` row.
    case stampsMissing

    public var description: String {
        switch self {
        case .duplicateObject(let kind, let name):
            return "internal error: the catalog fingerprint lists \(kind) \(name) twice, so the round-trip check cannot be trusted; please report this with the schema that caused it"
        case .stampsMissing:
            return "internal error: the catalog stamps came back incomplete, so the schema cannot be read in part; please report this with the server's version"
        }
    }
}
