import Foundation

/// A file a command reads as lines, or standard input for `-`: its name for
/// messages, and its bytes without a byte-order mark. Lines end at LF; a CR
/// before it is the line's last byte, left to the reader (JSON counts it as
/// whitespace).
struct InputFile {
    /// `standard input`, or the file's name without its folders.
    let name: String
    let bytes: [UInt8]

    /// - Throws: ``CommandFailure/refused(_:)`` naming the file and why it cannot be read.
    init(_ path: String) throws {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
            name = "standard input"
        } else {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CommandFailure.refused("cannot read \(path): \((error as NSError).localizedDescription)")
            }
            name = URL(fileURLWithPath: path).lastPathComponent
        }
        // A file saved with a byte-order mark: the mark is not part of line 1.
        let bytes = [UInt8](data)
        self.bytes = bytes.starts(with: Self.byteOrderMark) ? Array(bytes.dropFirst(Self.byteOrderMark.count)) : bytes
    }

    /// The lines, numbered from 1 by their place in the array (blank ones
    /// kept; the line feed that ends the last line starts none).
    var lines: [ArraySlice<UInt8>] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The bytes JSON lets stand between values: a line of only these is blank.
    static let jsonWhitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    /// Whether a line holds nothing but whitespace.
    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool { line.allSatisfy { jsonWhitespace.contains($0) } }

    /// Writes each problem on a line of standard error, then a line counting them.
    static func report(_ problems: [String], in name: String, consequence: String) {
        for problem in problems { FileHandle.standardError.write(Data((problem + "\n").utf8)) }
        FileHandle.standardError.write(Data("\(name): \(problems.count) problem(s); \(consequence)\n".utf8))
    }
}
