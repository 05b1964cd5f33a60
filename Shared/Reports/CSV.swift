/// CSV for spreadsheets (RFC 4180's quoting, a line feed ending each line), safe to open: a field a
/// spreadsheet would read as a formula (starting `=`, `+`, `-`, `@`, a tab or
/// a carriage return) is written with a leading `'`, so it stays text.
///
/// Written here rather than with a CSV library: the ones kept write a byte at
/// a time through a stream, and none guards against formulas.
public enum CSV {
    /// One document: the header, then each row.
    public static func document(header: [String], rows: [[String]]) -> String {
        var text = line(header)
        for row in rows { text += line(row) }
        return text
    }

    /// One line, ending in a line feed.
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }

    /// One field, quoted when it holds a comma, a quote or a line break.
    public static func field(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) { text = "'" + text }
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
