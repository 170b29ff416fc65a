import Foundation

/// Runs the real `trowel` binary that `swift build` put beside the test bundle.
struct TrowelBinary {
    static var url: URL {
        Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("trowel")
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `trowel arguments…` in `directory`, with stdout and stderr on pipes (not a TTY).
    /// `launcher` (e.g. `setpriv --reuid=…`) runs the binary through another program; `environment`
    /// is added to this process's.
    static func run(_ arguments: [String], in directory: URL? = nil, launcher: [String] = [],
                    environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [url.path] + arguments
        } else {
            process.executableURL = url
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so neither can fill up and block the process.
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                      stderr: String(decoding: errorData, as: UTF8.self))
    }
}

/// A temporary folder removed at the end of a test.
struct Scratch {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-e2e-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func callAsFunction(_ name: String) -> URL { url.appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
