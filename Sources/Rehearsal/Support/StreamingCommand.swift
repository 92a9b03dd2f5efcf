import Foundation

/// Runs an external program (pg_dump, pg_restore) whose standard output is read as a stream through a
/// pipe, in chunks, so output of any size passes through bounded memory; standard error
/// goes to a temporary file for the error message. Never goes through a shell. The child
/// gets default handlers for SIGINT, SIGTERM and SIGPIPE even when this process ignores
/// them, so an interrupt or `terminate()` really stops it.
final class StreamingCommand {
    let executable: String
    /// The program's process id, for reading its progress from /proc.
    let pid: pid_t
    private var readEnd: Int32
    private let errorPath: String
    private var exitStatus: Int32?

    struct Exit {
        var status: Int32
        var stderr: String
    }

    /// Starts the program; `environment` entries are added to (or replace) this process's.
    init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        self.executable = executable
        errorPath = NSTemporaryDirectory() + "rehearse-stream-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err"
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw CommandError(command: executable, reason: String(cString: strerror(errno)))
        }
        // Close-on-exec on both ends: only the dup2'd copy on fd 1 reaches the child, and no
        // other program started meanwhile keeps the write end open (which would hide EOF).
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            unlink(errorPath)
            throw CommandError(command: executable, reason: String(cString: strerror(spawned)))
        }
        pid = child
        readEnd = fds[0]
    }

    deinit {
        if exitStatus == nil { terminate() }
        if readEnd >= 0 { close(readEnd) }
        unlink(errorPath)
    }

    /// Reads the next piece of standard output into `buffer`; returns the byte count, 0 at
    /// the end of output.
    func readChunk(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard readEnd >= 0, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = read(readEnd, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw CommandError(command: executable, reason: "reading its output: \(String(cString: strerror(errno)))")
        }
    }

    /// Waits for the program to exit (after its output ended) and returns its exit status
    /// (128 + signal number when a signal killed it) and what it wrote to standard error.
    func waitForExit() throws -> Exit {
        if readEnd >= 0 {
            close(readEnd)
            readEnd = -1
        }
        let status = try reap()
        return Exit(status: status, stderr: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// Stops the program (SIGTERM) and reaps it; for failures and interrupts. Closing our
    /// end of the pipe first means a program blocked on a full pipe gets EPIPE at once.
    func terminate() {
        guard exitStatus == nil else { return }
        if readEnd >= 0 {
            close(readEnd)
            readEnd = -1
        }
        kill(pid, SIGTERM)
        _ = try? reap()
    }

    private func reap() throws -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw CommandError(command: executable, reason: String(cString: strerror(errno))) }
        }
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }
}
