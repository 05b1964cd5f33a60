import Contracts
import Foundation
import Testing
import Vocabulary

/// Facts and members a stage stored read back through the quick readers as
/// JSONDecoder reads them; what a quick reader leaves alone, JSONDecoder still reads.
@Suite struct StoredJSONTests {
    /// Each fact of the fixture (every kind), laid out as jsonb writes it.
    static func storedFacts() throws -> [String] {
        let file = try ContractFixturesTests.fixture("evidence-facts.v1")
        let facts = try #require(try JSONSerialization.jsonObject(with: Data(file)) as? [Any])
        return try facts.map { fact in
            let compact = String(decoding: try JSONSerialization.data(withJSONObject: fact, options: [.sortedKeys]), as: UTF8.self)
            return compact.replacingOccurrences(of: "\":", with: "\": ").replacingOccurrences(of: ",\"", with: ", \"")
        }
    }

    static func decoded(_ json: String) throws -> EvidenceFact {
        try JSONDecoder().decode(EvidenceFact.self, from: Data(json.utf8))
    }

    @Test func everyKindOfStoredFactReadsAsJSONDecoderReadsIt() throws {
        let stored = try Self.storedFacts()
        #expect(stored.count == 15)
        for json in stored {
            #expect(EvidenceFact(storedJSON: json) == (try Self.decoded(json)), "\(json)")
        }
    }

    @Test func anOpenSpellReadsTheSameWithItsEndNullOrAbsentAndAFieldOfNoKindIsIgnoredAsJSONDecoderIgnoresIt() throws {
        for json in [
            #"{"from": "2014-01-06", "kind": "employmentSpell", "to": null}"#,
            #"{"from": "2014-01-06", "kind": "employmentSpell"}"#,
            #"{"from": "2014-01-06", "kind": "employmentSpell", "note": "x"}"#,
            #" { "kind" : "employmentSpell" ,"from":"2014-01-06" } "#,
        ] {
            let fact = EvidenceFact.employmentSpell(from: CalendarDate(iso: "2014-01-06")!, to: nil)
            #expect(EvidenceFact(storedJSON: json) == fact, "\(json)")
            #expect(try Self.decoded(json) == fact, "\(json)")
        }
    }

    @Test func escapesFractionsAndFieldsOfTheWrongTypeAreLeftToJSONDecoder() throws {
        let escaped = #"{"date": "2013-06-30", "kind": "indicator", "name": "child\u002din-need"}"#
        #expect(EvidenceFact(storedJSON: escaped) == nil)
        #expect(try Self.decoded(escaped) == .indicator(name: "child-in-need", date: CalendarDate(iso: "2013-06-30")!))
        for unread in [
            #"{"date": "2013-03-10", "kind": "offence", "proven": 1}"#,
            #"{"date": "2013-03-10", "kind": "offence"}"#,
            #"{"date": null, "kind": "offence", "proven": true}"#,
            #"{"date": "2013-02-30", "kind": "offence", "proven": true}"#,
            #"{"date": "2013-03-10", "kind": "offence", "proven": true, "proven": false}"#,
            #"{"date": "2013-03-10", "kind": "arson", "proven": true}"#,
            #"{"from": "2014-01-06", "kind": "employmentSpell", "to": "soon"}"#,
            #"{"from": "2013-01-10", "kind": "courtOrder", "order": "caution", "to": "2014-01-09"}"#,
            #"{"authorisedAbsences": 4.0, "kind": "attendance", "possibleSessions": 140, "term": {"end": "2012-12-20", "id": "2012-AU", "start": "2012-09-03"}, "unauthorisedAbsences": 28}"#,
            #"{"authorisedAbsences": 04, "kind": "attendance", "possibleSessions": 140, "term": {"end": "2012-12-20", "id": "2012-AU", "start": "2012-09-03"}, "unauthorisedAbsences": 28}"#,
            #"{"date": "2013-03-10", "kind": "offence", "proven": true} {}"#,
            #"[{"date": "2013-03-10", "kind": "offence", "proven": true}]"#,
        ] {
            #expect(EvidenceFact(storedJSON: unread) == nil, "\(unread)")
        }
    }

    @Test func storedMembersReadAsJSONDecoderReadsThemAndOtherShapesAreLeftToIt() throws {
        for json in [
            #"[{"id": "P1", "dateOfBirth": "1980-02-14"}, {"id": "P2", "dateOfBirth": "1998-06-01"}]"#,
            #"[{"id": "P1", "dateOfBirth": "1980-02-14", "note": "x"}]"#,
            #" [ ] "#,
        ] {
            let decoded = try JSONDecoder().decode([FamilyMember].self, from: Data(json.utf8))
            #expect([FamilyMember](storedJSON: json) == decoded, "\(json)")
        }
        for unread in [
            #"[{"id": 7, "dateOfBirth": "1980-02-14"}]"#,
            #"[{"id": "P1"}]"#,
            #"[{"id": "P\u0031", "dateOfBirth": "1980-02-14"}]"#,
            #"[{"id": "P1", "dateOfBirth": "1980-02-14"},]"#,
            #"{"id": "P1", "dateOfBirth": "1980-02-14"}"#,
        ] {
            #expect([FamilyMember](storedJSON: unread) == nil, "\(unread)")
        }
    }
}
