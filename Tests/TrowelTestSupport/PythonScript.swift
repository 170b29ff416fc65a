import Foundation

/// Runs one of the repository's `Scripts/*.py` checks with the Python that `Scripts/install-deps`
/// prepares (or `$TROWEL_PYTHON`), so files Trowel writes are verified by tools that are not Trowel.
public enum PythonScript {
    public static var python: String? {
        if let p = ProcessInfo.processInfo.environment["TROWEL_PYTHON"], !p.isEmpty { return p }
        let venv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/trowel/venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    public static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "no Python with zarr-python: run Scripts/install-deps (or set TROWEL_PYTHON to a python with numpy, zarr, numcodecs, tifffile)"
        }
    }

    /// Runs `Scripts/<script>` and returns its exit status and combined output.
    public static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let python else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repository.appendingPathComponent("Scripts/\(script)").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
