import Foundation
import PostgresClient

/// rehearse's own throwaway PostgreSQL server, started from the installed binaries.
///
/// The data directory is kept between runs (so restored snapshots stay cached as template
/// databases); the server listens on a unix socket in a fresh 0700 directory and never on
/// TCP, and is stopped when the run ends. One rehearse process at a time uses a data
/// directory: a second one waits on an exclusive file lock, which also makes it safe to
/// clean up whatever a killed run left behind.
public final class EmbeddedCluster: DatabaseServer, OwnServer {
    public static let superuser = "postgres"

    public let binaries: PostgresBinaries
    public let baseDirectory: String
    public var dataDirectory: String { baseDirectory + "/data" }
    public var logFile: String { baseDirectory + "/server.log" }
    public private(set) var socketDirectory: String?
    private let account: ServerAccount
    private let lock: FileLock
    private var running = false
    /// The last `pg_ctl start`, which may still be making sure of a server already ready.
    private var starting: BackgroundJob<Command.Output>?

    /// Where the data directory lives: `REHEARSE_HOME`, else `/var/cache/rehearse` as root
    /// (the server account must be able to reach it), else the user cache directory.
    public static func defaultHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["REHEARSE_HOME"], !home.isEmpty { return home }
        if getuid() == 0 { return "/var/cache/rehearse" }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/rehearse" }
        return NSHomeDirectory() + "/.cache/rehearse"
    }

    /// Takes the data directory's lock (calling `waiting` first if another run holds it),
    /// initialises the cluster if needed, and starts the server.
    public init(home: String = EmbeddedCluster.defaultHome(), waiting: (String) -> Void = { _ in }) throws {
        binaries = try PostgresBinaries.locate()
        account = try ServerAccount.current()
        try account.makePrivateDirectory(home)
        baseDirectory = home + "/pg\(binaries.majorVersion)"
        try account.makePrivateDirectory(baseDirectory)
        lock = try FileLock(path: baseDirectory + "/rehearse.lock", waiting: {
            waiting("another rehearse run is using \(home); waiting for it to finish")
        })
        do {
            try initialiseIfNeeded()
            try stopLeftoverServer()
            try start()
            try dropLeftoverDatabases()
        } catch {
            shutdown()
            throw error
        }
    }

    deinit {
        shutdown()
    }

    public var ownServer: OwnServer? { self }
    public var displayName: String { "embedded PostgreSQL \(binaries.majorVersion) (\(dataDirectory))" }

    /// The libpq keyword string for the server's socket.
    public var connectionTarget: String {
        "host=\(socketDirectory ?? "") port=5432 user=\(Self.superuser) dbname=postgres"
    }

    public func connect(database: String?) throws -> Connection {
        try Connection(connectionTarget, database: database)
    }

    public func shutdown() {
        if running {
            if (try? stop(mode: "fast", timeout: 60)) == nil {
                _ = try? stop(mode: "immediate", timeout: 60)
            }
            running = false
        }
        if let socketDirectory {
            try? FileManager.default.removeItem(atPath: socketDirectory)
            self.socketDirectory = nil
        }
        lock.release()
    }

    /// The running postmaster's process id, from its pid file.
    public var postmasterPID: Int32? {
        guard running else { return nil }
        return pidFileLines()?.first.flatMap { Int32($0) }
    }

    private var pidFile: String { dataDirectory + "/postmaster.pid" }

    /// The pid file's lines (pid, data directory, start time, port, socket directory,
    /// listen address, shared memory key, status), nil when there is none.
    private func pidFileLines() -> [Substring]? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Forgets the server without stopping it and releases the lock, as a killed process
    /// would; only for tests of the recovery path.
    func abandonForTesting() {
        running = false
        socketDirectory = nil
        lock.release()
    }

    // MARK: Steps

    private func initialiseIfNeeded() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            let version = (try? String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if version == String(binaries.majorVersion) { return }
        }
        // Missing, half-initialised or from another major version: the directory only ever
        // holds caches, so start it over.
        if fm.fileExists(atPath: dataDirectory) {
            try? fm.removeItem(atPath: dataDirectory)
        }
        let output = try account.command(
            binaries.path("initdb"),
            ["-D", dataDirectory, "-U", Self.superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            directory: baseDirectory
        ).run()
        guard output.status == 0 else {
            try? fm.removeItem(atPath: dataDirectory)
            throw ClusterError.commandFailed(command: "initdb", output: output.combined, logFile: nil)
        }
    }

    /// A run that was killed leaves its server running or a stale `postmaster.pid`; we hold
    /// the lock, so whatever runs on this data directory is a leftover.
    private func stopLeftoverServer() throws {
        guard let lines = pidFileLines() else { return }
        if let pid = lines.first.flatMap({ Int32($0) }), isPostmaster(pid) {
            let stop = try account.command(binaries.path("pg_ctl"), ["-D", dataDirectory, "-m", "immediate", "-w", "-s", "stop"], directory: baseDirectory).run()
            if stop.status != 0 { kill(pid, SIGKILL) }
            for _ in 0..<100 where isPostmaster(pid) { usleep(50_000) }
        }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    /// Scratch databases and half-restored templates of runs that were killed: with the lock
    /// held, none of them is in use.
    private func dropLeftoverDatabases() throws {
        let databases = ScratchDatabases(server: self)
        for (name, _) in try databases.list()
        where name.hasPrefix(ScratchDatabases.scratchPrefix) || name.hasSuffix("_partial") {
            try databases.drop(name)
        }
    }

    private func isPostmaster(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        let commandLine = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
        return commandLine.contains("postgres")
    }

    /// Settings for bulk loading a snapshot into a template: no durability and minimal WAL
    /// (COPY into a table truncated in the same transaction, and new indexes, write no WAL).
    /// Wrong for measuring, so `restart(loading: false)` puts production-like settings back
    /// before any migration runs.
    static let loadingOptions = [
        "-c wal_level=minimal", "-c max_wal_senders=0", "-c fsync=off", "-c full_page_writes=off",
        "-c synchronous_commit=off", "-c autovacuum=off", "-c max_wal_size=8GB",
    ]

    /// True while the server runs with `loadingOptions`.
    public private(set) var isLoading = false

    /// Restarts the server with or without the loading settings; every open session ends.
    public func restart(loading: Bool) throws {
        try stop(mode: "fast", timeout: 120)
        running = false
        try start(loading: loading)
    }

    /// How often a start or a stop looks whether the server is ready or gone: `pg_ctl -w`
    /// looks every 100 ms, which a run would pay at each start and stop.
    private static let pollMicroseconds: useconds_t = 5_000

    /// Asks the server to stop in `mode` and waits until its pid file is gone, as
    /// `pg_ctl -w` does, looking more often.
    private func stop(mode: String, timeout: Double) throws {
        _ = starting?.wait()
        let stop = try account.command(binaries.path("pg_ctl"), ["-D", dataDirectory, "-m", mode, "-W", "-s", "stop"], directory: baseDirectory).run()
        guard stop.status == 0 else {
            throw ClusterError.commandFailed(command: "pg_ctl stop", output: stop.combined, logFile: logFile)
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while FileManager.default.fileExists(atPath: pidFile) {
            guard Date() < deadline else {
                throw ClusterError.commandFailed(command: "pg_ctl stop", output: "the server did not stop within \(Int(timeout)) s", logFile: logFile)
            }
            usleep(Self.pollMicroseconds)
        }
    }

    /// Whether the pid file shows a postmaster started at `launched` or later, alive and
    /// ready for connections (the checks `pg_ctl -w` makes).
    private func postmasterReady(since launched: time_t) -> Bool {
        guard let lines = pidFileLines(), lines.count >= 8, let pid = Int32(lines[0]), let started = time_t(lines[2]), started >= launched - 2,
            lines[7].trimmingCharacters(in: .whitespaces) == "ready"
        else { return false }
        return isPostmaster(pid)
    }

    private func start(loading: Bool = false) throws {
        let socket: String
        if let existing = socketDirectory {
            socket = existing
        } else {
            socket = try makeSocketDirectory()
            socketDirectory = socket
        }
        let options = ([
            "-c listen_addresses=''",
            "-c unix_socket_directories='\(socket)'",
            "-c unix_socket_permissions=0700",
            "-c port=5432",
            "-c max_connections=60",
            "-c shared_buffers=256MB",
            "-c max_wal_size=2GB",
            "-c logging_collector=off",
        ] + (loading ? Self.loadingOptions : [])).joined(separator: " ")
        let command = account.command(
            binaries.path("pg_ctl"), ["-D", dataDirectory, "-l", logFile, "-w", "-t", "120", "-s", "-o", options, "start"], directory: baseDirectory)
        let launched = time(nil)
        let job = BackgroundJob { try command.run() }
        starting = job
        // pg_ctl says when the server could not start; that it did, the pid file says up to
        // 100 ms sooner.
        while !job.isDone, !postmasterReady(since: launched) { usleep(Self.pollMicroseconds) }
        if job.isDone {
            let output = try job.wait().get()
            guard output.status == 0 else {
                let tail = (try? String(contentsOfFile: logFile, encoding: .utf8))?
                    .split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
                throw ClusterError.commandFailed(command: "pg_ctl start", output: [output.combined, tail].filter { !$0.isEmpty }.joined(separator: "\n"), logFile: logFile)
            }
        }
        running = true
        isLoading = loading
    }

    private func makeSocketDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "rehearse-sock-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let created else {
            throw ClusterError.filesystem(path: NSTemporaryDirectory(), reason: String(cString: strerror(errno)))
        }
        let path = String(cString: created)
        try account.makePrivateDirectory(path)
        return path
    }
}
