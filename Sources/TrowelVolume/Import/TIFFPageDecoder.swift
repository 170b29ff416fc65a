import CTIFF
import Foundation

/// Decodes the current page of an open TIFF into one slice of a stack's dtype.
///
/// Grey pages of the stack's type decode strip by strip (or tile by tile) straight into the
/// slice; others decode into a page buffer first and are converted (luminance, 8-bit widening).
/// Any libtiff error, or a strip or tile shorter than its size, fails the read: a damaged
/// page never turns into zeros.
struct TIFFPageDecoder {
    let handle: TIFFHandle
    let layout: TIFFLayout
    let page: Int?

    func decode(as dtype: DType, into slice: UnsafeMutableRawBufferPointer) throws {
        if layout.samplesPerPixel == 1, layout.sampleType.dtype == dtype, layout.sampleType != .i8 {
            try decodeSamples(into: slice.baseAddress!)
            return
        }
        let pixels = layout.width * layout.height
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: pixels * layout.samplesPerPixel * layout.sampleType.size,
                                                       alignment: 16)
        defer { buffer.deallocate() }
        try decodeSamples(into: buffer)
        convert(UnsafeRawPointer(buffer), to: dtype, into: slice)
    }

    /// The error for this page: libtiff's last message, or `fallback` when it said nothing.
    private func failure(_ fallback: String) -> ImportError {
        handle.failure(fallback, page: page)
    }

    /// All samples of the page: interleaved for contiguous pages, plane after plane for planar ones.
    private func decodeSamples(into destination: UnsafeMutableRawPointer) throws {
        let tiff = handle.tiff
        let sampleSize = layout.sampleType.size
        let planes = layout.isPlanar ? layout.samplesPerPixel : 1
        let pixelBytes = (layout.isPlanar ? 1 : layout.samplesPerPixel) * sampleSize
        let rowBytes = layout.width * pixelBytes
        let planeBytes = rowBytes * layout.height
        handle.clearErrors()

        if let tile = layout.tile {
            let tileBytes = Int(TIFFTileSize(tiff))
            guard tileBytes >= tile.width * tile.height * pixelBytes else { throw failure("invalid tile size") }
            let tileBuffer = UnsafeMutableRawPointer.allocate(byteCount: tileBytes, alignment: 16)
            defer { tileBuffer.deallocate() }
            for plane in 0..<planes {
                for y0 in stride(from: 0, to: layout.height, by: tile.height) {
                    for x0 in stride(from: 0, to: layout.width, by: tile.width) {
                        let index = TIFFComputeTile(tiff, UInt32(x0), UInt32(y0), 0, UInt16(plane))
                        let n = TIFFReadEncodedTile(tiff, index, tileBuffer, tmsize_t(tileBytes))
                        guard n == tileBytes, handle.lastError == nil else {
                            throw failure("tile \(index) is damaged or missing")
                        }
                        let rows = Swift.min(tile.height, layout.height - y0)
                        let bytes = Swift.min(tile.width, layout.width - x0) * pixelBytes
                        for r in 0..<rows {
                            let target = destination + plane * planeBytes + (y0 + r) * rowBytes + x0 * pixelBytes
                            target.copyMemory(from: tileBuffer + r * tile.width * pixelBytes, byteCount: bytes)
                        }
                    }
                }
            }
        } else {
            for plane in 0..<planes {
                for y0 in stride(from: 0, to: layout.height, by: layout.rowsPerStrip) {
                    let rows = Swift.min(layout.rowsPerStrip, layout.height - y0)
                    let expected = rows * rowBytes
                    let index = TIFFComputeStrip(tiff, UInt32(y0), UInt16(plane))
                    let n = TIFFReadEncodedStrip(tiff, index, destination + plane * planeBytes + y0 * rowBytes, tmsize_t(expected))
                    guard n == expected, handle.lastError == nil else {
                        throw failure("strip \(index) is damaged or missing")
                    }
                }
            }
        }
    }

    /// Converts a decoded page buffer into `dtype` values: luminance for RGB, else the first sample.
    private func convert(_ source: UnsafeRawPointer, to dtype: DType, into slice: UnsafeMutableRawBufferPointer) {
        switch layout.sampleType {
        case .u8: convert(source, UInt8.self, to: dtype, into: slice) { Double($0) }
        case .i8: convert(source, Int8.self, to: dtype, into: slice) { Double($0) }
        case .u16: convert(source, UInt16.self, to: dtype, into: slice) { Double($0) }
        case .i16: convert(source, Int16.self, to: dtype, into: slice) { Double($0) }
        case .u32: convert(source, UInt32.self, to: dtype, into: slice) { Double($0) }
        case .i32: convert(source, Int32.self, to: dtype, into: slice) { Double($0) }
        case .f32: convert(source, Float.self, to: dtype, into: slice) { Double($0) }
        case .f64: convert(source, Double.self, to: dtype, into: slice) { $0 }
        }
    }

    private func convert<S>(_ source: UnsafeRawPointer, _ type: S.Type, to dtype: DType,
                            into slice: UnsafeMutableRawBufferPointer, value: (S) -> Double) {
        func into<D: VoxelScalar>(_: D.Type) {
            let count = layout.width * layout.height
            let d = slice.baseAddress!.assumingMemoryBound(to: D.self)
            let spp = layout.samplesPerPixel
            let pixelStride = layout.isPlanar ? 1 : spp
            if layout.isColour {
                Luminance.convert(source, as: S.self, count: count, pixelStride: pixelStride,
                                  componentStride: layout.isPlanar ? count : 1, into: d, value: value)
            } else {
                let s = source.assumingMemoryBound(to: S.self)
                for i in 0..<count { d[i] = D(clampingDouble: value(s[i * pixelStride])) }
            }
        }
        switch dtype {
        case .u8: into(UInt8.self)
        case .u16: into(UInt16.self)
        case .i16: into(Int16.self)
        case .u32: into(UInt32.self)
        case .i32: into(Int32.self)
        case .f32: into(Float.self)
        case .f64: into(Double.self)
        }
    }
}
