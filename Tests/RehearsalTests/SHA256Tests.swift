import XCTest
@testable import Rehearsal

final class SHA256Tests: XCTestCase {
    private func digest(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return SHA256.hex(hasher.finalize())
    }

    private func digest(_ text: String) -> String {
        digest(Array(text.utf8))
    }

    func testEmptyInput() {
        XCTAssertEqual(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testABC() {
        XCTAssertEqual(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testFIPS448BitVector() {
        XCTAssertEqual(
            digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testFIPS896BitVector() {
        XCTAssertEqual(
            digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testLengthsAroundThePaddingBoundary() {
        // 55 bytes fit the length in one block; 56 need a second; 64 is exactly one block.
        let expected = [
            55: "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072",
            56: "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e",
            63: "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2",
            64: "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c",
            119: "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c",
            120: "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98",
        ]
        for (length, hex) in expected.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(digest(String(repeating: "x", count: length)), hex, "\(length) bytes of x")
        }
    }

    func testIncrementalUpdatesInOddPiecesMatchOneUpdate() {
        let input = (0..<1000).map { UInt8($0 % 251) }
        let oneShot = digest(input)

        var hasher = SHA256()
        let sizes = [1, 63, 64, 65, 0, 7, 128, 3]
        var offset = 0
        var turn = 0
        while offset < input.count {
            let size = min(sizes[turn % sizes.count], input.count - offset)
            hasher.update(Array(input[offset..<(offset + size)]))
            offset += size
            turn += 1
        }

        XCTAssertEqual(SHA256.hex(hasher.finalize()), oneShot)
        // hashlib.sha256(bytes(i % 251 for i in range(1000))).hexdigest()
        XCTAssertEqual(oneShot, "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d")
    }

    func testOneMillionAsFedInChunks() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        XCTAssertEqual(
            SHA256.hex(hasher.finalize()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testHexPadsSmallBytesWithZero() {
        XCTAssertEqual(SHA256.hex([0x00, 0x0A, 0xFF]), "000aff")
    }
}
