extension Duration {
    /// The duration in milliseconds, as every figure in the reports is.
    var milliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}
