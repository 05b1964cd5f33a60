/// Merkle trees as Certificate Transparency builds them (RFC 9162, 2.1):
/// leaves hashed apart from nodes, a tree of n leaves split at the largest
/// power of two below n. One signature over a tree's root signs every leaf,
/// and a leaf is checked alone with its path, the hashes of its siblings.
public enum MerkleTree {
    /// The hash of a leaf's data.
    public static func leafHash(_ data: [UInt8]) -> [UInt8] {
        SHA256.digest([0] + data)
    }

    /// The root of the tree over `leaves` (leaf hashes) and, for each leaf,
    /// its path: its siblings' hashes from the leaf up.
    /// - Precondition: `leaves` is not empty.
    public static func build(_ leaves: [[UInt8]]) -> (root: [UInt8], paths: [[[UInt8]]]) {
        precondition(!leaves.isEmpty, "a Merkle tree has at least one leaf")
        var paths = [[[UInt8]]](repeating: [], count: leaves.count)
        let root = subtree(leaves.indices, leaves, &paths)
        return (root, paths)
    }

    /// The root a leaf's path leads to, or `nil` if the path cannot be one
    /// for a leaf at `index` of a tree of `size` leaves.
    public static func root(leaf: [UInt8], index: Int, size: Int, path: [[UInt8]]) -> [UInt8]? {
        guard index >= 0, index < size, path.allSatisfy({ $0.count == 32 }) else { return nil }
        return root(leaf: leaf, index: index, size: size, path: path[...])
    }

    private static func root(leaf: [UInt8], index: Int, size: Int, path: ArraySlice<[UInt8]>) -> [UInt8]? {
        if size == 1 { return path.isEmpty ? leaf : nil }
        guard let sibling = path.last else { return nil }
        let split = largestPowerOfTwo(below: size)
        if index < split {
            return root(leaf: leaf, index: index, size: split, path: path.dropLast()).map { node($0, sibling) }
        }
        return root(leaf: leaf, index: index - split, size: size - split, path: path.dropLast()).map { node(sibling, $0) }
    }

    private static func subtree(_ range: Range<Int>, _ leaves: [[UInt8]], _ paths: inout [[[UInt8]]]) -> [UInt8] {
        if range.count == 1 { return leaves[range.lowerBound] }
        let split = range.lowerBound + largestPowerOfTwo(below: range.count)
        let left = subtree(range.lowerBound..<split, leaves, &paths)
        let right = subtree(split..<range.upperBound, leaves, &paths)
        for index in range.lowerBound..<split { paths[index].append(right) }
        for index in split..<range.upperBound { paths[index].append(left) }
        return node(left, right)
    }

    private static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        SHA256.digest([1] + left + right)
    }

    private static func largestPowerOfTwo(below count: Int) -> Int {
        var power = 1
        while power * 2 < count { power *= 2 }
        return power
    }
}
