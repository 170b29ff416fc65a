import Foundation
import Testing
@testable import TrowelVolume

@Suite struct CodecTests {
    static let compressors: [ZarrCompressor] = ZarrRoundTripTests.compressors

    @Test(arguments: compressors)
    func compressorRoundTripsExactly(_ compressor: ZarrCompressor) throws {
        let source: [UInt8] = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) }
        let encoded = try source.withCodecBytes { (s) throws(CodecFailure) in try compressor.encode(s, typeSize: 2) }
        var decoded = [UInt8](repeating: 0, count: source.count)
        var failure: CodecFailure?
        encoded.withUnsafeBytes { e in
            decoded.withUnsafeMutableBytes { d in
                do throws(CodecFailure) { try compressor.decode(e, into: d) } catch { failure = error }
            }
        }
        #expect(failure == nil)
        #expect(decoded == source)
        // And without knowing the size in advance (a codec in the middle of a v3 chain).
        #expect(try encoded.withCodecBytes { (e) throws(CodecFailure) in try compressor.decode(e) } == source)
    }

    @Test func decodingIntoTheWrongSizeFails() throws {
        for compressor in Self.compressors {
            let source = [UInt8](repeating: 3, count: 1000)
            let encoded = try source.withCodecBytes { (s) throws(CodecFailure) in try compressor.encode(s, typeSize: 1) }
            var small = [UInt8](repeating: 0, count: 999)
            var failed = false
            encoded.withUnsafeBytes { e in
                small.withUnsafeMutableBytes { d in
                    do throws(CodecFailure) { try compressor.decode(e, into: d) } catch { failed = true }
                }
            }
            #expect(failed, "\(compressor.name) must not silently decode 1000 bytes into 999")
        }
    }

    @Test func gzipIsGzipWrappedAndZlibIsZlibWrapped() throws {
        let source = [UInt8](repeating: 1, count: 100)
        let gz = try source.withCodecBytes { (s) throws(CodecFailure) in try ZarrCompressor.gzip(level: 5).encode(s, typeSize: 1) }
        let zl = try source.withCodecBytes { (s) throws(CodecFailure) in try ZarrCompressor.zlib(level: 5).encode(s, typeSize: 1) }
        #expect(Array(gz.prefix(2)) == [0x1F, 0x8B])
        #expect(zl.first == 0x78)
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        let value = Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0) }
        #expect(value == 0xE306_9283)
    }

    @Test func byteSwapReversesEachElement() {
        var values: [UInt32] = [0x0102_0304, 0xA0B0_C0D0]
        values.withUnsafeMutableBytes { ByteSwap.swap($0, elementSize: 4) }
        #expect(values == [0x0403_0201, 0xD0C0_B0A0])
    }
}
