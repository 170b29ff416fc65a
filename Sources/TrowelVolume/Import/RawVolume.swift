import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A headerless (or fixed-header) raw volume: `shape.z` slices of `shape.y`×`shape.x` values of
/// one dtype, in C order, after `headerBytes` bytes. Reads slabs with `pread` at their offsets.
public struct RawVolume: SliceSource {
    public let file: URL
    public let shape: Shape
    public let dtype: DType
    /// Byte order of the stored values; swapped on read when it differs from the machine's.
    public let byteOrder: ByteOrder
    /// Bytes skipped at the start of the file.
    public let headerBytes: Int

    /// Checks that the file is exactly `headerBytes + shape.voxelCount * dtype.size` bytes long;
    /// throws `ImportError.rawSizeMismatch` naming the file, the expected and the actual size.
    public init(file: URL, shape: Shape, dtype: DType, byteOrder: ByteOrder = .little, headerBytes: Int = 0) throws {
        let path = file.path
        guard !shape.isEmpty else {
            throw ImportError.invalidRawLayout(file: path, reason: "--shape \(shape.z),\(shape.y),\(shape.x) has no voxels")
        }
        guard headerBytes >= 0 else {
            throw ImportError.invalidRawLayout(file: path, reason: "--header-bytes \(headerBytes) is negative")
        }
        if let problem = shape.sizeProblem {
            throw ImportError.invalidRawLayout(file: path, reason: "--shape \(shape.z),\(shape.y),\(shape.x): \(problem); give Z,Y,X in voxels")
        }
        let (dataBytes, o1) = shape.voxelCount.multipliedReportingOverflow(by: dtype.size)
        let (expected, o2) = dataBytes.addingReportingOverflow(headerBytes)
        guard !o1, !o2 else {
            throw ImportError.invalidRawLayout(file: path, reason: "--header-bytes \(headerBytes) plus \(shape) \(dtype) is more bytes than any file holds")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw ImportError.notFound(path: path) }
            throw ImportError.unreadable(file: path, page: nil, reason: String(cString: strerror(errno)))
        }
        let actual = Int(info.st_size)
        guard actual == expected else {
            throw ImportError.rawSizeMismatch(file: path, actualBytes: actual, shape: shape, dtype: dtype, headerBytes: headerBytes)
        }
        self.file = file
        self.shape = shape
        self.dtype = dtype
        self.byteOrder = byteOrder
        self.headerBytes = headerBytes
    }

    public var summary: String {
        "raw volume \(file.path), \(shape) \(dtype) \(byteOrder)-endian" + (headerBytes > 0 ? " after \(headerBytes) header bytes" : "")
    }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        precondition(range.lowerBound >= 0 && range.upperBound <= shape.z, "RawVolume: slices \(range) outside 0..<\(shape.z)")
        let path = file.path
        let sliceBytes = shape.y * shape.x * dtype.size
        return try AnyBlock.filling(dtype: dtype, shape: Shape(z: range.count, y: shape.y, x: shape.x)) { buffer in
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw ImportError.unreadable(file: path, page: nil, reason: String(cString: strerror(errno)))
            }
            defer { close(fd) }
            var done = 0
            let offset = headerBytes + range.lowerBound * sliceBytes
            while done < buffer.count {
                let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    let reason = n < 0 ? String(cString: strerror(errno)) : "the file ended at byte \(offset + done); was it truncated?"
                    throw ImportError.unreadable(file: path, page: nil, reason: reason)
                }
                done += n
            }
            if byteOrder != .native { Self.swapBytes(buffer, size: dtype.size) }
        }
    }

    /// Reverses the bytes of every `size`-byte value in `buffer`.
    static func swapBytes(_ buffer: UnsafeMutableRawBufferPointer, size: Int) {
        let count = buffer.count / size
        switch size {
        case 2:
            let p = buffer.baseAddress!.assumingMemoryBound(to: UInt16.self)
            for i in 0..<count { p[i] = p[i].byteSwapped }
        case 4:
            let p = buffer.baseAddress!.assumingMemoryBound(to: UInt32.self)
            for i in 0..<count { p[i] = p[i].byteSwapped }
        case 8:
            let p = buffer.baseAddress!.assumingMemoryBound(to: UInt64.self)
            for i in 0..<count { p[i] = p[i].byteSwapped }
        default:
            break
        }
    }
}
