import Foundation
import Rehearsal
import PostgresClient

/// Wiring shared by the commands: error → exit code, server start, interruption.
enum Session {
    /// Runs `body`, printing any error once as one sentence and mapping it to the
    /// documented exit code (2 bad input, 3 infrastructure).
    static func perform(terminal: Terminal, interruption: InterruptionToken? = nil, _ body: () throws -> Int32) -> Int32 {
        do {
            return try body()
        } catch {
            terminal.clearProgress()
            if interruption?.isInterrupted == true || error is RehearsalInterrupted {
                terminal.error("the rehearsal was interrupted")
                return 3
            }
            terminal.error("\(error)")
            return exitCode(for: error)
        }
    }

    static func exitCode(for error: Error) -> Int32 {
        switch error {
        case is UsageError:
            return 2
        case let error as SnapshotCreationError:
            return error.isSourceProblem ? 3 : 2
        default:
            return FailureKind(classifying: error) == .input ? 2 : 3
        }
    }

    /// What `run` and `plan` share: the scenario and its migrations checked before any
    /// server starts, then the server, the runner and the interrupt handler.
    static func prepare(
        scenario: Scenario, options: ServerOptions, rehearsal: RehearsalOptions, terminal: Terminal
    ) throws -> (server: DatabaseServer, runner: RehearsalRunner) {
        let directory = try MigrationDirectory.load(scenario.migrationsPath).validated()
        _ = try SnapshotFormat.check(scenario.snapshotPath)
        let database = try startServer(options, terminal: terminal)
        let runner = RehearsalRunner(scenario: scenario, directory: directory, server: database, options: rehearsal, events: terminal.draw)
        onInterrupt(token: rehearsal.interruption, server: database, terminal: terminal)
        return (database, runner)
    }

    static func startServer(_ options: ServerOptions, terminal: Terminal) throws -> DatabaseServer {
        if let url = options.resolvedURL {
            let server = ExternalServer(target: url)
            try server.checkReachable()
            return server
        }
        terminal.draw(.startingServer)
        return try EmbeddedCluster(waiting: { terminal.note($0) })
    }

    /// The first SIGINT/SIGTERM interrupts the rehearsal: the statement in flight is
    /// cancelled and the run unwinds normally (scratch database dropped, server stopped,
    /// partial report written, exit 3). A second one stops the server and exits at once.
    static func onInterrupt(token: InterruptionToken, server: DatabaseServer, terminal: Terminal) {
        let server = UncheckedSendable(server)
        Interruption.install { second in
            if second {
                terminal.error("interrupted again: stopping the server and exiting now")
                server.value.shutdown()
                exit(3)
            }
            terminal.error("interrupted: cancelling, cleaning up and writing a partial report (interrupt again to exit now)")
            token.interrupt()
        }
    }

    static func fileTimestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// Signal handling on a dispatch queue, so the handler may do real work (not async-signal
/// context).
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let count = LockedBox(0)

    static func install(_ handler: @escaping @Sendable (_ second: Bool) -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                handler(count.withValue { $0 += 1; return $0 } > 1)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// A command line that cannot be carried out as written (exit 2).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
