import Foundation
import Settings
import Testing

/// The README's configuration tables are the settings as declared: every
/// row, in order, and nothing else.
@Suite struct ReadmeSettingsTests {
    @Test func theReadmesConfigurationTablesAreTheDeclaredSettings() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## Configuration\n").dropFirst().first)
            .components(separatedBy: "\n## ")[0]
        let documented = section.split(separator: "\n").filter { $0.hasPrefix("| `") }.map(String.init)
        let declared = ServiceSettings.tables.flatMap { $0.map(\.readmeRow) }
        #expect(documented == declared, "README.md's configuration rows should be, in order:\n\(declared.joined(separator: "\n"))")
    }

    @Test func everyVariableIsDeclaredOnce() {
        let variables = ServiceSettings.tables.flatMap { $0.map(\.variable) }
        #expect(Set(variables).count == variables.count)
    }
}
