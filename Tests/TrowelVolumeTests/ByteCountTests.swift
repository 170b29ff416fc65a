import Testing
@testable import TrowelVolume

@Suite struct ByteCountTests {
    @Test func parsesBinaryMultiples() throws {
        #expect(try ByteCount(parsing: "512M").bytes == 512 << 20)
        #expect(try ByteCount(parsing: "1.5G").bytes == 3 << 29)
        #expect(try ByteCount(parsing: "300MB").bytes == 300 << 20)
        #expect(try ByteCount(parsing: "2GiB").bytes == 2 << 30)
        #expect(try ByteCount(parsing: "65536").bytes == 65536)
        #expect(throws: ByteCountError.self) { try ByteCount(parsing: "lots") }
        #expect(throws: ByteCountError.self) { try ByteCount(parsing: "-1G") }
    }

    /// `--memory 1e30G` used to trap converting the product to an Int.
    @Test func anAmountTooLargeForAnIntIsAnErrorNotACrash() {
        #expect(throws: ByteCountError.self) { try ByteCount(parsing: "1e30G") }
        #expect(throws: ByteCountError.self) { try ByteCount(parsing: "9223372036854775807T") }
        #expect((try? ByteCount(parsing: "1024T"))?.bytes == 1 << 50)
    }

    @Test func printsShortUnits() {
        #expect(ByteCount(3_355_443).description == "3.2 MB")
        #expect(ByteCount(900).description == "900 B")
    }
}

@Suite struct CompressorNameTests {
    @Test func parsesTheConvertOptionNames() {
        #expect(ZarrCompressor(parsing: "zstd") == .zstd(level: 3))
        #expect(ZarrCompressor(parsing: "zlib:9") == .zlib(level: 9))
        #expect(ZarrCompressor(parsing: "blosc-lz4") == .blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0))
        #expect(ZarrCompressor(parsing: "none") == ZarrCompressor.none)
        #expect(ZarrCompressor(parsing: "lzma") == nil)
        #expect(ZarrCompressor(parsing: "zstd:x") == nil)
    }
}
