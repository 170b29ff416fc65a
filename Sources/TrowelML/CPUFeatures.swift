import Foundation

/// The instruction-set extensions of the CPU this process runs on, as far as the compiled kernels
/// care: `-target-cpu haswell` code needs AVX2, FMA, BMI1/2, F16C, LZCNT and MOVBE.
struct CPUFeatures: Sendable {
    let flags: Set<String>

    /// Whether code compiled for Haswell (x86-64-v3) can run here.
    var supportsHaswell: Bool {
        #if arch(x86_64)
        ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"].allSatisfy(flags.contains)
        #else
        false
        #endif
    }

    static let current = CPUFeatures(flags: detectFlags())

    /// Linux lists the flags the kernel enabled (so AVX only when the OS saves its registers) in
    /// /proc/cpuinfo; macOS answers `sysctl hw.optional.*`.
    private static func detectFlags() -> Set<String> {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        #elseif os(macOS)
        // Every Mac CPU with AVX2, FMA and BMI2 is Haswell or later, so it has the rest of the set.
        var found: Set<String> = []
        for (flag, name) in [("avx2", "hw.optional.avx2_0"), ("fma", "hw.optional.fma"), ("bmi2", "hw.optional.bmi2")] {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            if sysctlbyname(name, &value, &size, nil, 0) == 0 && value != 0 { found.insert(flag) }
        }
        if found.count == 3 { found.formUnion(["avx", "bmi1", "f16c", "movbe", "abm"]) }
        return found
        #else
        return []
        #endif
    }
}
