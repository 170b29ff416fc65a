import Foundation

/// Trowel's binary forest format (little-endian):
///
///     0   8 bytes  magic "TRWFORST"
///     8   u32      format version (1; 2 for an autocontext cascade)
///     12  u32      reserved, 0
///     16  u64      payload length in bytes
///     24  u64      FNV-1a 64 checksum of the payload
///     32  payload: u32 JSON length, JSON header (feature spec, classes, configuration,
///                  importances, OOB error, tree count, the earlier stage's smoothing scales, the
///                  decision weights if any), then
///                  for version 2 the earlier stage as a complete forest file (u64 length, bytes),
///                  then per tree: u32 node count, and per node i32 feature, f32 threshold, i32 left
///                  child; then node count × classes f32 values.
///
/// The header length and checksum catch truncated and corrupted files; the tree links are checked
/// (children after their parent, each node with one parent) so no file can crash prediction.
enum ForestFile {
    static let magic = Array("TRWFORST".utf8)
    static let version: UInt32 = 1
    /// Files with an earlier stage; a version-1 reader refuses them rather than misreading them.
    static let cascadeVersion: UInt32 = 2
    static let headerSize = 32

    struct Header: Codable {
        var spec: FeatureSpec
        var classes: [ClassInfo]
        var configuration: ForestConfiguration
        var importances: [Double]
        var oobError: Double?
        var treeCount: Int
        /// Scales of the earlier stage's smoothed probabilities; nil for a single stage.
        var contextSigmas: [Double]?
        /// Per-class decision weights (`RandomForest.decisionWeights`); absent for none.
        var decisionWeights: [Float]?
    }

    static func encode(_ forest: RandomForest) -> Data {
        var payload = Data()
        let header = Header(spec: forest.spec, classes: forest.classes, configuration: forest.configuration,
                            importances: forest.importances, oobError: forest.oobError, treeCount: forest.trees.count,
                            contextSigmas: forest.context?.sigmas, decisionWeights: forest.decisionWeights)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain value types into JSON cannot fail.
        let json = (try? encoder.encode(header)) ?? Data()
        append(UInt32(json.count), to: &payload)
        payload.append(json)
        if let context = forest.context {
            let earlier = encode(context.stage)
            append(UInt64(earlier.count), to: &payload)
            payload.append(earlier)
        }
        for tree in forest.trees {
            append(UInt32(tree.nodeCount), to: &payload)
            for n in 0..<tree.nodeCount {
                append(UInt32(bitPattern: tree.feature[n]), to: &payload)
                append(tree.threshold[n].bitPattern, to: &payload)
                append(UInt32(bitPattern: tree.left[n]), to: &payload)
            }
            for v in tree.values { append(v.bitPattern, to: &payload) }
        }
        var out = Data(magic)
        append(forest.context == nil ? version : cascadeVersion, to: &out)
        append(UInt32(0), to: &out)
        append(UInt64(payload.count), to: &out)
        append(checksum(payload), to: &out)
        out.append(payload)
        return out
    }

    static func decode(_ data: Data, file: String) throws -> RandomForest {
        func fail(_ reason: ModelFileError.Reason) -> ModelFileError { ModelFileError(file: file, reason: reason) }
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else { throw fail(.notAModel) }
        guard bytes.count >= headerSize else { throw fail(.truncated(expected: headerSize, found: bytes.count)) }
        var head = ByteReader(bytes: bytes, position: magic.count)
        let version = try head.u32()
        guard version == ForestFile.version || version == ForestFile.cascadeVersion else {
            throw fail(.unsupportedVersion(found: version, supported: ForestFile.cascadeVersion))
        }
        _ = try head.u32()
        let length = try head.u64()
        let sum = try head.u64()
        let expected = headerSize.addingReportingOverflow(Int(clamping: length))
        guard !expected.overflow, expected.partialValue == bytes.count else {
            throw fail(.truncated(expected: expected.overflow ? Int.max : expected.partialValue, found: bytes.count))
        }
        guard checksum(bytes[headerSize...]) == sum else { throw fail(.checksumMismatch) }

        var reader = ByteReader(bytes: bytes, position: headerSize)
        do {
            let jsonLength = Int(try reader.u32())
            let json = try reader.take(jsonLength)
            let header: Header
            do {
                header = try JSONDecoder().decode(Header.self, from: Data(json))
            } catch {
                throw fail(.malformed("unreadable header: \(error)"))
            }
            do { try header.spec.validate() } catch { throw fail(.malformed("\(error)")) }
            var context: Autocontext?
            if version == ForestFile.cascadeVersion {
                guard let sigmas = header.contextSigmas else { throw fail(.malformed("a cascade without its earlier stage's scales")) }
                let length = Int(clamping: try reader.u64())
                let earlier = try decode(Data(try reader.take(length)), file: file)
                guard earlier.spec == header.spec else { throw fail(.malformed("the earlier stage reads other image features")) }
                do { context = try Autocontext(stage: earlier, sigmas: sigmas) } catch { throw fail(.malformed("earlier stage: \(error)")) }
            }
            let k = header.classes.count, f = header.spec.featureCount + (context?.featureCount ?? 0)
            guard k > 0 else { throw fail(.malformed("no classes")) }
            guard header.importances.count == f else { throw fail(.malformed("\(header.importances.count) importances for \(f) features")) }
            guard header.treeCount > 0, header.treeCount <= 1 << 20 else { throw fail(.malformed("tree count \(header.treeCount)")) }
            var trees: [DecisionTree] = []
            for t in 0..<header.treeCount {
                let nodes = Int(try reader.u32())
                guard nodes > 0, nodes <= reader.remaining / 12 else { throw fail(.malformed("tree \(t): \(nodes) nodes")) }
                var feature = [Int32](repeating: 0, count: nodes)
                var threshold = [Float](repeating: 0, count: nodes)
                var left = [Int32](repeating: 0, count: nodes)
                var parents = [UInt8](repeating: 0, count: nodes)
                for n in 0..<nodes {
                    feature[n] = Int32(bitPattern: try reader.u32())
                    threshold[n] = Float(bitPattern: try reader.u32())
                    left[n] = Int32(bitPattern: try reader.u32())
                    let c = Int(left[n])
                    if c == n {
                        threshold[n] = .infinity   // a leaf must stay put whatever the voxel
                        feature[n] = 0
                        continue
                    }
                    guard c > n, c + 1 < nodes, feature[n] >= 0, Int(feature[n]) < f else {
                        throw fail(.malformed("tree \(t) node \(n): bad link or feature"))
                    }
                    parents[c] += 1
                    parents[c + 1] += 1
                    guard parents[c] == 1, parents[c + 1] == 1 else { throw fail(.malformed("tree \(t): node with two parents")) }
                }
                guard parents.dropFirst().allSatisfy({ $0 == 1 }) else { throw fail(.malformed("tree \(t): unreachable node")) }
                var values = [Float](repeating: 0, count: nodes * k)
                for i in 0..<(nodes * k) { values[i] = Float(bitPattern: try reader.u32()) }
                trees.append(DecisionTree(feature: feature, threshold: threshold, left: left, values: values,
                                          depth: DecisionTree.measureDepth(left: left)))
            }
            guard reader.remaining == 0 else { throw fail(.malformed("\(reader.remaining) bytes after the last tree")) }
            if let w = header.decisionWeights, w.count != k || !w.allSatisfy({ $0 > 0 && $0.isFinite }) {
                throw fail(.malformed("\(w.count) decision weights for \(k) classes, or one not positive"))
            }
            return RandomForest(spec: header.spec, classes: header.classes, configuration: header.configuration,
                                importances: header.importances, oobError: header.oobError, trees: trees, context: context,
                                decisionWeights: header.decisionWeights)
        } catch is ByteReader.Overrun {
            throw fail(.malformed("a tree runs past the end of the payload"))
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    /// FNV-1a, 64 bit.
    static func checksum<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    /// Reads little-endian values, throwing instead of reading past the end.
    struct ByteReader {
        struct Overrun: Error {}
        let bytes: [UInt8]
        var position: Int

        var remaining: Int { bytes.count - position }

        mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, n <= remaining else { throw Overrun() }
            defer { position += n }
            return bytes[position..<(position + n)]
        }

        mutating func u32() throws -> UInt32 {
            let s = try take(4)
            return s.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func u64() throws -> UInt64 {
            let s = try take(8)
            return s.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
