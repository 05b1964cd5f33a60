import CSV
import Foundation

/// An agency's CSV file read as the JSON lines `docs/contracts.md`
/// describes, each line with where its fields came from, so a problem is
/// named by the file's line and column. Referrals: one row per person,
/// grouped by `referral_id`; evidence: one row per record. A header row names
/// the columns (any order); an empty cell is an absent field.
struct AgencyCSV {
    /// One referral or record, as the JSON object a JSON Lines file would hold.
    struct Item: Sendable {
        var json: [UInt8]
        /// The line of its first row.
        var line: Int
        /// The line of each member's row (one for a record).
        var memberLines: [Int]
        let kind: Kind

        /// Where a contract field came from: `file:line: column c: problem`.
        func place(of field: String) -> (line: Int, column: String?) {
            kind.place(of: field, memberLines: memberLines, line: line)
        }
    }

    enum Kind: Sendable {
        case referrals, evidence

        /// The columns a file of this kind may have; `address_line_N` besides for referrals.
        var columns: [String] {
            switch self {
            case .referrals: ["referral_id", "postcode", "reasons", "ref", "given_name", "family_name", "date_of_birth"]
            case .evidence:
                ["record_id", "given_name", "family_name", "date_of_birth", "kind", "date", "proven", "type", "term_id", "term_start", "term_end",
                 "possible_sessions", "unauthorised_absences", "authorised_absences", "permanent", "benefit", "from", "to", "provision", "name",
                 "expected_release", "order"]
            }
        }

        var required: [String] {
            switch self {
            case .referrals: ["referral_id", "address_line_1", "postcode", "reasons", "ref", "given_name", "family_name", "date_of_birth"]
            case .evidence: ["record_id", "given_name", "family_name", "date_of_birth", "kind"]
            }
        }

        func isColumn(_ name: String) -> Bool {
            columns.contains(name) || (self == .referrals && Self.addressLine(name) != nil)
        }

        /// `address_line_3` → 3.
        static func addressLine(_ column: String) -> Int? {
            guard column.hasPrefix("address_line_"), let number = Int(column.dropFirst("address_line_".count)), number >= 1 else { return nil }
            return number
        }

        /// The line and column a contract field (`members[1].dateOfBirth`, `fact.term.end`) came from.
        func place(of field: String, memberLines: [Int], line: Int) -> (line: Int, column: String?) {
            let parts = field.split(separator: ".").map(String.init)
            guard let first = parts.first else { return (line, nil) }
            switch self {
            case .referrals:
                if first.hasPrefix("members["), let index = Int(first.dropFirst("members[".count).dropLast()), index < memberLines.count {
                    return (memberLines[index], parts.count > 1 ? snakeCase(parts[1]) : nil)
                }
                switch first {
                case "id": return (line, "referral_id")
                case "members": return (line, nil)
                case "address":
                    guard parts.count > 1 else { return (line, "address_line_1") }
                    if parts[1].hasPrefix("lines["), let index = Int(parts[1].dropFirst("lines[".count).dropLast()) {
                        return (line, "address_line_\(index + 1)")
                    }
                    return (line, parts[1] == "postcode" ? "postcode" : "address_line_1")
                default:
                    return (line, first.hasPrefix("reasons") ? "reasons" : nil)
                }
            case .evidence:
                switch first {
                case "id": return (line, "record_id")
                case "subject": return (line, parts.count > 1 ? snakeCase(parts[1]) : "given_name")
                case "fact":
                    guard parts.count > 1 else { return (line, "kind") }
                    if parts[1] == "term" { return (line, parts.count > 2 ? "term_" + parts[2] : "term_id") }
                    return (line, snakeCase(parts[1]))
                default: return (line, nil)
                }
            }
        }

        private func snakeCase(_ name: String) -> String {
            var result = ""
            for character in name {
                if character.isUppercase {
                    result += "_" + character.lowercased()
                } else {
                    result.append(character)
                }
            }
            return result
        }
    }

    /// The file's items, with the problems of its rows (a referral's rows
    /// that disagree, a row longer than the header), or every problem of a
    /// header that cannot be read as this kind's: the items' own problems are
    /// the contract's to find.
    static func read(_ text: String, as kind: Kind, name: String) -> Result<(items: [Item], problems: [String]), Problems> {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            return .failure(Problems(list: ["\(name):1: has no header row naming the columns"]))
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var problems: [String] = []
        for column in header where !kind.isColumn(column) {
            problems.append("\(name):1: column \(column): is not a column of \(kind == .referrals ? "a referrals" : "an evidence") file (\(kind.columns.joined(separator: ", "))\(kind == .referrals ? ", address_line_1, address_line_2, …" : ""))")
        }
        for column in kind.required where !header.contains(column) {
            problems.append("\(name):1: column \(column): is missing")
        }
        guard problems.isEmpty else { return .failure(Problems(list: problems)) }

        var rows: [(line: Int, cells: [String: String])] = []
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            if row.count > header.count {
                problems.append("\(name):\(line): has \(row.count) cells; the header names \(header.count) columns")
            }
            var cells: [String: String] = [:]
            for (column, cell) in zip(header, row) where !cell.isEmpty { cells[column] = cell }
            rows.append((line, cells))
        }
        switch kind {
        case .evidence: return .success((rows.map { record($0.cells, line: $0.line) }, problems))
        case .referrals:
            let (items, disagreements) = referrals(rows, name: name)
            return .success((items, problems + disagreements))
        }
    }

    struct Problems: Error {
        var list: [String]
    }

    /// Referrals: the rows of each `referral_id`, in the order ids first appear; the address and reasons are the first row's, and a later row gives the same or none.
    private static func referrals(_ rows: [(line: Int, cells: [String: String])], name: String) -> (items: [Item], problems: [String]) {
        var order: [String] = []
        var groups: [String: [(line: Int, cells: [String: String])]] = [:]
        var problems: [String] = []
        for row in rows {
            let id = row.cells["referral_id"] ?? ""
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(row)
        }
        var items: [Item] = []
        for id in order {
            let group = groups[id]!
            let first = group[0]
            let shared = first.cells.keys.filter { $0 == "postcode" || $0 == "reasons" || Kind.addressLine($0) != nil }
            for row in group.dropFirst() {
                for column in shared.sorted() where row.cells[column] != nil && row.cells[column] != first.cells[column] {
                    problems.append("\(name):\(row.line): column \(column): differs from line \(first.line)'s: a referral has one address and one set of reasons")
                }
            }
            let lines = first.cells.keys.compactMap { Kind.addressLine($0) }.sorted().map { first.cells["address_line_\($0)"]! }
            var referral: [String: Any] = [
                "address": ["lines": lines, "postcode": first.cells["postcode"] ?? ""] as [String: Any],
                "reasons": (first.cells["reasons"] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) },
                "members": group.map { row in
                    var member: [String: Any] = [:]
                    for (column, field) in [("ref", "ref"), ("given_name", "givenName"), ("family_name", "familyName"), ("date_of_birth", "dateOfBirth")] {
                        if let cell = row.cells[column] { member[field] = cell }
                    }
                    return member
                },
            ]
            if !id.isEmpty { referral["id"] = id }
            items.append(Item(json: json(referral), line: first.line, memberLines: group.map(\.line), kind: .referrals))
        }
        return (items, problems)
    }

    /// A record: its subject and its fact, numbers and flags as JSON numbers
    /// and booleans where the cell reads as one (the contract names a cell that does not).
    private static func record(_ cells: [String: String], line: Int) -> Item {
        var subject: [String: Any] = [:]
        for (column, field) in [("given_name", "givenName"), ("family_name", "familyName"), ("date_of_birth", "dateOfBirth")] {
            if let cell = cells[column] { subject[field] = cell }
        }
        var fact: [String: Any] = [:]
        var term: [String: Any] = [:]
        for (column, cell) in cells {
            switch column {
            case "record_id", "given_name", "family_name", "date_of_birth": continue
            case "term_id", "term_start", "term_end": term[String(column.dropFirst("term_".count))] = cell
            case "proven", "permanent": fact[camelCase(column)] = ["true": true, "false": false][cell.lowercased()] ?? cell
            case "possible_sessions", "unauthorised_absences", "authorised_absences": fact[camelCase(column)] = Int(cell).map { $0 as Any } ?? cell
            default: fact[camelCase(column)] = cell
            }
        }
        if !term.isEmpty { fact["term"] = term }
        var record: [String: Any] = ["subject": subject, "fact": fact]
        if let id = cells["record_id"] { record["id"] = id }
        return Item(json: json(record), line: line, memberLines: [line], kind: .evidence)
    }

    private static func camelCase(_ column: String) -> String {
        let words = column.split(separator: "_")
        return words.enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
    }

    private static func json(_ object: [String: Any]) -> [UInt8] {
        // Values from cells and literals only: serialising them cannot fail.
        Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}
