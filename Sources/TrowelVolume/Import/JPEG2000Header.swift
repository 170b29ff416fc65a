/// What a JPEG 2000 file's main header says about its pixels: size, components and sample type.
///
/// Read by `JPEG2000Decoder` from the SIZ marker (through openjpeg) without decoding any tile,
/// so a whole stack can be checked when it is opened.
struct JPEG2000Header: Equatable, Sendable {
    var width: Int
    var height: Int
    /// Number of components: 1 for greyscale, 3 or more for colour (or with alpha).
    var components: Int
    /// Bits per sample of the first component (1…38 in the standard).
    var precision: Int
    var isSigned: Bool
    /// True when the first component is subsampled (one sample per several pixels).
    var isSubsampled: Bool

    var size: SliceSize { SliceSize(width: width, height: height) }

    /// The sample type in words, as errors print it: "16-bit", "12-bit signed".
    var sampleDescription: String { "\(precision)-bit" + (isSigned ? " signed" : "") }

    /// The element type slices are stored as: up to 8-bit unsigned → `u8`, 9…16-bit unsigned →
    /// `u16`, signed up to 16 bits → `i16`. Throws `ImportError.unsupported` for colour,
    /// subsampled or wider files, naming `file`.
    func dtype(file: String) throws -> DType {
        guard components == 1 else {
            throw ImportError.unsupported(
                file: file, page: nil,
                reason: "\(components) components (colour or alpha); Trowel reads single-component greyscale JPEG 2000")
        }
        guard !isSubsampled else {
            throw ImportError.unsupported(file: file, page: nil, reason: "subsampled component; Trowel reads full-resolution greyscale JPEG 2000")
        }
        guard precision >= 1, precision <= 16 else {
            throw ImportError.unsupported(file: file, page: nil, reason: "\(sampleDescription) samples; Trowel reads JPEG 2000 up to 16 bits")
        }
        if isSigned { return .i16 }
        return precision <= 8 ? .u8 : .u16
    }

    /// Throws unless this slice has the stack's first slice's size, precision and signedness.
    func check(against first: JPEG2000Header, file: String) throws {
        guard size == first.size else {
            throw ImportError.sizeMismatch(file: file, page: nil, size: size, expected: first.size)
        }
        guard precision == first.precision, isSigned == first.isSigned else {
            throw ImportError.typeMismatch(file: file, page: nil, found: sampleDescription, expected: first.sampleDescription)
        }
    }
}
