/// A defect in how the runner was driven, never the input's or the server's fault.
enum RunnerError: Error, Sendable, CustomStringConvertible {
    case notProvisioned

    var description: String {
        switch self {
        case .notProvisioned:
            return "internal error: a pristine copy was asked for before the snapshot was provisioned"
        }
    }
}
