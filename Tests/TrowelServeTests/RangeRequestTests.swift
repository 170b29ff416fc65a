import Testing
import TrowelServe

/// `Range` headers as RFC 9110 reads them, for a 100-byte file.
struct RangeRequestTests {
    @Test func singleRanges() {
        #expect(RangeRequest(header: nil, length: 100) == .whole)
        #expect(RangeRequest(header: "bytes=0-9", length: 100) == .bytes(0..<10))
        #expect(RangeRequest(header: "bytes=90-", length: 100) == .bytes(90..<100))
        #expect(RangeRequest(header: "bytes=-20", length: 100) == .bytes(80..<100))
        #expect(RangeRequest(header: "bytes=-200", length: 100) == .bytes(0..<100))
        #expect(RangeRequest(header: "bytes=50-500", length: 100) == .bytes(50..<100))
        #expect(RangeRequest(header: "bytes=99-99", length: 100) == .bytes(99..<100))
    }

    @Test func unsatisfiableAndIgnored() {
        #expect(RangeRequest(header: "bytes=100-", length: 100) == .unsatisfiable)
        #expect(RangeRequest(header: "bytes=100-200", length: 100) == .unsatisfiable)
        #expect(RangeRequest(header: "bytes=-0", length: 100) == .unsatisfiable)
        #expect(RangeRequest(header: "bytes=0-0", length: 0) == .unsatisfiable)
        // Malformed, other units and several ranges are ignored: the whole file is sent.
        #expect(RangeRequest(header: "bytes=9-3", length: 100) == .whole)
        #expect(RangeRequest(header: "items=0-9", length: 100) == .whole)
        #expect(RangeRequest(header: "bytes=0-9,20-29", length: 100) == .whole)
        #expect(RangeRequest(header: "bytes=a-b", length: 100) == .whole)
    }
}
