import Foundation
import TrowelVolume

/// Helpers shared by the benchmark subcommands.
enum BenchSupport {
    /// Peak resident memory of this process in MB (VmHWM from /proc/self/status), 0 if unknown.
    static func peakResidentMegabytes() -> Double {
        Double(ProcessMemory.peakResidentBytes) / 1_048_576
    }

    /// Seconds taken by `body`, and its result.
    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// CPU seconds used by this process so far (all threads); less disturbed than wall time
    /// when other work shares the cores.
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Prints `object` as one line of JSON with sorted keys.
    static func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// The bytes of a file, which must hold exactly `count` bytes.
    static func readBytes(_ path: String, count: Int) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count == count else {
            throw BenchError("\(path): \(data.count) bytes, expected \(count)")
        }
        return [UInt8](data)
    }
}

/// A benchmark input problem, reported as one line.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
