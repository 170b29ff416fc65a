import Foundation
import GRDB
import Testing
import TrowelVolume
@testable import TrowelEngine

@Suite struct JobLogTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-jobs-\(UUID().uuidString)")

    @Test func aRunningJobWhoseProcessIsGoneShowsAsInterrupted() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let record = ProjectRecord(sourceSummary: "test scan", dtype: .u8, shape: Shape(z: 2, y: 2, x: 2),
                                   voxelSize: .isotropic(1), values: ValueSummary(minimum: 0, maximum: 1, mean: 0, low: 0, high: 1))
        let project = try Project.initialize(at: folder, record: record)
        let log = JobLog(project: project)
        let alive = try log.start(kind: "segment", target: "m", shard: "all", blocksTotal: 4)
        let gone = try log.start(kind: "segment", target: "m", shard: "1/2", blocksTotal: 4)
        let reused = try log.start(kind: "segment", target: "m", shard: "2/2", blocksTotal: 4)
        let elsewhere = try log.start(kind: "segment", target: "m", shard: "all", blocksTotal: 4)
        let done = try log.start(kind: "segment", target: "m", shard: "all", blocksTotal: 4)
        try log.finish(done, state: .finished, blocksDone: 4, voxels: 8)

        // A process that has exited and been reaped: its pid no longer exists.
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/true")
        try exited.run()
        exited.waitUntilExit()
        try project.database.write { db in
            try db.execute(sql: "UPDATE job SET pid = ? WHERE id = ?", arguments: [Int(exited.processIdentifier), gone])
            // Our pid, but the job started long before this process did: the pid was reused.
            try db.execute(sql: "UPDATE job SET started_at = ? WHERE id = ?", arguments: [Date(timeIntervalSince1970: 0), reused])
            try db.execute(sql: "UPDATE job SET host = 'node17', pid = 1 WHERE id = ?", arguments: [elsewhere])
        }
        let states = Dictionary(uniqueKeysWithValues: try log.all().map { ($0.id, $0.state) })
        #expect(states[alive] == .running)
        #expect(states[gone] == .interrupted)
        #if os(Linux)
        #expect(states[reused] == .interrupted)   // needs the start time from /proc
        #endif
        #expect(states[elsewhere] == .running)
        #expect(states[done] == .finished)
    }

    @Test func slurmTasksAndSubmissionsAreRecorded() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let record = ProjectRecord(sourceSummary: "test scan", dtype: .u8, shape: Shape(z: 2, y: 2, x: 2),
                                   voxelSize: .isotropic(1), values: ValueSummary(minimum: 0, maximum: 1, mean: 0, low: 0, high: 1))
        let log = JobLog(project: try Project.initialize(at: folder, record: record))
        _ = try log.start(kind: "segment", target: "m", shard: "0/2", blocksTotal: 4, slurmJob: "12_0")
        _ = try log.start(kind: "segment", target: "m", shard: "all", blocksTotal: 4, slurmJob: nil)
        #expect(try log.all().map(\.slurmJob) == ["12_0", nil])
        let submitted = try log.recordSubmission(slurmJob: "12", target: "m", tasks: 2, script: "/p/segment.sbatch")
        let read = try #require(try log.submissions().first)
        #expect(read.id == submitted.id && read.slurmJob == "12" && read.target == "m" && read.tasks == 2
                && read.script == "/p/segment.sbatch")
        #expect(abs(read.submittedAt.timeIntervalSince(submitted.submittedAt)) < 0.01)   // SQLite keeps milliseconds
    }
}
