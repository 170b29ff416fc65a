import Foundation
import Testing
@testable import TrowelVolume

/// What a killed process leaves behind (a staging folder of `convert`, a temporary chunk file of
/// any atomic write) is removed by the next run, and what a live process is writing stays.
@Suite struct AbandonedFilesTests {
    /// The pid of a process that has exited (reaped, so `kill(pid, 0)` finds nothing).
    static func deadPID() throws -> Int {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return Int(p.processIdentifier)
    }

    @Test func aDeadWritersTemporaryChunkIsRemovedALiveOnesStays() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let array = try ZarrArray.create(at: tmp("a.zarr"), shape: .cube(8), chunks: .cube(4), dtype: .u8)
        try array.write(Block<UInt8>(shape: .cube(8), repeating: 3), at: .zero)
        let folder = array.chunkURL(.zero).deletingLastPathComponent()
        let dead = folder.appendingPathComponent(".trowel-tmp-\(FileOwner.host)~\(try Self.deadPID())~0-\(UUID().uuidString)")
        let live = folder.appendingPathComponent(".trowel-tmp-\(FileOwner.host)~\(getpid())~0-\(UUID().uuidString)")
        let otherHost = folder.appendingPathComponent(".trowel-tmp-elsewhere~1~0-\(UUID().uuidString)")
        let oldStyle = folder.appendingPathComponent(".trowel-tmp-0-\(UUID().uuidString)")
        let oldStyleStale = folder.appendingPathComponent(".trowel-tmp-1-\(UUID().uuidString)")
        for url in [dead, live, otherHost, oldStyle, oldStyleStale] { try Data().write(to: url) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: oldStyleStale.path)
        #expect(array.removeAbandonedTemporaryFiles() == 2)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(!left.contains(dead.lastPathComponent) && !left.contains(oldStyleStale.lastPathComponent))
        #expect(left.isSuperset(of: [live, otherHost, oldStyle].map(\.lastPathComponent)))
        #expect(try array.read(Shape.cube(8).box, as: UInt8.self).elements.allSatisfy { $0 == 3 })
    }

    @Test func temporaryFilesNameTheirWriter() {
        let (host, pid) = AbandonedFiles.owner(ofTemporary: ".trowel-tmp-\(FileOwner.tag)0-ABC")
        #expect(host == FileOwner.host && pid == Int(getpid()))
        #expect(AbandonedFiles.owner(ofTemporary: ".trowel-tmp-0-ABC") == (nil, nil))
    }

    @Test func aKilledConvertsStagingFolderIsReclaimed() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let out = tmp("scan.trowel")
        let deadPID = try Self.deadPID()
        let dead = tmp(".scan.trowel.partial-\(deadPID)")
        let alive = tmp(".scan.trowel.partial-1")              // init: always alive
        let remote = tmp(".scan.trowel.partial-\(deadPID + 1)")
        let other = tmp(".other.trowel.partial-\(deadPID)")
        for folder in [dead, alive, remote, other] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("volume.zarr"), withIntermediateDirectories: true)
        }
        try Data("\(FileOwner.host)\n\(deadPID)\n".utf8).write(to: dead.appendingPathComponent(StagedFolder.ownerFile))
        try Data("elsewhere\n\(deadPID + 1)\n".utf8).write(to: remote.appendingPathComponent(StagedFolder.ownerFile))
        try StagedFolder.build(at: out) { staging in
            try Data("x".utf8).write(to: staging.appendingPathComponent("file"))
        }
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path))
        #expect(left == [out, alive, remote, other].map(\.lastPathComponent).reduce(into: Set<String>()) { $0.insert($1) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["file"])
    }
}
