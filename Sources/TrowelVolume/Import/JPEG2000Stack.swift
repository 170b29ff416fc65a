import Foundation

/// A stack of JPEG 2000 slices, one per file (`.jp2` files or raw `.j2k` codestreams, as
/// synchrotron beamlines such as the ESRF's distribute them), decoded with libopenjp2.
///
/// Single-component greyscale only: up to 8-bit unsigned becomes `u8`, 9…16-bit unsigned `u16`,
/// signed up to 16 bits `i16`, with the decoded integers unchanged (lossless files round-trip
/// exactly). Colour, subsampled and wider-than-16-bit files are refused. Every file's header is
/// checked against the first when the stack is opened (same size, precision and signedness), and
/// again when it is read.
public struct JPEG2000Stack: SliceSource {
    /// The slice files in z order.
    public let files: [URL]
    public let shape: Shape
    public let dtype: DType
    /// The first slice's header, which every slice must match.
    let firstHeader: JPEG2000Header

    /// Opens the stack, reading every file's main header (no pixels). Throws `ImportError`
    /// naming the first bad file.
    public init(files: [URL]) throws {
        guard let first = files.first else { throw ImportError.noInput }
        let head = try JPEG2000Decoder(file: first).header()
        let dtype = try head.dtype(file: first.path)
        for file in files.dropFirst() {
            let header = try JPEG2000Decoder(file: file).header()
            _ = try header.dtype(file: file.path)
            try header.check(against: head, file: file.path)
        }
        self.files = files
        self.firstHeader = head
        self.shape = Shape(z: files.count, y: head.height, x: head.width)
        if let problem = shape.sizeProblem { throw ImportError.unsupported(file: files[0].path, page: nil, reason: "the stack's \(problem)") }
        self.dtype = dtype
    }

    public var summary: String {
        let folder = files.first.map { $0.deletingLastPathComponent().path } ?? ""
        return "\(files.count) JPEG 2000 slice\(files.count == 1 ? "" : "s") in \(folder) (\(dtype))"
    }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        precondition(range.lowerBound >= 0 && range.upperBound <= shape.z, "JPEG2000Stack: slices \(range) outside 0..<\(shape.z)")
        let planeBytes = shape.y * shape.x * dtype.size
        return try AnyBlock.filling(dtype: dtype, shape: Shape(z: range.count, y: shape.y, x: shape.x)) { buffer in
            for (k, z) in range.enumerated() {
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[(k * planeBytes)..<((k + 1) * planeBytes)])
                try JPEG2000Decoder(file: files[z]).decode(expecting: firstHeader, as: dtype, into: slice)
            }
        }
    }
}
