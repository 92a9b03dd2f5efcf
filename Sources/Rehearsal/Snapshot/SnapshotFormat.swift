import Foundation

/// What a snapshot is, told by its content (magic bytes), never by its name: plain SQL as
/// `pg_dump` writes it, compressed with zstd or gzip or not at all, or one of `pg_dump`'s
/// archive formats, which the real `pg_restore` turns into the same SQL.
public enum SnapshotFormat: String, Sendable, Codable, CaseIterable {
    case plain
    case zstd
    case gzip
    /// `pg_dump --format=custom` (`-Fc`).
    case custom
    /// `pg_dump --format=directory` (`-Fd`): a directory with `toc.dat`.
    case directory
    /// `pg_dump --format=tar` (`-Ft`).
    case tar

    public var label: String {
        switch self {
        case .plain: return "plain SQL"
        case .zstd: return "zstd-compressed plain SQL"
        case .gzip: return "gzip-compressed plain SQL"
        case .custom: return "pg_dump custom format (-Fc)"
        case .directory: return "pg_dump directory format (-Fd)"
        case .tar: return "pg_dump tar format (-Ft)"
        }
    }

    /// Read through `pg_restore --file=-`.
    var isArchive: Bool { self == .custom || self == .directory || self == .tar }
    var isCompressed: Bool { self != .plain }

    static let archiveMagic = Array("PGDMP".utf8)

    /// The format of the snapshot at `path`, from its first bytes; anything rehearse cannot
    /// read is a `SnapshotError` that names what the file is and the command that converts
    /// it. Reads a few hundred bytes, nothing more.
    public static func detect(_ path: String) throws -> SnapshotFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SnapshotError.unreadable(path: path, reason: "no such file")
        }
        if isDirectory.boolValue {
            guard let toc = try? head(of: path + "/toc.dat", count: 5) else {
                throw SnapshotError.unsupported(
                    path: path, what: "a directory without pg_dump's toc.dat",
                    convert: "give the dump file itself, or a `pg_dump --format=directory` output directory")
            }
            guard toc == archiveMagic else {
                throw SnapshotError.unsupported(
                    path: path, what: "a directory whose toc.dat is not a pg_dump table of contents",
                    convert: "re-create it with `pg_dump --format=directory -f DIR DBNAME`")
            }
            return .directory
        }
        guard let bytes = try? head(of: path, count: 512) else {
            throw SnapshotError.unreadable(path: path, reason: "permission denied")
        }
        if bytes.isEmpty { throw SnapshotError.empty(path: path) }
        func starts(_ magic: [UInt8]) -> Bool { bytes.starts(with: magic) }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if starts([0x1F, 0x8B]) { return .gzip }
        if starts(archiveMagic) { return .custom }
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) {
            let name = String(decoding: bytes[0..<100].prefix { $0 != 0 }, as: UTF8.self)
            guard name == "toc.dat" else {
                throw SnapshotError.unsupported(
                    path: path, what: "a tar archive that is not a pg_dump -Ft archive (its first entry is \(name))",
                    convert: "extract it (`tar -xf \(path)`) and give rehearse the dump inside")
            }
            return .tar
        }
        let others: [(magic: [UInt8], what: String, tool: String)] = [
            ([0x42, 0x5A, 0x68], "bzip2-compressed", "bunzip2 -c"),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz-compressed", "xz -dc"),
            ([0x04, 0x22, 0x4D, 0x18], "lz4-compressed", "lz4 -dc"),
            ([0x50, 0x4B, 0x03, 0x04], "a zip archive", "unzip -p"),
        ]
        for other in others where starts(other.magic) {
            throw SnapshotError.unsupported(
                path: path, what: other.what == "a zip archive" ? other.what : "\(other.what) data",
                convert: "`\(other.tool) \(path) | zstd -o snapshot.sql.zst` (if it holds a plain pg_dump), or give rehearse the uncompressed file")
        }
        if starts(Array("SQLite format 3".utf8)) {
            throw SnapshotError.unsupported(
                path: path, what: "an SQLite database, not a PostgreSQL dump",
                convert: "dump the PostgreSQL database: `pg_dump --format=custom -f backup.dump DBNAME`")
        }
        return .plain
    }

    /// Checks that what a plain or compressed snapshot holds, once decompressed, is a dump
    /// rehearse restores: its first piece must carry pg_dump's header. Called before a server starts or the file
    /// is hashed, so a wrong file costs nothing; reads only the first piece.
    public static func check(_ path: String) throws -> SnapshotFormat {
        let format = try detect(path)
        // An archive's magic is conclusive, and pg_restore says what is wrong with one when
        // the restore reads it: no pg_restore is started only to look.
        if format.isArchive { return format }
        let reader = try DecompressingReader(path: path, format: format)
        var first: [UInt8] = []
        while first.count < 8192, let piece = try reader.next() { first += piece }
        try checkDumpHeader(first, path: path, format: format)
        return format
    }

    static func checkDumpHeader(_ first: [UInt8], path: String, format: SnapshotFormat) throws {
        let compressed = format == .plain ? "" : "\(format == .zstd ? "zstd" : "gzip")-compressed "
        if first.starts(with: archiveMagic) {
            throw SnapshotError.unsupported(
                path: path, what: "a \(compressed)pg_dump custom-format archive",
                convert: "decompress it (`\(format == .zstd ? "zstd -d" : "gunzip -k") \(path)`) and give rehearse the archive itself")
        }
        let text = String(decoding: first.prefix(8192), as: UTF8.self)
        if text.contains("PostgreSQL database dump") { return }
        if text.contains("PostgreSQL database cluster dump") {
            throw SnapshotError.unsupported(
                path: path, what: "a \(compressed)pg_dumpall dump of a whole cluster",
                convert: "dump the one database the migrations run on: `pg_dump --format=custom -f backup.dump DBNAME`")
        }
        let printable = first.prefix(512).allSatisfy { $0 >= 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        throw SnapshotError.unsupported(
            path: path,
            what: printable
                ? "\(compressed)text without pg_dump's header (\"-- PostgreSQL database dump\")"
                : "\(compressed)binary data in no format rehearse reads (plain SQL, .sql.zst, .sql.gz, pg_dump -Fc, -Fd or -Ft)",
            convert: "make a snapshot with `pg_dump --format=custom -f backup.dump DBNAME` or `rehearse snapshot create`")
    }

    private static func head(of path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SnapshotError.unreadable(path: path, reason: "permission denied") }
        defer { try? handle.close() }
        return [UInt8]((try handle.read(upToCount: count)) ?? Data())
    }
}
