/// A NOTICE or WARNING the server sent while a statement ran (e.g. "relation already exists,
/// skipping"): kept so the report can show what migrate would have printed and ignored.
public struct Notice: Sendable, Equatable, Codable {
    public var severity: String
    public var message: String
    public var sqlState: String?
}
