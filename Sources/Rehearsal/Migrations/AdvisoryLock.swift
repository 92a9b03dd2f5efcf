/// The session-level advisory lock golang-migrate takes around every command, with the
/// key it computes: CRC-32 (IEEE) of `schema \0 table \0 database`, times 1486364155 with
/// 32-bit wrap-around, as an unsigned number.
public enum AdvisoryLock {
    public static func key(schema: String, table: String, database: String) -> UInt32 {
        let input = Array((schema + "\u{0}" + table + "\u{0}" + database).utf8)
        return CRC32.checksum(input) &* 1_486_364_155
    }
}

/// CRC-32 with the IEEE polynomial (as Go's `crc32.ChecksumIEEE`).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
