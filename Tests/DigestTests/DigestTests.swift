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

    /// RFC 8032 section 7.1, tests 1 and 2: Ed25519 is deterministic, so
    /// the same key and message give the same signature.
    @Test(arguments: [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ])
    func ed25519MatchesTheStandardVectors(privateKey: String, publicKey: String, message: String, signature: String) throws {
        let privateKey = try #require(Hex.decode(privateKey)), message = try #require(Hex.decode(message))
        #expect(Ed25519.publicKey(of: privateKey).map(Hex.encode) == publicKey)
        #expect(Ed25519.sign(message, privateKey: privateKey).map(Hex.encode) == signature)
        #expect(Ed25519.isValid(try #require(Hex.decode(signature)), for: message, publicKey: try #require(Hex.decode(publicKey))))
    }

    @Test func ed25519RefusesAnotherMessageKeyOrSignature() throws {
        let pair = Ed25519.newKeyPair(), other = Ed25519.newKeyPair()
        let signature = try #require(Ed25519.sign(Array("referral".utf8), privateKey: pair.privateKey))
        #expect(Ed25519.isValid(signature, for: Array("referral".utf8), publicKey: pair.publicKey))
        #expect(!Ed25519.isValid(signature, for: Array("referrak".utf8), publicKey: pair.publicKey))
        #expect(!Ed25519.isValid(signature, for: Array("referral".utf8), publicKey: other.publicKey))
        #expect(!Ed25519.isValid(Array(signature.dropLast()), for: Array("referral".utf8), publicKey: pair.publicKey))
        #expect(!Ed25519.isValid(signature, for: Array("referral".utf8), publicKey: [1, 2, 3]))
        #expect(Ed25519.sign([], privateKey: [1, 2, 3]) == nil)
    }

    /// RFC 9162's tree: every leaf's path leads to the root, for trees of
    /// every shape; another leaf, index or path does not.
    @Test(arguments: [1, 2, 3, 5, 8, 13, 64]) func everyLeafsPathLeadsToTheRootAndNoOtherDoes(size: Int) {
        let leaves = (0..<size).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
        let tree = MerkleTree.build(leaves)
        for (index, leaf) in leaves.enumerated() {
            #expect(MerkleTree.root(leaf: leaf, index: index, size: size, path: tree.paths[index]) == tree.root)
            #expect(MerkleTree.root(leaf: MerkleTree.leafHash(Array("other".utf8)), index: index, size: size, path: tree.paths[index]) != tree.root)
            if size > 1 {
                #expect(MerkleTree.root(leaf: leaf, index: (index + 1) % size, size: size, path: tree.paths[index]) != tree.root)
                #expect(MerkleTree.root(leaf: leaf, index: index, size: size, path: Array(tree.paths[index].dropLast())) != tree.root)
            }
        }
        #expect(MerkleTree.root(leaf: leaves[0], index: size, size: size, path: tree.paths[0]) == nil)
    }

    /// RFC 9162, 2.1.1: the root of one leaf is its leaf hash, SHA-256(0x00 || data);
    /// of two, SHA-256(0x01 || left || right).
    @Test func aTreesRootIsHashedAsCertificateTransparencyHashesIt() {
        #expect(Hex.encode(MerkleTree.leafHash([])) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        let (left, right) = (MerkleTree.leafHash([1]), MerkleTree.leafHash([2]))
        #expect(MerkleTree.build([left, right]).root == SHA256.digest([1] + left + right))
        #expect(MerkleTree.build([left]).root == left)
    }

    @Test func hexRoundTripsAndRefusesWhatIsNotHex() {
        #expect(Hex.decode(Hex.encode([0, 1, 0xab, 0xff])) == [0, 1, 0xab, 0xff])
        #expect(Hex.decode("AB") == [0xab])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
