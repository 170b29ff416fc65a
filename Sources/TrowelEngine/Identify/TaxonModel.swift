import Foundation
import TrowelML

/// A trained taxon model: the slice descriptor spec, the taxa, the split (which specimens trained
/// it, which were held out), its held-out metrics and what a slice-level split would have claimed,
/// and the forest. File: "TRWLTAXA", u32 version, u32 header length, JSON header, the forest
/// (`RandomForest.serialized()`), then a u64 FNV-1a checksum of everything before it.
public struct TaxonModel: Sendable {
    public struct Header: Codable, Sendable, Equatable {
        public var version: Int
        public var descriptor: SliceDescriptor
        public var axes: [String]
        public var taxa: [String]
        public var trainSpecimens: [String]
        public var heldOutSpecimens: [String]
        public var seed: UInt64
        public var testFraction: Double
        /// Over the held-out specimens' slices.
        public var metrics: TaxonMetrics?
        /// Over the held-out specimens, each the mean of its slices' probabilities.
        public var specimenMetrics: TaxonMetrics?
        /// The same forest trained and scored on a random split of slices (leaky, for comparison).
        public var sliceSplitMetrics: TaxonMetrics?
        public var createdAt: Date
    }

    public static let magic = Data("TRWLTAXA".utf8)
    public static let version = 2

    public var header: Header
    public let forest: RandomForest

    public init(header: Header, forest: RandomForest) {
        self.header = header
        self.forest = forest
    }

    static func fnv1a(_ data: Data) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in data { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }

    public func serialized() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let json = try encoder.encode(header)
        var out = Self.magic
        withUnsafeBytes(of: UInt32(Self.version).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(forest.serialized())
        withUnsafeBytes(of: Self.fnv1a(out).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// Writes atomically.
    public func write(to url: URL) throws {
        do { try serialized().write(to: url, options: .atomic) } catch {
            throw IdentifyError.model(url.lastPathComponent, "cannot be written (\(error.localizedDescription))")
        }
    }

    /// Reads a model file; any damage or another version is one `IdentifyError.model` line.
    public init(contentsOf url: URL) throws {
        let name = url.lastPathComponent
        guard let data = try? Data(contentsOf: url) else { throw IdentifyError.model(name, "cannot be read") }
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        guard bytes.count >= 24, Data(bytes[0..<8]) == Self.magic else { throw IdentifyError.model(name, "not a Trowel taxon model") }
        let version = u32(8)
        guard version == Self.version else {
            throw IdentifyError.model(name, "taxon model format version \(version); this Trowel reads version \(Self.version)")
        }
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[bytes.count - 8 + i]) << (8 * UInt64(i)) }
        guard Self.fnv1a(Data(bytes[0..<(bytes.count - 8)])) == stored else {
            throw IdentifyError.model(name, "checksum mismatch (truncated or corrupted)")
        }
        let length = u32(12)
        guard 16 + length <= bytes.count - 8 else { throw IdentifyError.model(name, "header runs past the end") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            header = try decoder.decode(Header.self, from: Data(bytes[16..<(16 + length)]))
            forest = try RandomForest(data: Data(bytes[(16 + length)..<(bytes.count - 8)]), name: name)
        } catch {
            throw IdentifyError.model(name, "malformed (\(error))")
        }
        do { try header.descriptor.validate() } catch { throw IdentifyError.model(name, "\(error)") }
        guard forest.featureCount == header.descriptor.count, forest.classes.count == header.taxa.count else {
            throw IdentifyError.model(name, "the forest does not match the descriptor spec or taxa")
        }
    }
}
