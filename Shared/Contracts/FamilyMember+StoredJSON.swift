import Vocabulary

extension Array where Element == FamilyMember {
    /// Reads a family's members as a stage stored them (`jsonb`'s text of
    /// the messages' list), as JSONDecoder would, at a fraction of the cost.
    /// Nil for anything but the plain shape stored members have; JSONDecoder
    /// then reads it, and says what is wrong.
    public init?(storedJSON json: String) {
        var json = json
        guard let members = json.withUTF8(Self.init(storedJSONUTF8:)) else { return nil }
        self = members
    }

    /// ``init(storedJSON:)`` of the text's UTF-8 bytes, as a stage's rows hold them.
    public init?(storedJSONUTF8 json: UnsafeBufferPointer<UInt8>) {
        guard let objects = PlainJSONObject.list(utf8: json) else { return nil }
        var members: [FamilyMember] = []
        members.reserveCapacity(objects.count)
        for object in objects {
            guard case .text(let id)? = object["id"], case .text(let born)? = object["dateOfBirth"], let dateOfBirth = CalendarDate(iso: born)
            else { return nil }
            members.append(FamilyMember(id: id, dateOfBirth: dateOfBirth))
        }
        self = members
    }
}
