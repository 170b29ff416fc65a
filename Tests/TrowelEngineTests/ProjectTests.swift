import Foundation
import Testing
import TrowelVolume
@testable import TrowelEngine

@Suite struct ProjectTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-project-\(UUID().uuidString)")

    func makeRecord() -> ProjectRecord {
        ProjectRecord(sourceSummary: "test scan", dtype: .u16, shape: Shape(z: 3, y: 4, x: 5), voxelSize: .isotropic(45.5),
                      values: ValueSummary(minimum: 1, maximum: 900, mean: 300, low: 2, high: 880))
    }

    @Test func newProjectHasRecordAndDefaultClassesAfterReopening() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let created = try Project.initialize(at: folder, record: makeRecord())
        try created.close()
        let project = try Project.open(at: folder)
        let record = try project.record()
        #expect(record.shape == Shape(z: 3, y: 4, x: 5))
        #expect(record.voxelSize == .isotropic(45.5))
        #expect(record.values.high == 880)
        #expect(try project.classes().map(\.name) == ["bone", "matrix"])
        #expect(try project.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test func openingSomethingElseSaysWhatIsWrong() throws {
        #expect(throws: ProjectError.missing(folder.path)) { try Project.open(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ProjectError.notAProject(folder.path)) { try Project.open(at: folder) }
        #expect(ProjectError.notAProject("a.trowel").description.hasPrefix("a.trowel: not a Trowel project"))
    }

    @Test func projectFromANewerTrowelIsRefused() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let created = try Project.initialize(at: folder, record: makeRecord())
        try created.database.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try created.close()
        #expect(throws: ProjectError.newerSchema(folder.path)) { try Project.open(at: folder) }
    }
}
