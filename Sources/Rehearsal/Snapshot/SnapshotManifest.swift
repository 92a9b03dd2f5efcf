import Foundation

/// What a snapshot holds, written beside it (`X.sql.zst` → `X.manifest.json`) so a person or
/// CI can see its version, tables and masking without reading the dump. The keys are those
/// of scripts/make-snapshot's manifests; `masked` is new and absent from older manifests.
public struct SnapshotManifest: Sendable, Equatable, Codable {
    public struct Table: Sendable, Equatable, Codable {
        /// `schema.table`.
        public var name: String
        /// Data rows in the dump (the estimate `reltuples` for a table with no COPY data).
        public var rows: Int64
        /// `pg_total_relation_size` on the source: table, indexes and TOAST.
        public var bytes: Int64

        public init(name: String, rows: Int64, bytes: Int64) {
            self.name = name
            self.rows = rows
            self.bytes = bytes
        }
    }

    public static let currentFormat = 1

    public var format: Int
    public var serverVersion: String
    public var serverVersionNum: Int
    /// ISO 8601, UTC.
    public var dumpedAt: String
    public var database: String
    public var trackingTable: String
    /// Nil when the tracking table is missing or empty (migrate's "no version").
    public var recordedVersion: Int64?
    public var dirty: Bool?
    /// make-snapshot's data scale; 1 for a copy of a real database.
    public var scale: Double?
    public var tables: [Table]
    /// SHA-256 of the snapshot file's bytes (compressed), as `Snapshot.open` computes it.
    public var sha256: String
    /// Masked columns as `schema.table.column`.
    public var masked: [String]

    public init(
        format: Int = SnapshotManifest.currentFormat, serverVersion: String, serverVersionNum: Int, dumpedAt: String,
        database: String, trackingTable: String, recordedVersion: Int64?, dirty: Bool?, scale: Double? = 1,
        tables: [Table], sha256: String, masked: [String] = []
    ) {
        self.format = format
        self.serverVersion = serverVersion
        self.serverVersionNum = serverVersionNum
        self.dumpedAt = dumpedAt
        self.database = database
        self.trackingTable = trackingTable
        self.recordedVersion = recordedVersion
        self.dirty = dirty
        self.scale = scale
        self.tables = tables
        self.sha256 = sha256
        self.masked = masked
    }

    enum CodingKeys: String, CodingKey {
        case format, serverVersion, serverVersionNum, dumpedAt, database, trackingTable, recordedVersion, dirty, scale
        case tables, sha256, masked
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(Int.self, forKey: .format)
        serverVersion = try container.decode(String.self, forKey: .serverVersion)
        serverVersionNum = try container.decode(Int.self, forKey: .serverVersionNum)
        dumpedAt = try container.decode(String.self, forKey: .dumpedAt)
        database = try container.decode(String.self, forKey: .database)
        trackingTable = try container.decodeIfPresent(String.self, forKey: .trackingTable) ?? "schema_migrations"
        recordedVersion = try container.decodeIfPresent(Int64.self, forKey: .recordedVersion)
        dirty = try container.decodeIfPresent(Bool.self, forKey: .dirty)
        scale = try container.decodeIfPresent(Double.self, forKey: .scale)
        tables = try container.decodeIfPresent([Table].self, forKey: .tables) ?? []
        sha256 = try container.decode(String.self, forKey: .sha256)
        masked = try container.decodeIfPresent([String].self, forKey: .masked) ?? []
    }

    /// Every key is always written, `null` when unknown, so the file has one shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(serverVersion, forKey: .serverVersion)
        try container.encode(serverVersionNum, forKey: .serverVersionNum)
        try container.encode(dumpedAt, forKey: .dumpedAt)
        try container.encode(database, forKey: .database)
        try container.encode(trackingTable, forKey: .trackingTable)
        try container.encode(recordedVersion, forKey: .recordedVersion)
        try container.encode(dirty, forKey: .dirty)
        try container.encode(scale, forKey: .scale)
        try container.encode(tables, forKey: .tables)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(masked, forKey: .masked)
    }

    /// `X.sql.zst` and `X.sql` → `X.manifest.json`; any other name gets `.manifest.json` added.
    public static func path(forSnapshot path: String) -> String {
        var snapshot = path
        while snapshot.count > 1 && snapshot.hasSuffix("/") { snapshot.removeLast() }
        for suffix in [".sql.zst", ".sql.zstd", ".sql.gz", ".sql", ".zst"] where snapshot.hasSuffix(suffix) && snapshot.count > suffix.count {
            return String(snapshot.dropLast(suffix.count)) + ".manifest.json"
        }
        return snapshot + ".manifest.json"
    }

    /// The manifest `snapshot create` wrote beside the snapshot, when it describes this file.
    public static func describing(_ snapshot: Snapshot) -> SnapshotManifest? {
        guard let manifest = try? load(path(forSnapshot: snapshot.path)), manifest.sha256 == snapshot.sha256 else { return nil }
        return manifest
    }

    public static func load(_ path: String) throws -> SnapshotManifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(SnapshotManifest.self, from: data)
    }

    /// Pretty-printed with sorted keys, ending in a newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Writes the manifest atomically (a reader never sees half a file).
    public func write(to path: String) throws {
        do {
            try encoded().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SnapshotCreationError.outputNotWritable(path: path, reason: error.localizedDescription)
        }
    }
}
