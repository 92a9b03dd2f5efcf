import Foundation

/// An exclusive advisory lock on a file (`flock`), held until `release()` or process exit;
/// the kernel drops it when a killed run's descriptor closes, so it can never go stale.
final class FileLock {
    private var descriptor: Int32

    init(path: String, waiting: () -> Void) throws {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ClusterError.filesystem(path: path, reason: String(cString: strerror(errno)))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            while flock(descriptor, LOCK_EX) != 0 {
                if errno != EINTR {
                    let reason = String(cString: strerror(errno))
                    close(descriptor)
                    throw ClusterError.filesystem(path: path, reason: reason)
                }
            }
        }
    }

    func release() {
        if descriptor >= 0 {
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    deinit {
        release()
    }
}
