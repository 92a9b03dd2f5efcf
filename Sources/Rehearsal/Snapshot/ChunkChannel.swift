import Foundation

/// Hands COPY data from the dump reader to the worker loading it, bounded in bytes so a fast
/// reader never buffers a whole table; either side can fail it, which wakes the other.
final class ChunkChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var buffered = 0
    private var finished = false
    private var failed = false
    private let capacity: Int

    init(capacity: Int = 32 << 20) {
        self.capacity = capacity
    }

    /// Blocks while the channel is full; returns false if the consumer gave up.
    func put(_ chunk: [UInt8]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while buffered >= capacity && !failed { condition.wait() }
        if failed { return false }
        chunks.append(chunk)
        buffered += chunk.count
        condition.broadcast()
        return true
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    func fail() {
        condition.lock()
        failed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, or nil at the end (or when the producer failed).
    func take() -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !finished && !failed { condition.wait() }
        if failed || chunks.isEmpty { return nil }
        let chunk = chunks.removeFirst()
        buffered -= chunk.count
        condition.broadcast()
        return chunk
    }

    var wasFailed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return failed
    }
}
