import CGDCM
import Foundation

/// Decodes frames of one DICOM file through GDCM and turns the stored samples (masked to
/// BitsStored, sign-extended when signed) into output values with the file's own rescale.
enum DICOMSampleDecoder {
    /// Frames `frames` of `header`'s file as `dtype` values into `out` (frames × rows × columns).
    static func read(_ header: DICOMHeader, frames: Range<Int>, as dtype: DType, into out: UnsafeMutableRawBufferPointer) throws(DICOMError) {
        switch (header.bitsAllocated, header.isSigned) {
        case (8, false): try read(UInt8.self, header, frames, dtype, out)
        case (8, true): try read(Int8.self, header, frames, dtype, out)
        case (16, false): try read(UInt16.self, header, frames, dtype, out)
        case (16, true): try read(Int16.self, header, frames, dtype, out)
        case (32, false): try read(UInt32.self, header, frames, dtype, out)
        case (32, true): try read(Int32.self, header, frames, dtype, out)
        default: throw .unsupportedSamples(file: header.path, bitsAllocated: header.bitsAllocated)
        }
    }

    /// The lowest and highest value (after rescaling) in frame `frame` of `header`'s file.
    static func valueRange(_ header: DICOMHeader, frame: Int) throws -> ClosedRange<Double> {
        let count = header.rows * header.columns
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBytes { out in
            try read(header, frames: frame..<(frame + 1), as: .f32, into: out)
        }
        var lo = Float.infinity, hi = -Float.infinity
        for v in values {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        return Double(lo)...Double(hi)
    }

    private static func read<S: FixedWidthInteger>(_: S.Type, _ header: DICOMHeader, _ frames: Range<Int>, _ dtype: DType,
                                                   _ out: UnsafeMutableRawBufferPointer) throws(DICOMError) {
        let count = frames.count * header.rows * header.columns
        var stored = [S](repeating: 0, count: count)
        var message = [CChar](repeating: 0, count: 512)
        let status = stored.withUnsafeMutableBytes { raw in
            trowel_dicom_read_frames(header.path, Int32(frames.lowerBound), Int32(frames.count), raw.baseAddress, raw.count,
                                     &message, message.count)
        }
        switch status {
        case Int32(TROWEL_DICOM_OK.rawValue): break
        case Int32(TROWEL_DICOM_NO_PIXEL_DATA.rawValue): throw .noPixelData(file: header.path)
        default: throw .decodeFailed(file: header.path, reason: "\(String(cString: message)) (\(header.transferSyntaxName))")
        }
        convert(stored, bits: header.bitsStored, rescale: header.rescale, to: dtype, into: out)
    }

    /// Masks and rescales `stored` into `out`. Integer outputs are only chosen when the values fit
    /// (`DICOMVolume` checks), so clamping never changes a value.
    static func convert<S: FixedWidthInteger>(_ stored: [S], bits: Int, rescale: DICOMRescale, to dtype: DType,
                                              into out: UnsafeMutableRawBufferPointer) {
        let shift = S.bitWidth - min(max(bits, 1), S.bitWidth)
        @inline(__always) func sample(_ v: S) -> Int {
            // Bits above BitsStored may hold overlays: shifting out and back drops them (and
            // sign-extends signed samples, whose right shift is arithmetic).
            Int((v << shift) >> shift)
        }
        precondition([.i16, .u16, .f32].contains(dtype), "DICOM samples become int16, uint16 or float32, not \(dtype)")
        let n = stored.count
        stored.withUnsafeBufferPointer { src in
            switch dtype {
            case .i16, .u16:
                let slope = Int(rescale.slope), intercept = Int(rescale.intercept)
                if dtype == .i16 {
                    let dst = out.bindMemory(to: Int16.self)
                    for i in 0..<n { dst[i] = Int16(clamping: sample(src[i]) * slope + intercept) }
                } else {
                    let dst = out.bindMemory(to: UInt16.self)
                    for i in 0..<n { dst[i] = UInt16(clamping: sample(src[i]) * slope + intercept) }
                }
            default:
                let dst = out.bindMemory(to: Float.self)
                for i in 0..<n { dst[i] = Float(Double(sample(src[i])) * rescale.slope + rescale.intercept) }
            }
        }
    }
}
