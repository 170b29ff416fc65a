import Foundation
import GRDB
import TrowelVolume

/// Short annotation tasks (as in ml4paleo): a square patch on one slice to label completely,
/// kept in `project.sqlite` so they can be listed, revisited and (later) used for validation.
public struct TaskStore: Sendable {
    public let project: Project
    public let shape: Shape

    public init(project: Project, shape: Shape) {
        self.project = project
        self.shape = shape
    }

    /// A new task: a `size`×`size` patch (smaller if the slice is) at a random place on a random
    /// slice across `axis`.
    public func newTask(axis: Axis, size: Int, author: String) throws -> AnnotationTask {
        try create(randomPatch(axis: axis, size: size), author: author)
    }

    /// A random `size`×`size` patch (smaller if the slice is) on a random slice across `axis`, not yet stored.
    public func randomPatch(axis: Axis, size: Int) -> AnnotationTask {
        var rng = SystemRandomNumberGenerator()
        let plane = shape.plane(across: axis)
        let rows = min(size, plane.rows), columns = min(size, plane.columns)
        let slice = Int.random(in: 0..<shape[axis], using: &rng)
        let row0 = Int.random(in: 0...(plane.rows - rows), using: &rng)
        let column0 = Int.random(in: 0...(plane.columns - columns), using: &rng)
        return AnnotationTask(id: 0, axis: axis, slice: slice, rows: row0..<(row0 + rows), columns: column0..<(column0 + columns))
    }

    /// Stores `patch` as a new task and returns it with its id.
    public func create(_ patch: AnnotationTask, author: String) throws -> AnnotationTask {
        let id = try project.database.write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO task (author, created_at, axis, slice, row0, row1, column0, column1) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [author, Date(), patch.axis.description, patch.slice, patch.rows.lowerBound, patch.rows.upperBound,
                                 patch.columns.lowerBound, patch.columns.upperBound])
            return db.lastInsertedRowID
        }
        var task = patch
        task.id = Int(id)
        return task
    }

    /// Marks task `id` as submitted.
    public func submit(_ id: Int) throws {
        try project.database.write { db in
            try db.execute(sql: "UPDATE task SET submitted_at = ? WHERE id = ?", arguments: [Date(), id])
        }
    }

    /// Every task, newest first.
    public func all() throws -> [AnnotationTask] {
        try project.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM task ORDER BY id DESC").compactMap { row in
                guard let axis = Axis.named(row["axis"]) else { return nil }
                return AnnotationTask(id: row["id"], axis: axis, slice: row["slice"], rows: (row["row0"] as Int)..<(row["row1"] as Int),
                                      columns: (row["column0"] as Int)..<(row["column1"] as Int),
                                      submitted: (row["submitted_at"] as Date?) != nil)
            }
        }
    }
}

extension Axis {
    /// The axis called `z`, `y` or `x`.
    public static func named(_ name: String) -> Axis? { allCases.first { $0.description == name } }
}
