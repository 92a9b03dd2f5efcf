import Foundation

/// Runs an external program (initdb, pg_ctl) to completion and captures what it printed.
/// Never goes through a shell. Output goes to temporary files rather than pipes: a server
/// started by `pg_ctl` inherits descriptors, and a pipe it kept open would never reach EOF.
struct Command {
    var executable: String
    var arguments: [String]
    var directory: String? = nil

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var combined: String { (stdout + "\n" + stderr).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func run() throws -> Output {
        let scratch = NSTemporaryDirectory() + "rehearse-cmd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let outPath = scratch + ".out"
        let errPath = scratch + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // `env -C` changes directory in the child; glibc's addchdir_np is not visible to Swift.
        let program = directory == nil ? executable : "/usr/bin/env"
        let words = directory.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]
        let argv = (words + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CommandError(command: executable, reason: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw CommandError(command: executable, reason: String(cString: strerror(errno))) }
        }
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(
            status: exitCode,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

struct CommandError: Error, CustomStringConvertible {
    var command: String
    var reason: String
    var description: String { "cannot run \(command): \(reason)" }
}
