import Contracts
import Foundation
import Testing
import Vocabulary

@Suite struct ContractsTests {
    static let referral = Referral(
        id: "WYP-1", address: Address(lines: ["12 Elm Street"], postcode: "LS1 1AA"),
        members: [
            ReferredPerson(ref: "mother", givenName: "Kerry", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1980-02-14")!),
            ReferredPerson(ref: "son", givenName: "Dylan", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1998-06-01")!),
        ],
        reasons: ["youth offending"])

    static func submitted(_ referral: Referral = referral) -> ReferralSubmitted {
        ReferralSubmitted(agency: "police", submittedAt: Date(timeIntervalSince1970: 1_700_000_000), referral: referral)
    }

    /// Edits the JSON of a valid referral and decodes the result.
    static func decodeEdited(_ edit: (inout [String: Any]) -> Void) throws(ContractError) -> ReferralSubmitted {
        var object = try! JSONSerialization.jsonObject(with: Data(submitted().encoded())) as! [String: Any]
        edit(&object)
        return try ReferralSubmitted.decode(Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    static func problem(_ edit: (inout [String: Any]) -> Void) -> String? {
        do {
            _ = try decodeEdited(edit)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aMessageRoundTripsWithItsSchemaAndVersion() throws {
        let bytes = Self.submitted().encoded()
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
        #expect(object["schema"] as? String == "referral.submitted")
        #expect(object["version"] as? Int == 1)
        #expect(try ReferralSubmitted.decode(bytes) == Self.submitted())
    }

    @Test func aLineFramedAsTheAgencyWroteItReadsAsTheMessageBuiltFromIt() throws {
        let sentAt = Date(timeIntervalSince1970: 1_700_000_000)
        let line = #"{ "reasons": ["youth offending"], "id": "WYP-1","#
            + #""address": {"lines": ["12 Elm Street"], "postcode": "LS1 1AA"}, "members": ["#
            + #"{"ref": "mother", "givenName": "Kerry", "familyName": "Brennan", "dateOfBirth": "1980-02-14"},"#
            + #"{"ref": "son", "givenName": "Dylan", "familyName": "Brennan", "dateOfBirth": "1998-06-01"}] }"# + "\r"
        let bytes = SubmissionFrame<ReferralSubmitted>(agency: "police", submittedAt: sentAt).message(around: Array(line.utf8))
        #expect(try ReferralSubmitted.decode(bytes) == Self.submitted())
        // The agency's own bytes travel, spaces and order as written.
        #expect(String(decoding: bytes, as: UTF8.self).contains(line))
        let evidence = EvidenceReport(
            id: "OFF-1", subject: PersonIdentity(givenName: "Dylan", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1998-06-01")!),
            fact: .offence(date: CalendarDate(iso: "2013-03-10")!, proven: true))
        let framed = SubmissionFrame<EvidenceSubmitted>(agency: "police", submittedAt: sentAt).message(around: Array(ContractJSON.encode(evidence).utf8))
        #expect(try EvidenceSubmitted.decode(framed) == EvidenceSubmitted(agency: "police", submittedAt: sentAt, record: evidence))
    }

    @Test func anAttachmentOfTheEarlierVersionReadsWithoutDiscretionAndALaterOneIsRefused() throws {
        let v1 = #"{"schema":"family.attached","version":1,"familyID":"8C1B2F4E-1D2A-4B8E-9F3A-2C4D5E6F7A8B","#
            + #""attachedOn":"2013-09-16","keyworker":"kw-17","recordedBy":"coord-2","recordedAt":"2013-09-16T09:00:00Z"}"#
        let read = try FamilyAttached.decode(Array(v1.utf8))
        #expect(read.discretion == nil && read.keyworker == "kw-17")
        var forced = read
        forced.discretion = "case conference"
        #expect(try FamilyAttached.decode(forced.encoded()) == forced)
        #expect(String(decoding: forced.encoded(), as: UTF8.self).contains(#""version":2"#))
        let v3 = v1.replacingOccurrences(of: #""version":1"#, with: #""version":3"#)
        #expect(throws: ContractError(field: "version", problem: "3 is not supported (this service reads version 1 to 2)")) {
            try FamilyAttached.decode(Array(v3.utf8))
        }
    }

    @Test func aMergeIntoItselfOrOntoLabelsTheFamilyKeptHasNotIsRefusedNamingEachProblem() {
        let family = UUID()
        let merge = FamilyMerged(
            familyID: family, mergedFamilyID: family, relabelled: [.init(from: "P1", to: "P3"), .init(from: "P2", to: "P3")],
            members: [FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1980-02-14")!)], mergedBy: "co-1", mergedAt: Date())
        #expect(throws: ContractError.self) { try merge.validate() }
        do {
            try merge.validate()
        } catch {
            #expect(error.problems.map(\.field) == ["mergedFamilyID", "relabelled[0].to", "relabelled[1].to", "relabelled"])
        }
    }

    @Test func receiptsGoAMessageAnAgencyInOrderAndNeverTooManyToAMessage() {
        func receipt(_ agency: String, _ id: Int) -> Receipt {
            Receipt(agency: agency, eventID: nil, kind: .evidence, itemID: "R\(id)", verdict: .held, detail: "", issuedAt: Date(timeIntervalSince1970: 0))
        }
        let receipts = (0..<1_200).map { receipt($0 % 3 == 0 ? "school" : "police", $0) }
        let messages = ReceiptsIssued.grouped(receipts)
        #expect(messages.map(\.agency) == ["school", "police", "police"])
        #expect(messages.map(\.receipts.count) == [400, 500, 300])
        #expect(messages.flatMap(\.receipts).sorted { Int($0.itemID!.dropFirst())! < Int($1.itemID!.dropFirst())! } == receipts)
        #expect(messages[1].receipts.map(\.itemID) == receipts.filter { $0.agency == "police" }.prefix(500).map(\.itemID))
    }

    @Test func aLineIsOneObjectOrItIsNotFramed() {
        typealias Frame = SubmissionFrame<ReferralSubmitted>
        for line in [#"{"id":"a"}"#, #" {"a":{"b":["}",{}]}} "# + "\r", #"{"quote":"\"}{"}"#] {
            #expect(Frame.isOneObject(Array(line.utf8)), "\(line)")
        }
        // A line closing its object early to add the message's own fields, or left open.
        for line in [#"{"id":"a"},"agency":"other""#, #"{"id":"a"}{"id":"b"}"#, #"{"id":"a""#, #"{"id":"a"}}"#, ""] {
            #expect(!Frame.isOneObject(Array(line.utf8)), "\(line)")
        }
    }

    @Test func anUnknownVersionOrSchemaIsRefusedByName() {
        #expect(Self.problem { $0["version"] = 2 } == "version: 2 is not supported (this service reads version 1)")
        #expect(Self.problem { $0["schema"] = "evidence.submitted" } == "schema: must be 'referral.submitted'")
        #expect(Self.problem { $0.removeValue(forKey: "version") } == "version: is missing")
    }

    /// Sets (or, with nil, removes) a field of the referral's `index`th member.
    static func editMember(_ index: Int, _ key: String, _ value: Any?) -> (inout [String: Any]) -> Void {
        { object in
            var referral = object["referral"] as! [String: Any]
            var members = referral["members"] as! [[String: Any]]
            members[index][key] = value
            referral["members"] = members
            object["referral"] = referral
        }
    }

    @Test func aBadFieldIsNamedByItsPathAndItsValueIsNotQuoted() {
        func editMember(_ key: String, _ value: Any?) -> (inout [String: Any]) -> Void { Self.editMember(1, key, value) }
        #expect(Self.problem(editMember("dateOfBirth", nil)) == "referral.members[1].dateOfBirth: is missing")
        #expect(Self.problem(editMember("dateOfBirth", "1998-13-01")) == "referral.members[1].dateOfBirth: is not a real date (no such month, or no such day in its month)")
        #expect(Self.problem(editMember("dateOfBirth", "1986-02-30")) == "referral.members[1].dateOfBirth: is not a real date (no such month, or no such day in its month)")
        #expect(Self.problem(editMember("dateOfBirth", "30/02/1986")) == "referral.members[1].dateOfBirth: is not a date of the form YYYY-MM-DD")
        #expect(Self.problem(editMember("dateOfBirth", "2999-01-01")) == "referral.members[1].dateOfBirth: is in the future")
        #expect(Self.problem(editMember("givenName", 7)) == "referral.members[1].givenName: is not text")
        #expect(Self.problem(editMember("ref", "mother")) == "referral.members[1].ref: is used by another member")
        #expect(Self.problem { $0["referral"] = ["id": "x"] } == "referral.address: is missing; referral.members: is missing; referral.reasons: is missing")
        #expect(Self.problem { _ in } == nil)
        let notJSON = Result { () throws(ContractError) in try ReferralSubmitted.decode(Array("{not json".utf8)) }
        #expect(throws: ContractError(field: "", problem: "is not JSON")) { try notJSON.get() }
    }

    @Test func postcodesAreCheckedForShape() {
        func problem(_ postcode: String) -> String? {
            Self.problem { object in
                var referral = object["referral"] as! [String: Any]
                referral["address"] = ["lines": ["1 High Street"], "postcode": postcode]
                object["referral"] = referral
            }
        }
        for valid in ["LS1 1AA", "ls11aa", "SW1A 2AA", "M1 1AE", "B33 8TH"] { #expect(problem(valid) == nil, "\(valid)") }
        for invalid in ["NOT A POSTCODE", "LS1", "111 1AA", "LS1 AAA"] {
            #expect(problem(invalid) == "referral.address.postcode: is not a UK postcode", "\(invalid)")
        }
    }

    @Test func evidenceFactsTravelByKindAndAreChecked() throws {
        let term = SchoolTerm(id: "2013-SP", start: CalendarDate(iso: "2013-01-07")!, end: CalendarDate(iso: "2013-03-28")!)
        let facts: [EvidenceFact] = [
            .offence(date: CalendarDate(iso: "2013-03-10")!, proven: true),
            .attendance(term: term, possibleSessions: 110, unauthorisedAbsences: 20, authorisedAbsences: 4),
            .benefitSpell(benefit: "JSA", from: CalendarDate(iso: "2011-01-04")!, to: nil),
        ]
        for fact in facts {
            let record = EvidenceRecorded(familyID: UUID(), evidenceID: "police/1", personID: "P1", fact: fact, recordedAt: Date(timeIntervalSince1970: 0))
            #expect(try EvidenceRecorded.decode(record.encoded()) == record)
        }
        #expect(ContractJSON.encode(facts[0]) == #"{"date":"2013-03-10","kind":"offence","proven":true}"#)

        let tooManyAbsences = EvidenceRecorded(
            familyID: UUID(), evidenceID: "school/1", personID: "P2",
            fact: .attendance(term: term, possibleSessions: 10, unauthorisedAbsences: 8, authorisedAbsences: 4), recordedAt: Date())
        #expect(throws: ContractError(field: "fact.unauthorisedAbsences", problem: "with authorisedAbsences exceeds possibleSessions")) {
            try EvidenceRecorded.decode(tooManyAbsences.encoded())
        }
        #expect(
            throws: ContractError(
                field: "kind",
                problem: "is not one of offence, asbIntervention, attendance, exclusion, alternativeProvision, notOnRoll, benefitSpell, "
                    + "employmentSpell, workProvision, indicator, custody, courtOrder, neet, missingEducation")
        ) {
            try ContractJSON.read(EvidenceFact.self, from: Array(#"{"kind":"rumour"}"#.utf8))
        }
    }

    /// The kinds the later programmes' indicators need are checked as the others are: dates in order, known orders.
    @Test func custodyCourtOrdersAndSpellsOutOfEducationAreChecked() throws {
        func problems(_ json: String) -> [String] {
            do throws(ContractError) {
                // As a list's element, each problem is named by its path, as within a message.
                _ = try ContractJSON.read([EvidenceFact].self, from: Array("[\(json)]".utf8), strictlyAs: "evidence.submitted v1", carefully: true)
                return []
            } catch {
                return error.problems.map { "\($0.field.replacing("[0].", with: "", maxReplacements: 1)): \($0.problem)" }
            }
        }
        #expect(problems(#"{"kind":"custody","from":"2025-03-01","expectedRelease":"2027-01-31"}"#) == [])
        #expect(problems(#"{"kind":"custody","from":"2025-03-01","expectedRelease":"2025-02-01"}"#) == ["expectedRelease: is before from"])
        #expect(problems(#"{"kind":"custody","from":"2025-03-01"}"#) == ["expectedRelease: is missing"])
        #expect(problems(#"{"kind":"courtOrder","order":"licence","from":"2025-03-01","to":"2026-03-01"}"#) == [])
        #expect(
            problems(#"{"kind":"courtOrder","order":"fine","from":"2025-03-01","to":"2026-03-01"}"#)
                == ["order: is not a court order: one of licence, communityOrder, suspendedSentence"])
        #expect(problems(#"{"kind":"courtOrder","order":"licence","from":"2025-03-01","to":"2024-03-01"}"#) == ["to: is before from"])
        #expect(problems(#"{"kind":"neet","from":"2025-09-01"}"#) == [])
        #expect(problems(#"{"kind":"neet","from":"2999-09-01"}"#) == ["from: is in the future"])
        #expect(problems(#"{"kind":"missingEducation","from":"2025-09-01","to":"2025-08-01"}"#) == ["to: is before from"])
        #expect(problems(#"{"kind":"missingEducation","from":"2025-09-01","date":"2025-09-01"}"#) == ["date: is not a field of evidence.submitted v1"])
    }

    /// An agency's signer and the key intake holds for it.
    static func agencyKey(retiredFrom: Date? = nil) -> (signer: AgencySignature.Signer, key: AgencySignature.VerifyingKey) {
        let pair = AgencySignature.newKey()
        return (
            .ed25519(keyID: pair.keyID, privateKey: pair.privateKey),
            AgencySignature.VerifyingKey(id: pair.keyID, algorithm: .ed25519, bytes: pair.publicKey, retiredFrom: retiredFrom)
        )
    }

    static func verify(
        _ headers: [(name: String, value: [UInt8])], _ payload: [UInt8], keys: [AgencySignature.VerifyingKey], at now: Date = Date()
    ) throws(ContractError) {
        var checked = AgencySignature.CheckedBatches()
        try AgencySignature.verify(
            signature: headers.first { $0.name == AgencySignature.header }?.value, keyID: headers.first { $0.name == AgencySignature.keyHeader }?.value,
            path: headers.first { $0.name == AgencySignature.pathHeader }?.value, payload: payload, agency: "police", keys: keys, at: now,
            checked: &checked)
    }

    /// Messages signed in batches: one signature a batch, each message
    /// checked alone by its path, a changed message or path refused.
    @Test func messagesSignedInBatchesAreEachCheckedAloneByTheirPath() throws {
        let (signer, key) = Self.agencyKey()
        let payloads = (0..<(AgencySignature.batchSize + 5)).map { Array("message \($0)".utf8) }
        let signed = AgencySignature.headers(signing: payloads, with: signer)
        #expect(Set(signed.map { $0.first { $0.name == AgencySignature.header }!.value }).count == 2, "one signature a batch of 64")
        var checked = AgencySignature.CheckedBatches()
        for (payload, headers) in zip(payloads, signed).reversed() {
            try AgencySignature.verify(
                signature: headers[0].value, keyID: headers[1].value, path: headers[2].value, payload: payload, agency: "police", keys: [key],
                at: Date(), checked: &checked)
        }
        // A batch checked once, and then a message changed, or given another's path: refused even so.
        #expect(throws: ContractError(field: "header signature", problem: "does not match the message and key \(key.id) of agency police")) {
            try AgencySignature.verify(
                signature: signed[3][0].value, keyID: signed[3][1].value, path: signed[3][2].value, payload: payloads[3] + [0x20], agency: "police",
                keys: [key], at: Date(), checked: &checked)
        }
        #expect(throws: ContractError(field: "header signature", problem: "does not match the message and key \(key.id) of agency police")) {
            try AgencySignature.verify(
                signature: signed[3][0].value, keyID: signed[3][1].value, path: signed[4][2].value, payload: payloads[3], agency: "police",
                keys: [key], at: Date(), checked: &checked)
        }
        #expect(throws: ContractError(field: "header signature-path", problem: "is missing: an Ed25519 signature signs a batch")) {
            try Self.verify(Array(signed[0].prefix(2)), payloads[0], keys: [key])
        }
        #expect(throws: ContractError(field: "header signature-path", problem: "is not of the form <index>/<size>[:<hex>,…]")) {
            try Self.verify(Array(signed[0].prefix(2)) + [(AgencySignature.pathHeader, Array("0/2:zz".utf8))], payloads[0], keys: [key])
        }
    }

    @Test func aSignatureHoldsOnlyForTheSameBytesAndKey() throws {
        let (signer, key) = Self.agencyKey()
        let payload = Self.submitted().encoded()
        let headers = AgencySignature.headers(signing: payload, with: signer)
        try Self.verify(headers, payload, keys: [key])
        #expect(throws: ContractError(field: "header signature", problem: "does not match the message and key \(key.id) of agency police")) {
            try Self.verify(headers, payload + [0x20], keys: [key])
        }
        #expect(throws: ContractError(field: "header signature", problem: "is missing")) {
            try Self.verify(headers.filter { $0.name != AgencySignature.header }, payload, keys: [key])
        }
        #expect(throws: ContractError(field: "header signature-key", problem: "is missing: an Ed25519 signature names its key")) {
            try Self.verify(headers.filter { $0.name != AgencySignature.keyHeader }, payload, keys: [key])
        }
    }

    /// What intake holds is a public key: signing with its bytes, as an HMAC
    /// secret or as if it were the private key, makes nothing intake accepts.
    @Test func theBytesIntakeHoldsCannotSign() throws {
        let (_, key) = Self.agencyKey()
        let payload = Self.submitted().encoded()
        let stored = try #require(key.bytes)
        #expect(throws: ContractError(field: "header signature", problem: "agency police has no HMAC key: it signs with Ed25519")) {
            try Self.verify(AgencySignature.headers(signing: payload, with: .hmac(secret: stored)), payload, keys: [key])
        }
        #expect(throws: ContractError(field: "header signature", problem: "does not match the message and key \(key.id) of agency police")) {
            try Self.verify(AgencySignature.headers(signing: payload, with: .ed25519(keyID: key.id, privateKey: stored)), payload, keys: [key])
        }
    }

    @Test func anotherAgencysKeyIsNotThisAgencysKey() throws {
        let (police, policeKey) = Self.agencyKey()
        let (school, _) = Self.agencyKey()
        let payload = Self.submitted().encoded()
        guard case .ed25519(let schoolKeyID, _) = school else { throw ContractError(field: "", problem: "not ed25519") }
        #expect(throws: ContractError(field: "header signature-key", problem: "\(schoolKeyID) is not a key of agency police")) {
            try Self.verify(AgencySignature.headers(signing: payload, with: school), payload, keys: [policeKey])
        }
        // The school's signature under the police's key id.
        guard case .ed25519(_, let schoolPrivate) = school else { return }
        #expect(throws: ContractError.self) {
            try Self.verify(AgencySignature.headers(signing: payload, with: .ed25519(keyID: policeKey.id, privateKey: schoolPrivate)), payload, keys: [policeKey])
        }
        try Self.verify(AgencySignature.headers(signing: payload, with: police), payload, keys: [policeKey])
    }

    /// While an agency changes keys both are good; a retired key is refused
    /// from its time on, by its id.
    @Test func aRetiredKeyIsRefusedFromItsTimeOnByItsID() throws {
        let retirement = Date(timeIntervalSince1970: 1_800_000_000)
        let (old, oldKey) = Self.agencyKey(retiredFrom: retirement)
        let (new, newKey) = Self.agencyKey()
        let payload = Self.submitted().encoded()
        for signer in [old, new] {
            try Self.verify(AgencySignature.headers(signing: payload, with: signer), payload, keys: [oldKey, newKey], at: retirement.addingTimeInterval(-1))
        }
        #expect(throws: ContractError(field: "header signature-key", problem: "key \(oldKey.id) of agency police was retired at 2027-01-15T08:00:00Z")) {
            try Self.verify(AgencySignature.headers(signing: payload, with: old), payload, keys: [oldKey, newKey], at: retirement)
        }
        try Self.verify(AgencySignature.headers(signing: payload, with: new), payload, keys: [oldKey, newKey], at: retirement)
    }

    /// An agency registered before Ed25519 signs with its HMAC secret until
    /// that key is retired (when the secret is erased).
    @Test func anHMACAgencyKeepsSigningUntilItsKeyIsRetired() throws {
        let secret = [UInt8](repeating: 7, count: 32)
        let payload = Self.submitted().encoded()
        let headers = AgencySignature.headers(signing: payload, with: .hmac(secret: secret))
        try Self.verify(headers, payload, keys: [AgencySignature.VerifyingKey(id: "hmac", algorithm: .hmacSHA256, bytes: secret, retiredFrom: nil)])
        let retired = AgencySignature.VerifyingKey(id: "hmac", algorithm: .hmacSHA256, bytes: nil, retiredFrom: Date(timeIntervalSince1970: 0))
        #expect(throws: ContractError(field: "header signature", problem: "key hmac of agency police was retired at 1970-01-01T00:00:00Z")) {
            try Self.verify(headers, payload, keys: [retired])
        }
    }

    @Test func aKeyFileNamesItsAgencyAndKeyAndRefusesDamage() throws {
        let pair = AgencySignature.newKey()
        let text = AgencyKeyFileText.text(agency: "police", keyID: pair.keyID, privateKey: pair.privateKey)
        let read = try AgencyKeyFileText.read(text)
        #expect(read.agency == "police" && read.signer == .ed25519(keyID: pair.keyID, privateKey: pair.privateKey))
        #expect(try AgencyKeyFileText.read("00ff00ff\n").signer == .hmac(secret: [0, 0xff, 0, 0xff]))
        #expect(throws: ContractError(field: "", problem: "is not a signing key file, or is damaged")) {
            try AgencyKeyFileText.read(text.replacingOccurrences(of: "key-id: \(pair.keyID)", with: "key-id: 0000000000000000"))
        }
        #expect(throws: ContractError(field: "", problem: "is not a signing key file")) { try AgencyKeyFileText.read("hello\nworld") }
    }

    @Test func matchingFoldsCaseAccentsAndPunctuationButNotTheDateOfBirth() {
        let born = CalendarDate(iso: "2003-09-10")!
        let zoe = PersonIdentity(givenName: "Zoë", familyName: "O'Brien-Smith", dateOfBirth: born)
        #expect(zoe.keyHash == PersonIdentity(givenName: "zoe", familyName: "OBRIEN SMITH", dateOfBirth: born).keyHash)
        #expect(zoe.keyHash != PersonIdentity(givenName: "Zoe", familyName: "O'Brien-Smith", dateOfBirth: born.adding(days: 1)).keyHash)
        #expect(!zoe.keyHash.contains("brien"))
    }
}

/// What agencies send is read strictly: fields, reasons, text and size.
@Suite struct StrictAgencyContractsTests {
    static func editReferral(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { object in
            var referral = object["referral"] as! [String: Any]
            referral[key] = value
            object["referral"] = referral
        }
    }

    static func editMember(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void { ContractsTests.editMember(0, key, value) }

    @Test func aFieldTheSchemaDoesNotNameIsRefusedByItsPath() {
        #expect(ContractsTests.problem(Self.editMember("middle_name", "Ann")) == "referral.members[0].middle_name: is not a field of referral.submitted v1")
        #expect(ContractsTests.problem(Self.editReferral("extra_field", 1)) == "referral.extra_field: is not a field of referral.submitted v1")
        #expect(ContractsTests.problem { $0["sentBy"] = "x" } == "sentBy: is not a field of referral.submitted v1")
        // null is absent
        #expect(ContractsTests.problem(Self.editReferral("extra_field", NSNull())) == nil)
        // A misspelt optional field of evidence: `end` for `to`.
        let record = #"{"id":"BEN-1","subject":{"givenName":"Kerry","familyName":"Brennan","dateOfBirth":"1980-02-14"},"#
            + #""fact":{"kind":"benefitSpell","benefit":"JSA","from":"2012-01-01","end":"2013-01-01"}}"#
        let message = SubmissionFrame<EvidenceSubmitted>(agency: "dwp", submittedAt: Date()).message(around: Array(record.utf8))
        #expect(throws: ContractError(field: "record.fact.end", problem: "is not a field of evidence.submitted v1")) {
            try EvidenceSubmitted.decode(message)
        }
    }

    @Test func everyProblemOfAMessageIsNamedNotOnlyTheFirst() throws {
        let problems = ContractsTests.problem { object in
            ContractsTests.editMember(0, "dateOfBirth", "1986-02-30")(&object)
            ContractsTests.editMember(0, "middle_name", "Ann")(&object)
            ContractsTests.editMember(1, "givenName", "")(&object)
            ContractsTests.editMember(1, "dateOfBirth", "2999-01-01")(&object)
            Self.editReferral("address", ["lines": ["12 Elm Street"], "postcode": "NOT A POSTCODE"])(&object)
            Self.editReferral("reasons", ["astrology", "ASB", 7])(&object)
        }
        // In the order of the fields as read: the address, each member, the reasons.
        #expect(problems?.components(separatedBy: "; referral.") == [
            "referral.address.postcode: is not a UK postcode",
            "members[0].middle_name: is not a field of referral.submitted v1",
            "members[0].dateOfBirth: is not a real date (no such month, or no such day in its month)",
            "members[1].givenName: is empty",
            "members[1].dateOfBirth: is in the future",
            "reasons[2]: is not text",
            "reasons[0]: is not a referral reason: one of " + Referral.reasons.joined(separator: "; "),
        ])

        // Evidence: a field of another kind, a term's unknown field, a bad count and a bad date, all at once.
        let record = #"{"id":"SCH-1","subject":{"givenName":"Dylan","familyName":"Brennan","dateOfBirth":"1998-06-01"},"#
            + #""fact":{"kind":"attendance","proven":true,"term":{"id":"2013-SP","start":"2013-01-07","end":"2013-02-30","week":3},"#
            + #""possibleSessions":-1,"unauthorisedAbsences":2,"authorisedAbsences":"two"}}"#
        let message = SubmissionFrame<EvidenceSubmitted>(agency: "school", submittedAt: Date()).message(around: Array(record.utf8))
        let error = try #require(throws: ContractError.self) { try EvidenceSubmitted.decode(message) }
        #expect(error.problems.map(\.description) == [
            "record.fact.proven: is not a field of evidence.submitted v1",
            "record.fact.term.week: is not a field of evidence.submitted v1",
            "record.fact.term.end: is not a real date (no such month, or no such day in its month)",
            "record.fact.authorisedAbsences: is not a whole number",
            "record.fact.possibleSessions: is negative",
            "record.fact.unauthorisedAbsences: with authorisedAbsences exceeds possibleSessions",
        ])
    }

    @Test func aReasonOutsideTheVocabularyIsRefusedNamingTheAllowedOnes() {
        let problem = ContractsTests.problem(Self.editReferral("reasons", ["astrology"]))
        #expect(problem?.hasPrefix("referral.reasons[0]: is not a referral reason: one of youth offending; adult offending;") == true, "\(problem ?? "")")
        #expect(ContractsTests.problem(Self.editReferral("reasons", ["School Attendance", "asb"])) == nil)
        #expect(ContractsTests.problem(Self.editReferral("reasons", [String]())) == "referral.reasons: is empty")
    }

    @Test func controlAndBidirectionalCharactersAreRefusedByField() {
        #expect(ContractsTests.problem(Self.editMember("givenName", "An\u{0}n")) == "referral.members[0].givenName: holds a control character")
        #expect(ContractsTests.problem(Self.editMember("givenName", "Ann\u{9F}")) == "referral.members[0].givenName: holds a control character")
        #expect(
            ContractsTests.problem(Self.editMember("familyName", "Smith\u{202E}"))
                == "referral.members[0].familyName: holds a bidirectional control character (an override, embedding, isolate or mark)")
        #expect(ContractsTests.problem(Self.editMember("familyName", "\u{2067}Smith")) != nil)
        #expect(ContractsTests.problem(Self.editMember("familyName", "Nguyễn")) == nil)
    }

    @Test func namesAndAddressesAreReadInTheirComposedForm() throws {
        let decomposed = "Zoe\u{0308}"
        let read = try ContractsTests.decodeEdited { object in
            Self.editMember("givenName", decomposed)(&object)
            var referral = object["referral"] as! [String: Any]
            referral["address"] = ["lines": ["1 Ru\u{0301}e Street"], "postcode": "LS1 1AA"]
            object["referral"] = referral
        }
        #expect(read.referral.members[0].givenName.unicodeScalars.map(\.value) == [0x5A, 0x6F, 0xEB])
        #expect(read.referral.address.lines == ["1 R\u{FA}e Street"])
        #expect(read.referral.members[0].identity.matchKey == ReferredPerson(
            ref: "m", givenName: "Zoë", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1980-02-14")!).identity.matchKey)
    }

    @Test func aLegalNameIsNotRefusedForItsLengthBelow255Characters() {
        #expect(ContractsTests.problem(Self.editMember("familyName", String(repeating: "a", count: 200))) == nil)
        #expect(ContractsTests.problem(Self.editMember("familyName", String(repeating: "a", count: 256))) == "referral.members[0].familyName: is longer than 255 characters")
    }

    @Test func aMessageOverTheLimitIsRefusedByItsSizeBeforeItIsRead() {
        let big = Array(#"{"padding":""#.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 70 * 1024) + Array(#""}"#.utf8)
        #expect(throws: ContractError(field: "", problem: "is \(big.count) bytes, over the 64 KiB a referral.submitted message may hold")) {
            try ReferralSubmitted.decode(big)
        }
    }
}
