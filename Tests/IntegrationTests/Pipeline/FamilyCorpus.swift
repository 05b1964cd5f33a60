import Foundation

/// Families written as agencies' files: each an adult on JSA until the
/// autumn of 2013 and two children with 20% unauthorised absence over the
/// three terms before 1 September 2013; in every even-numbered family the
/// elder child also has a proven offence that year, so those families meet
/// all three of phase 1's criteria and the odd-numbered ones two.
struct FamilyCorpus {
    let count: Int

    /// The surname of family `index`, in letters (matching folds names to
    /// letters): `Even…` for the families eligible on 1 September 2013.
    /// Each letter is written three times, so two families' names are three
    /// edits apart or more: their people, born on the same days, are never a
    /// near match for the review queue.
    static func surname(_ index: Int) -> String {
        var letters = ""
        var rest = index
        repeat {
            letters += String(repeating: Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(rest % 26))), count: 3)
            rest /= 26
        } while rest > 0
        return (index % 2 == 0 ? "Even" : "Odd") + "family" + letters
    }

    var eligibleCount: Int { (count + 1) / 2 }

    /// One referral line per family.
    var referrals: String {
        (0..<count).map { index in
            let name = Self.surname(index)
            return #"{"id":"REF-\#(index)","address":{"lines":["\#(index) Corpus Street","Leeds"],"postcode":"LS1 1AA"},"#
                + #""members":[\#(person("adult", "Pat", name, "1980-02-14")),\#(person("elder", "Lee", name, "1998-06-01")),"#
                + #"\#(person("younger", "Sam", name, "2003-09-10"))],"reasons":["youth offending"]}"#
        }.joined(separator: "\n") + "\n"
    }

    /// Two referrals a family from one agency, each naming some of its three
    /// people at the family's address: with `variant` 0 (the adult and the
    /// elder child; both children) and 1 (the adult and the younger child;
    /// all three), every family is named four times by two agencies and
    /// every person at least twice.
    func overlappingReferrals(variant: Int) -> String {
        let pairs = variant == 0 ? [["adult", "elder"], ["elder", "younger"]] : [["adult", "younger"], ["adult", "elder", "younger"]]
        return (0..<count).flatMap { index in
            let name = Self.surname(index)
            let people = [
                "adult": person("adult", "Pat", name, "1980-02-14"), "elder": person("elder", "Lee", name, "1998-06-01"),
                "younger": person("younger", "Sam", name, "2003-09-10"),
            ]
            return pairs.enumerated().map { number, refs in
                #"{"id":"OVL-\#(variant)-\#(index)-\#(number)","address":{"lines":["\#(index) Corpus Street","Leeds"],"postcode":"LS1 1AA"},"#
                    + #""members":[\#(refs.map { people[$0]! }.joined(separator: ","))],"reasons":["youth offending"]}"#
            }
        }.joined(separator: "\n") + "\n"
    }

    /// Eight evidence records per family, from one agency's feed.
    var evidence: String {
        var lines: [String] = []
        let terms = [("2012-AU", "2012-09-03", "2012-12-21"), ("2013-SP", "2013-01-07", "2013-03-28"), ("2013-SU", "2013-04-15", "2013-07-24")]
        for index in 0..<count {
            let name = Self.surname(index)
            lines.append(
                record("BEN-\(index)", "Pat", name, "1980-02-14", #"{"kind":"benefitSpell","benefit":"JSA","from":"2011-01-04","to":"2013-10-01"}"#))
            lines.append(
                record(
                    "OFF-\(index)", "Lee", name, "1998-06-01",
                    #"{"kind":"offence","date":"\#(index % 2 == 0 ? "2013-03-10" : "2011-03-10")","proven":true}"#))
            for (child, born) in [("Lee", "1998-06-01"), ("Sam", "2003-09-10")] {
                for (term, start, end) in terms {
                    lines.append(
                        record(
                            "ATT-\(index)-\(child)-\(term)", child, name, born,
                            #"{"kind":"attendance","term":{"id":"\#(term)","start":"\#(start)","end":"\#(end)"},"#
                                + #""possibleSessions":120,"unauthorisedAbsences":24,"authorisedAbsences":2}"#))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each adult in work from 2 October 2013: result C, 13 weeks later.
    var outcomes: String {
        (0..<count).map { index in
            record("EMP-\(index)", "Pat", Self.surname(index), "1980-02-14", #"{"kind":"employmentSpell","from":"2013-10-02"}"#)
        }.joined(separator: "\n") + "\n"
    }

    private func person(_ ref: String, _ given: String, _ family: String, _ born: String) -> String {
        #"{"ref":"\#(ref)","givenName":"\#(given)","familyName":"\#(family)","dateOfBirth":"\#(born)"}"#
    }

    private func record(_ id: String, _ given: String, _ family: String, _ born: String, _ fact: String) -> String {
        #"{"id":"\#(id)","subject":{"givenName":"\#(given)","familyName":"\#(family)","dateOfBirth":"\#(born)"},"fact":\#(fact)}"#
    }
}

extension FamilyCorpus {
    /// Sends the corpus as one agency's files and runs the stages (no
    /// claims) until screening has decided every family under phase 1 as of
    /// 1 September 2013: where a test of a change of rules starts.
    func decidedUnderPhaseOne(in pipeline: PipelineHarness) async throws {
        let council = try await pipeline.registerAgency("council")
        try await pipeline.submit("referrals", lines: referrals, named: "referrals.jsonl", agency: "council", keyFile: council)
        try await pipeline.submit("evidence", lines: evidence, named: "evidence.jsonl", agency: "council", keyFile: council)
        try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2013-09-01", replicas: ["claims": 0]) {
            try await PipelineHarness.eventually("\(count) families decided under phase 1") {
                try await pipeline.count("SELECT count(DISTINCT family_id) FROM eligibility_decision") == count
            }
        }
    }
}
