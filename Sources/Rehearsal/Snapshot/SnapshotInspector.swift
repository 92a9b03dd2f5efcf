import Foundation

/// Reads a snapshot without restoring it: one pass over the decompressed dump (an archive's
/// SQL as pg_restore writes it) counts each table's rows and COPY bytes, reads the recorded
/// migration version from the tracking table's COPY data and the versions from the header,
/// and the manifest beside the file (if any) is checked against the file's SHA-256, hashed
/// during the same pass. Nothing is executed and no server is needed.
public enum SnapshotInspector {
    /// `trackingTable` is the table name without schema; nil looks at the tables whose COPY
    /// has migrate's columns (version, dirty): `schema_migrations` first, then the first other.
    public static func inspect(_ path: String, trackingTable: String? = nil) throws -> SnapshotInspection {
        let decompressor = try DecompressingReader(path: path, hashing: true)
        var uncompressed: UInt64 = 0
        let reader = DumpReader(path: path) {
            let piece = try decompressor.next()
            uncompressed += UInt64(piece?.count ?? 0)
            return piece
        }
        var tables: [SnapshotInspection.Table] = []
        var candidates: [(table: String, state: TrackingTable.State?)] = []
        var createTables = 0
        var createIndexes = 0
        while let item = try reader.next() {
            switch item {
            case .statement(let sql, _):
                let head = sql.prefix(40).uppercased()
                if head.hasPrefix("CREATE TABLE ") || head.hasPrefix("CREATE UNLOGGED TABLE ") {
                    createTables += 1
                } else if head.hasPrefix("CREATE INDEX ") || head.hasPrefix("CREATE UNIQUE INDEX ") {
                    createIndexes += 1
                }
            case .copy(let sql, let line):
                let header = CopyHeader.parse(sql)
                let name = header?.table ?? "(COPY at line \(line))"
                let relation = name.split(separator: ".").last.map(String.init) ?? name
                let columns = header?.columns ?? []
                let isCandidate = trackingTable.map { relation == $0 } ?? (columns.contains("version") && columns.contains("dirty"))
                var rows: Int64 = 0
                var bytes: UInt64 = 0
                var firstLine: [UInt8]?
                try reader.copyData(startLine: line) { batch in
                    if firstLine == nil, isCandidate, let end = batch.firstIndex(of: 0x0A) {
                        firstLine = Array(batch[..<end])
                    }
                    bytes += UInt64(batch.count)
                    rows += Int64(batch.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
                }
                tables.append(SnapshotInspection.Table(name: name, rows: rows, bytes: bytes))
                if isCandidate {
                    candidates.append((name, firstLine.flatMap { trackingState(line: $0, columns: header?.columns ?? []) }))
                }
            }
        }
        let tracking = chooseTrackingTable(candidates, preferred: trackingTable)
        // An archive is read by pg_restore, so its bytes are hashed on their own.
        let sha256 = try decompressor.sha256() ?? Snapshot.open(path).sha256
        let snapshot = Snapshot(
            path: path, sha256: sha256, bytes: decompressor.fileSize, compressed: decompressor.isCompressed, format: decompressor.format)

        var inspection = SnapshotInspection(
            path: path, bytes: snapshot.bytes, compressed: snapshot.compressed, format: snapshot.format, sha256: snapshot.sha256,
            uncompressedBytes: uncompressed, serverVersion: reader.header.serverVersion, pgDumpVersion: reader.header.pgDumpVersion,
            trackingTable: tracking?.table, recordedVersion: tracking?.state?.version, dirty: tracking?.state?.dirty,
            tables: tables, createTableStatements: createTables, createIndexStatements: createIndexes)
        let manifestPath = SnapshotManifest.path(forSnapshot: path)
        if FileManager.default.fileExists(atPath: manifestPath) {
            inspection.manifestPath = manifestPath
            do {
                let manifest = try SnapshotManifest.load(manifestPath)
                inspection.manifest = manifest
                inspection.manifestMatches = manifest.sha256.lowercased() == snapshot.sha256
            } catch {
                inspection.manifestProblem = "cannot read \(manifestPath) as a snapshot manifest: \(error)"
            }
        }
        return inspection
    }

    /// golang-migrate's one row, `version<TAB>dirty`, located by the COPY column list when
    /// there is one; nil for a row that does not parse.
    static func trackingState(line: [UInt8], columns: [String]) -> TrackingTable.State? {
        var text = String(decoding: line, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let versionIndex = columns.firstIndex(of: "version") ?? 0
        let dirtyIndex = columns.firstIndex(of: "dirty") ?? 1
        guard versionIndex < fields.count, dirtyIndex < fields.count, let version = Int64(fields[versionIndex]) else { return nil }
        switch fields[dirtyIndex] {
        case "t", "true": return TrackingTable.State(version: version, dirty: true)
        case "f", "false": return TrackingTable.State(version: version, dirty: false)
        default: return nil
        }
    }

    /// The given name if there is one; else `schema_migrations`, then the first other table of
    /// migrate's shape in dump order.
    private static func chooseTrackingTable(
        _ candidates: [(table: String, state: TrackingTable.State?)], preferred: String?
    ) -> (table: String, state: TrackingTable.State?)? {
        func relation(_ table: String) -> String { table.split(separator: ".").last.map(String.init) ?? table }
        if preferred != nil { return candidates.first }
        return candidates.first { relation($0.table) == "schema_migrations" } ?? candidates.first
    }
}

/// What `SnapshotInspector` found in a snapshot file without restoring it.
public struct SnapshotInspection: Sendable, Equatable, Codable {
    public struct Table: Sendable, Equatable, Codable {
        /// `schema.table`, from the COPY header.
        public var name: String
        /// Data lines in the table's COPY block.
        public var rows: Int64
        /// Uncompressed COPY data bytes.
        public var bytes: UInt64
    }

    public var path: String
    /// File size on disk.
    public var bytes: UInt64
    public var compressed: Bool
    public var format: SnapshotFormat
    public var sha256: String
    public var uncompressedBytes: UInt64
    /// From the dump's header comments.
    public var serverVersion: String?
    public var pgDumpVersion: String?
    /// The tracking table whose COPY data gave the recorded version (`schema.table`).
    public var trackingTable: String?
    public var recordedVersion: Int64?
    public var dirty: Bool?
    /// In dump order.
    public var tables: [Table]
    public var createTableStatements: Int
    public var createIndexStatements: Int
    public var manifestPath: String?
    public var manifest: SnapshotManifest?
    /// Whether the manifest's sha256 is this file's; nil without a manifest.
    public var manifestMatches: Bool?
    /// Why a manifest file beside the snapshot could not be read.
    public var manifestProblem: String?

    public var totalRows: Int64 { tables.reduce(0) { $0 + $1.rows } }
}
