/// One class a model predicts: the label value painted for it (1…255; 0 means unlabelled) and its name.
public struct ClassInfo: Hashable, Sendable, Codable, CustomStringConvertible {
    public var id: UInt8
    public var name: String

    public init(id: UInt8, name: String) {
        self.id = id
        self.name = name
    }

    public var description: String { "\(id) \(name)" }
}
