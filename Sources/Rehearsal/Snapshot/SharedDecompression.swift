import Foundation

/// One decompression of a snapshot shared by readers at different places in it, such as the
/// data loaders: each reads the whole stream, but loads only the tables it claims and skips
/// the rest, so without sharing every extra reader would decompress the snapshot once more.
///
/// The first reader to need a piece decompresses it; the piece is kept until every reader has
/// passed it. A reader that skips ahead while another loads a large table thus leaves the
/// pieces between them in memory. When they exceed `window` bytes, the slowest reader is
/// detached: from its next read on it decompresses privately, first passing again over
/// what it has already read, so memory stays bounded whatever the snapshot's size and the
/// cost is never above one decompression per reader.
final class SharedDecompression: @unchecked Sendable {
    /// A piece of the uncompressed stream and how far into the file it ends.
    fileprivate struct Piece {
        var bytes: [UInt8]
        var compressedOffset: UInt64
    }

    let path: String
    private let window: Int
    private let source: DecompressingReader
    private let condition = NSCondition()
    /// Pieces from index `first` on; guarded by `condition`, like everything below.
    private var pieces: [Piece] = []
    private var first = 0
    private var buffered = 0
    /// Each reader's next piece; nil once detached.
    private var cursors: [Int?]
    private var producing = false
    private var ended = false
    private var failure: Error?
    private var uncompressed: UInt64 = 0

    /// 1 GiB, or an eighth of the memory on smaller machines: at scale 12 (550 MB of SQL) the
    /// loaders never read further apart than that.
    static let defaultWindow = Int(min(1 << 30, ProcessInfo.processInfo.physicalMemory / 8))

    init(path: String, readers: Int, window: Int = SharedDecompression.defaultWindow) throws {
        self.path = path
        self.window = window
        source = try DecompressingReader(path: path)
        cursors = Array(repeating: 0, count: readers)
    }

    /// Uncompressed bytes decompressed so far by the shared stream.
    var uncompressedBytes: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return uncompressed
    }

    /// Readers detached (or gone) so far, for tests.
    var detachedReaders: Int {
        condition.lock()
        defer { condition.unlock() }
        return cursors.filter { $0 == nil }.count
    }

    /// Reader `index`'s view of the stream.
    func reader(_ index: Int) -> Reader {
        Reader(shared: self, index: index)
    }

    /// One reader's position; use from one thread.
    final class Reader {
        private let shared: SharedDecompression
        private let index: Int
        /// Uncompressed bytes returned so far.
        private var consumed = 0
        /// Once detached: the reader's own decompressor, and the rest of the piece in which
        /// it caught up with where the shared stream had left this reader.
        private var own: DecompressingReader?
        private var pending: [UInt8]?
        /// Compressed bytes behind the last piece returned, for progress.
        private(set) var compressedOffset: UInt64 = 0

        fileprivate init(shared: SharedDecompression, index: Int) {
            self.shared = shared
            self.index = index
        }

        /// The next piece of uncompressed data, or nil at the end.
        func next() throws -> [UInt8]? {
            if own == nil {
                if let piece = try shared.next(for: index) {
                    consumed += piece.bytes.count
                    compressedOffset = piece.compressedOffset
                    return piece.bytes
                }
                guard shared.isDetached(index) else { return nil }
                try goAlone()
            }
            if let rest = pending {
                pending = nil
                return rest
            }
            let bytes = try own?.next()
            compressedOffset = own?.compressedOffset ?? compressedOffset
            return bytes
        }

        /// Opens a decompressor of its own and passes over what the shared stream gave.
        private func goAlone() throws {
            let reader = try DecompressingReader(path: shared.path)
            var skip = consumed
            while skip > 0, let bytes = try reader.next() {
                if bytes.count > skip {
                    pending = Array(bytes[skip...])
                    break
                }
                skip -= bytes.count
            }
            own = reader
        }
    }

    /// Reader `index` reads no more: the pieces only it still needed can go.
    func leave(_ index: Int) {
        condition.lock()
        defer { condition.unlock() }
        cursors[index] = nil
        trim()
    }

    fileprivate func isDetached(_ index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return cursors[index] == nil
    }

    /// The piece at reader `index`'s cursor, decompressing it if nobody has yet; nil at the
    /// end or once the reader is detached.
    fileprivate func next(for index: Int) throws -> Piece? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let failure { throw failure }
            guard let cursor = cursors[index] else { return nil }
            if cursor < first + pieces.count {
                cursors[index] = cursor + 1
                let piece = pieces[cursor - first]
                trim()
                return piece
            }
            if ended { return nil }
            if producing {
                condition.wait()
                continue
            }
            if buffered > window { detachSlowest(besides: index) }
            producing = true
            condition.unlock()
            let produced: Result<Piece?, Error> = Result {
                try source.next().map { Piece(bytes: $0, compressedOffset: source.compressedOffset) }
            }
            condition.lock()
            producing = false
            condition.broadcast()
            switch produced {
            case .success(let piece?):
                pieces.append(piece)
                buffered += piece.bytes.count
                uncompressed += UInt64(piece.bytes.count)
            case .success(nil):
                ended = true
            case .failure(let error):
                failure = error
            }
        }
    }

    /// Drops the pieces every attached reader has passed (lock held).
    private func trim() {
        let lowest = cursors.compactMap { $0 }.min() ?? first + pieces.count
        let drop = lowest - first
        guard drop > 0 else { return }
        buffered -= pieces[..<drop].reduce(0) { $0 + $1.bytes.count }
        pieces.removeFirst(drop)
        first = lowest
    }

    /// Detaches the attached reader furthest behind, other than `index` (lock held).
    private func detachSlowest(besides index: Int) {
        let others = cursors.indices.filter { $0 != index && cursors[$0] != nil }
        guard let slowest = others.min(by: { cursors[$0]! < cursors[$1]! }) else { return }
        cursors[slowest] = nil
        trim()
    }
}
