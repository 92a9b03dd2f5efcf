import Foundation

/// The SQL of a `pg_dump` archive (custom, directory or tar format) as the real `pg_restore`
/// writes it with `--file=-`: the same statements and COPY blocks a plain dump holds, read
/// through a pipe in bounded memory, so archives go through the same parallel restorer,
/// loading settings and template cache as plain snapshots.
final class ArchiveStream {
    let path: String
    private let command: StreamingCommand
    private var produced: UInt64 = 0
    private var lastProbe: UInt64 = 0
    /// How far pg_restore has read the archive (its `rchar`), for progress.
    private(set) var inputOffset: UInt64 = 0
    private let inputSize: UInt64

    init(path: String, inputSize: UInt64) throws {
        self.path = path
        self.inputSize = inputSize
        let found = PostgresBinaries.clientProgram("pg_restore")
        guard let tool = found.path else {
            throw SnapshotError.unreadable(
                path: path,
                reason: "it is a pg_dump archive, which rehearse reads through pg_restore, and no pg_restore was found in \(found.searched.joined(separator: ", ")); install the PostgreSQL client (apt-get install postgresql-client) or set REHEARSE_PG_BINDIR")
        }
        do {
            command = try StreamingCommand(executable: tool, arguments: ["--file=-", path])
        } catch let error as CommandError {
            throw SnapshotError.archiveToolFailed(path: path, tool: tool, message: error.reason)
        }
    }

    /// The next piece of SQL, or nil once pg_restore has written all and exited cleanly.
    func next() throws -> [UInt8]? {
        var piece = [UInt8](repeating: 0, count: 1 << 18)
        var filled = 0
        while filled < piece.count {
            let count = try piece.withUnsafeMutableBytes { buffer in
                try command.readChunk(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
            if count == 0 { break }
            filled += count
        }
        if filled == 0 {
            let exit = try command.waitForExit()
            guard exit.status == 0 else {
                throw SnapshotError.archiveToolFailed(path: path, tool: command.executable, message: Self.firstError(exit.stderr, status: exit.status))
            }
            inputOffset = inputSize
            return nil
        }
        produced += UInt64(filled)
        if produced - lastProbe >= 8 << 20 {
            lastProbe = produced
            inputOffset = min(inputSize, readCharacters() ?? inputOffset)
        }
        return filled == piece.count ? piece : Array(piece[..<filled])
    }

    /// Bytes pg_restore has read so far, from /proc (Linux); nil elsewhere.
    private func readCharacters() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(command.pid)/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
            return UInt64(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// pg_restore's first error line without its program prefix, or its exit status.
    static func firstError(_ stderr: String, status: Int32) -> String {
        let lines = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let line = lines.first { $0.contains("error:") } ?? lines.first ?? ""
        let text = line.replacingOccurrences(of: "pg_restore: error: ", with: "").replacingOccurrences(of: "pg_restore: ", with: "")
        return text.isEmpty ? "it exited with status \(status)" : text
    }
}
