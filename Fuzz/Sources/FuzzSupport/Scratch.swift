import Foundation

/// A private folder for the files one fuzz input is written to, because Trowel's readers (and the
/// C libraries under them) take paths: on tmpfs (`/dev/shm`) unless `TROWEL_FUZZ_SCRATCH` names
/// another, emptied before each input and removed when the process exits normally.
public enum Scratch {
    public static let root: URL = {
        let base = ProcessInfo.processInfo.environment["TROWEL_FUZZ_SCRATCH"]
            ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        let url = URL(fileURLWithPath: base).appendingPathComponent("trowel-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        return url
    }()

    /// An empty folder for the next input.
    public static func fresh() -> URL {
        let url = root.appendingPathComponent("input")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `bytes` as `name` in a fresh folder and returns its URL.
    @discardableResult
    public static func file(_ name: String, _ bytes: Data, in folder: URL? = nil) -> URL {
        let url = (folder ?? fresh()).appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: url.path, contents: bytes)
        return url
    }
}

/// The fuzz input as bytes, from libFuzzer's pointer and size.
public func fuzzData(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Data {
    guard let pointer, size > 0 else { return Data() }
    return Data(bytes: pointer, count: size)
}

/// Blocks larger than this are not read: a header may legitimately declare gigabytes (a real scan),
/// and allocating them is not a fault of the parser. Everything up to the allocation still runs.
public let fuzzVoxelLimit = 1 << 20

/// FNV-1a 64, as Trowel's model files checksum their payloads; harnesses use it to repair the
/// checksum of a mutated file so the fuzzer also reaches the parsing behind it.
public func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

/// Little-endian integer bytes.
public func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Writes seed inputs (files Trowel itself writes) into the folder named by `TROWEL_FUZZ_SEEDS`,
/// when it is set; called from `LLVMFuzzerInitialize`, before libFuzzer reads its corpus folders.
public func writeSeeds(_ make: () throws -> [(name: String, bytes: Data)]) {
    guard let folder = ProcessInfo.processInfo.environment["TROWEL_FUZZ_SEEDS"] else { return }
    let url = URL(fileURLWithPath: folder)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    do {
        for seed in try make() {
            FileManager.default.createFile(atPath: url.appendingPathComponent("trowel-" + seed.name).path, contents: seed.bytes)
        }
    } catch {
        FileHandle.standardError.write(Data("seed generation failed: \(error)\n".utf8))
    }
}
