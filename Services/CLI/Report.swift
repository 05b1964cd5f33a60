import ArgumentParser
import Foundation
import Reports

/// A listing as a table for people, or CSV or JSON for scripts.
struct Report {
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    let header: [String]
    let rows: [[String]]

    /// Prints the listing; a table ends with `summary`, which CSV and JSON
    /// leave out, and shows no header over no rows.
    func print(_ format: Format, summary: String? = nil) {
        switch format {
        case .table:
            for row in rows.isEmpty ? [] : [header] + rows { Swift.print(row.joined(separator: "\t")) }
            if let summary { Swift.print(summary) }
        case .csv:
            Swift.print(CSV.document(header: header, rows: rows), terminator: "")
        case .json:
            let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
            let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])) ?? Data("[]".utf8)
            Swift.print(String(decoding: data, as: UTF8.self))
        }
    }
}
