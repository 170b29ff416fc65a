import GRDB

/// A class the user paints and the model predicts (`bone`, `matrix`, …). Label value = `id`.
public struct LabelClass: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "label_class"

    /// The label value stored in label volumes, 1…255 (0 means unlabelled).
    public var id: Int
    public var name: String
    /// `#rrggbb`.
    public var color: String

    public init(id: Int, name: String, color: String) {
        self.id = id
        self.name = name
        self.color = color
    }

    /// Every new project starts with these two.
    public static let defaults = [
        LabelClass(id: 1, name: "bone", color: "#e8c468"),
        LabelClass(id: 2, name: "matrix", color: "#4f86c6"),
    ]
}
