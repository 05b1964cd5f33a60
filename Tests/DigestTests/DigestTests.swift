import Digest
import Testing

@Suite struct DigestTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// RFC 4231's test cases 1, 2 and 6 (a key longer than a block).
    @Test func hmacMatchesTheStandardVectors() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(Hex.encode(HMAC.sha256(Array("Hi There".utf8), key: key1))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hex.encode(HMAC.sha256(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let key6 = [UInt8](repeating: 0xaa, count: 131)
        #expect(Hex.encode(HMAC.sha256(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8), key: key6))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func aChangedMessageOrKeyFailsTheCheck() {
        let key = Array("agency key".utf8)
        let code = HMAC.sha256(Array("referral".utf8), key: key)
        #expect(HMAC.isValid(code, for: Array("referral".utf8), key: key))
        #expect(!HMAC.isValid(code, for: Array("referrak".utf8), key: key))
        #expect(!HMAC.isValid(code, for: Array("referral".utf8), key: Array("other key".utf8)))
        #expect(!HMAC.isValid(Array(code.dropLast()), for: Array("referral".utf8), key: key))
    }

    @Test func hexRoundTripsAndRefusesWhatIsNotHex() {
        #expect(Hex.decode(Hex.encode([0, 1, 0xab, 0xff])) == [0, 1, 0xab, 0xff])
        #expect(Hex.decode("AB") == [0xab])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
