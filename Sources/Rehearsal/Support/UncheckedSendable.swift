/// Hands a value that is not `Sendable` (a connection, a server) to another thread that
/// uses it while the giver does not, or only through what is safe from any thread.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
