import Foundation
import Testing

/// Ctrl-C or SIGTERM during `trowel convert` used to be noticed only between slabs (64 slices):
/// on wide slices that is many seconds. It must stop within about a second and leave nothing.
@Suite(.serialized) struct ConvertInterruptTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func aConvertStopsWithinASecondOfASignalLeavingNothing(_ signal: Int32) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Random bytes compress slowly: one 64-slice slab of 1024² takes seconds in a debug build.
        // 4 MB of them repeated (farther apart than zstd's window, so still incompressible).
        var generator = SystemRandomNumberGenerator()
        let words = (0..<(4 * 1024 * 1024 / 8)).map { _ in generator.next() as UInt64 }
        let piece = words.withUnsafeBytes { Data($0) }
        var bytes = Data(capacity: 128 * 1024 * 1024)
        for _ in 0..<32 { bytes.append(piece) }
        try bytes.write(to: scratch("big.raw"))
        let out = scratch("big.trowel")
        let process = Process()
        process.executableURL = TrowelBinary.url
        process.arguments = ["convert", scratch("big.raw").path, "--shape", "128,1024,1024", "--dtype", "u8", "-o", out.path]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let partial = scratch(".big.trowel.partial-\(process.processIdentifier)")
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline,
              !FileManager.default.fileExists(atPath: partial.appendingPathComponent("volume.zarr/0/.zarray").path) {
            usleep(5_000)
        }
        usleep(300_000)  // well into the first slab
        #expect(process.isRunning, "the convert finished before the signal")
        let sent = Date()
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(sent)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(seconds < 1.5, "took \(seconds) s to stop after signal \(signal)")
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(process.terminationStatus): \(stderr)")
        #expect(stderr.contains("\(out.path): cancelled; nothing was written"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(left == ["big.raw"], "partial output left behind: \(left)")
    }
}
