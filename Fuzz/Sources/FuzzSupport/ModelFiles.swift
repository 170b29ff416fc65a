import Foundation

/// Trowel's forest file (`ForestFile`) with its length and checksum fields recomputed, so a mutated
/// file gets past the integrity check to the header and tree parsing; nil when too short to have them.
public func repairingForestChecksum(_ data: Data) -> Data? {
    var bytes = [UInt8](data)
    guard bytes.count >= 32 else { return nil }
    let payload = bytes[32...]
    bytes.replaceSubrange(16..<24, with: littleEndianBytes(UInt64(payload.count)))
    bytes.replaceSubrange(24..<32, with: littleEndianBytes(fnv1a(payload)))
    return Data(bytes)
}

/// A taxon model file (`TaxonModel`) with its trailing checksum recomputed; nil when too short.
public func repairingTaxonChecksum(_ data: Data) -> Data? {
    var bytes = [UInt8](data)
    guard bytes.count >= 24 else { return nil }
    let body = bytes[0..<(bytes.count - 8)]
    bytes.replaceSubrange((bytes.count - 8)..<bytes.count, with: littleEndianBytes(fnv1a(body)))
    return Data(bytes)
}
