/// The metric names a PromQL expression reads: every identifier that is not
/// a function, an aggregation, a keyword or a label, outside label matchers
/// (`{…}`), ranges (`[…]`), label lists (`by (…)`, `on (…)`…) and strings.
/// Grafana's variables (`$service`, `$__rate_interval`) sit in matchers and
/// ranges, so they are skipped with them.
enum PromQLNames {
    static let aggregations: Set<String> = [
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
        "limitk", "limit_ratio",
    ]
    static let keywords: Set<String> = ["and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end"]
    static let labelLists: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]

    static func metricNames(in expression: String) -> Set<String> {
        let characters = Array(expression)
        var names: Set<String> = []
        var index = 0
        func skipString(from start: Int) -> Int {
            let quote = characters[start]
            var at = start + 1
            while at < characters.count, characters[at] != quote {
                at += characters[at] == "\\" ? 2 : 1
            }
            return at + 1
        }
        func skipBlock(from start: Int, closing: Character) -> Int {
            var at = start + 1
            while at < characters.count, characters[at] != closing {
                at = characters[at] == "\"" || characters[at] == "'" || characters[at] == "`" ? skipString(from: at) : at + 1
            }
            return at + 1
        }
        func nextNonSpace(from start: Int) -> Int {
            var at = start
            while at < characters.count, characters[at].isWhitespace { at += 1 }
            return at
        }
        func isNameStart(_ character: Character) -> Bool { character.isASCII && (character.isLetter || character == "_" || character == ":") }
        func isNamePart(_ character: Character) -> Bool { isNameStart(character) || (character.isASCII && character.isNumber) }

        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\"", "'", "`":
                index = skipString(from: index)
            case "{":
                index = skipBlock(from: index, closing: "}")
            case "[":
                index = skipBlock(from: index, closing: "]")
            case "$":
                // A Grafana variable outside a matcher or range.
                index += 1
                while index < characters.count, isNamePart(characters[index]) { index += 1 }
            case _ where character.isASCII && (character.isNumber || character == "."):
                // A number or a duration: 0.95, 1e3, 5m.
                while index < characters.count, isNamePart(characters[index]) || characters[index] == "." { index += 1 }
            case _ where isNameStart(character):
                let start = index
                while index < characters.count, isNamePart(characters[index]) { index += 1 }
                let word = String(characters[start..<index])
                let after = nextNonSpace(from: index)
                let calls = after < characters.count && characters[after] == "("
                if labelLists.contains(word) {
                    if calls { index = skipBlock(from: after, closing: ")") }
                } else if !calls, !aggregations.contains(word), !keywords.contains(word) {
                    names.insert(word)
                }
            default:
                index += 1
            }
        }
        return names
    }
}
