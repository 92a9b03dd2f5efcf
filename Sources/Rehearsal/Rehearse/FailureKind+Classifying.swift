extension FailureKind {
    /// Whose side an error that stopped a run is on: bad input a person fixes (exit 2), the
    /// server (exit 3), or rehearse itself.
    public init(classifying error: Error) {
        switch error {
        case is ScenarioError, is MigrationDirectoryError, is SnapshotError, is MigrationRunError, is TrafficError,
            is ServerInputError, is ReportFileError, is MigrationCreatorError:
            self = .input
        case let error as ClusterError:
            switch error {
            case .notOurs, .missingPrivilege, .databaseMissing: self = .input
            default: self = .server
            }
        case is SchemaFingerprintError, is RunnerError:
            self = .internalError
        default:
            self = .server
        }
    }
}
