import Foundation
import Testing
import TrowelTestSupport

/// `trowel serve` on the real binary: zarr-python reads every array over HTTP, and a real
/// neuroglancer in headless Chromium draws the scan's slice and the labels from it.
@Suite(.serialized) struct ServeCommandTests {
    /// A 48×64×64 sample with slice z 24 labelled (by threshold) and an Otsu segmentation, served on a free port.
    final class Served {
        let scratch: Scratch
        let process = Process()
        let report: [String: Any]
        var project: URL { scratch("P.trowel") }
        var port: Int { report["port"] as! Int }

        init() throws {
            scratch = try Scratch()
            for arguments in [["sample", "-o", scratch("D").path, "--size", "64", "--slices", "48"],
                              ["convert", scratch("D/scan.zarr").path, "-o", scratch("P.trowel").path],
                              ["threshold", scratch("P.trowel").path, "--value", "100", "--slice", "z:24"],
                              ["threshold", scratch("P.trowel").path, "--otsu", "-o", "otsu"]] {
                let run = try TrowelBinary.run(arguments)
                #expect(run.status == 0, "\(arguments[0]): \(run.stderr)")
            }
            // A symlink out of volume.zarr to the database: must be refused over HTTP.
            try FileManager.default.createSymbolicLink(atPath: scratch("P.trowel/volume.zarr/0/escape").path,
                                                       withDestinationPath: "../../project.sqlite")
            process.executableURL = TrowelBinary.url
            process.arguments = ["serve", scratch("P.trowel").path, "--port", "0", "--json"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The first line says where it listens (bounded: the server prints it within a second or two).
            var line = Data()
            let deadline = Date().addingTimeInterval(20)
            while !line.contains(UInt8(ascii: "\n")), Date() < deadline, process.isRunning {
                line += out.fileHandleForReading.availableData
            }
            report = try LearningCommandTests.json(String(decoding: line, as: UTF8.self))
        }

        /// SIGTERM, as a service manager or Ctrl-C would: the server must stop by itself, exit 0.
        func stop() -> Int32 {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            scratch.remove()
            return process.terminationStatus
        }
    }

    @Test func zarrPythonReadsEveryArrayOverHTTP() throws {
        let served = try Served()
        #expect((served.report["tunnel"] as? String)?.hasPrefix("ssh -L \(served.port):127.0.0.1:\(served.port) ") == true)
        #expect(served.report["bind"] as? String == "127.0.0.1")
        #expect(served.report["viewer"] as? String == "http://127.0.0.1:\(served.port)/neuroglancer")
        #expect(served.report["arrays"] as? [String] == ["/volume.zarr/", "/labels.zarr/", "/segmentations/otsu.zarr/"])
        let link = try #require(served.report["neuroglancerURL"] as? String)
        #expect(link.hasPrefix("https://neuroglancer-demo.appspot.com/#!"))
        #expect(link.removingPercentEncoding?.contains("\"zarr2://http://127.0.0.1:\(served.port)/volume.zarr/\"") == true)
        let check = try PythonScript.run("check-serve-zarr.py", ["http://127.0.0.1:\(served.port)", served.project.path])
        #expect(check.status == 0, "\(check.output)")
        #expect(served.stop() == 0)
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Without chromium this is skipped, except in CI (`CI` set), where it must run.
    @Test(.enabled(if: chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                   "chromium is not installed (Scripts/install-deps installs it); the neuroglancer check is skipped"))
    func aRealNeuroglancerDrawsTheScanAndTheLabels() throws {
        let chromium = try #require(Self.chromium, "chromium is missing in CI: Scripts/install-deps installs it")
        let served = try Served()
        let state = served.scratch("state.json")
        try Data((served.report["neuroglancerState"] as! String).utf8).write(to: state)
        let shot = served.scratch("neuroglancer.png")
        let check = try PythonScript.run("check-neuroglancer.py", [state.path, served.project.path, shot.path,
                                                                   "--chromium", chromium, "--timeout", "90"])
        #expect(check.status == 0, "\(check.output)")
        #expect(served.stop() == 0)
    }
}
