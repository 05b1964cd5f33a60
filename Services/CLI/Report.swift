import ArgumentParser
import Foundation
import Reports
import Vocabulary

/// A listing as an aligned table for people, or CSV or JSON for scripts.
struct Report {
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    /// What a column holds, when it is not text.
    enum Kind {
        /// A whole number: right-aligned, a number in JSON.
        case count
        /// Whole pence: `£2,400` in a table; `<name>_pence` and `<name>_pounds`, numbers, in CSV and JSON.
        case money
        /// A content hash in hex: its first 12 digits in a table (as a ruleset's reference quotes it), whole in CSV and JSON.
        case digest
    }

    let header: [String]
    let rows: [[String]]
    var kinds: [String: Kind] = [:]

    /// Prints the listing; a table ends with `summary`, which CSV and JSON
    /// leave out, and shows no header over no rows.
    func print(_ format: Format, summary: String? = nil) {
        switch format {
        case .table:
            if !rows.isEmpty {
                var table = TextTable(header: header, alignments: header.map { [.count, .money].contains(kinds[$0]) ? .right : .left })
                for row in rows {
                    table.append(
                        zip(header, row).map { column, cell in
                            switch kinds[column] {
                            case .money: money(cell).description
                            case .digest: String(cell.prefix(12))
                            case .count, nil: cell
                            }
                        })
                }
                Swift.print(table.text, terminator: "")
            }
            if let summary { Swift.print(summary) }
        case .csv:
            Swift.print(
                CSV.document(
                    header: header.flatMap { kinds[$0] == .money ? [$0 + "_pence", $0 + "_pounds"] : [$0] },
                    rows: rows.map { row in
                        zip(header, row).flatMap { column, cell in kinds[column] == .money ? [cell, money(cell).decimalPounds] : [cell] }
                    }),
                terminator: "")
        case .json:
            let objects = rows.map { row in
                Dictionary(
                    uniqueKeysWithValues: zip(header, row).flatMap { column, cell -> [(String, Any)] in
                        switch kinds[column] {
                        case .count: [(column, Int(cell) ?? 0)]
                        case .money: [(column + "_pence", money(cell).pence), (column + "_pounds", Double(money(cell).pence) / 100)]
                        case .digest, nil: [(column, cell)]
                        }
                    })
            }
            let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])) ?? Data("[]".utf8)
            Swift.print(String(decoding: data, as: UTF8.self))
        }
    }

    private func money(_ cell: String) -> Money { Money(pence: Int(cell) ?? 0) }
}
